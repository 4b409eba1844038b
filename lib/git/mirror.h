// What a source controller needs from Git: list a remote's refs, resolve a GitRepository-style
// reference against them (commit > name > semver > tag > branch), keep a bare clone per source that
// is fetched incrementally (only the wanted ref, only when its commit is missing), and write the
// tree of one commit into a plain folder (no .git).
//
// Errors follow repository.h: they name the redacted URL and carry the same codes
// (kUnauthenticated for rejected credentials or an untrusted host/certificate,
// kDeadlineExceeded when the operation's deadline passed).
//
// Thread-safety: a Mirror is used by one thread at a time; different Mirrors and ListRemoteRefs
// calls may run concurrently.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "lib/git/auth.h"
#include "lib/git/repository.h"

namespace fluxcpp::git {

using Deadline = std::optional<std::chrono::steady_clock::time_point>;

// One ref as the remote advertises it; for annotated tags `commit` is the peeled commit.
struct RemoteRef {
  std::string name;    // "refs/heads/main", "refs/tags/v1.0.0", "HEAD"
  std::string target;  // what the ref points at (a tag object for annotated tags)
  std::string commit;  // the commit it ends at
};

// Every ref of the remote (one connection, nothing downloaded).
[[nodiscard]] absl::StatusOr<std::vector<RemoteRef>> ListRemoteRefs(const std::string& url,
                                                                    const AuthOptions& auth,
                                                                    Deadline deadline = {});

// GitRepository's spec.ref. Empty fields are unset; all empty means branch "master".
struct SourceReference {
  std::string branch;
  std::string tag;
  std::string semver;
  std::string name;    // a full ref name: "refs/heads/main", "refs/pull/1/head"
  std::string commit;  // a full SHA-1, alone or with `branch`
};

struct ResolvedReference {
  std::string commit;      // the commit to archive
  std::string remote_ref;  // the ref to fetch ("refs/heads/main"); empty: fetch all (a lone commit)
  // Flux's revision: "main@sha1:<hex>", "v1.0.0@sha1:<hex>", "refs/pull/1/head@sha1:<hex>" for a
  // name, "sha1:<hex>" for a commit without branch.
  std::string revision;
};

// Resolves `reference` against the remote's refs with Flux's precedence. kNotFound names the
// missing branch, tag, ref or the semver constraint nothing matched; kInvalidArgument a bad
// constraint or commit. A commit is only checked for form here (the fetch proves it exists).
[[nodiscard]] absl::StatusOr<ResolvedReference> ResolveReference(
    const SourceReference& reference, const std::vector<RemoteRef>& refs);

// Flux's revision for a ref name and a commit: "refs/heads/main" → "main@sha1:<commit>", tags
// likewise; other refs keep their full name; no ref → "sha1:<commit>".
std::string FormatRevision(const std::string& ref_name, const std::string& commit);

// A submodule's place in a tree: the commit recorded at a path (a gitlink entry).
struct Gitlink {
  std::string path;    // "vendor/lib", relative to the tree's root
  std::string commit;  // the submodule's commit (full SHA-1)
};

class Mirror {
  struct PrivateKey {};

 public:
  // For Open.
  Mirror(PrivateKey, Repository::RepositoryHandle handle, std::string url, AuthOptions auth);

  // Opens the bare clone in `directory`, creating it (and the folder) when missing; the remote
  // URL is updated when it changed. `auth` is used for every fetch.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<Mirror>> Open(const std::string& url,
                                                                    const std::string& directory,
                                                                    const AuthOptions& auth);
  ~Mirror();
  Mirror(const Mirror&) = delete;
  Mirror& operator=(const Mirror&) = delete;

  // Whether the commit's objects are in the clone already.
  bool HasCommit(const std::string& sha) const;

  // Fetches `remote_ref` (a full ref name) from the remote, only what the clone lacks; an empty
  // name fetches every branch and tag, a full SHA-1 that commit alone (which servers only allow
  // with uploadpack.allowReachableSHA1InWant or the like). Returns how many objects were
  // received.
  [[nodiscard]] absl::StatusOr<size_t> Fetch(const std::string& remote_ref, Deadline deadline = {});

  // Writes the files of `sha`'s tree into `directory` (created; must be empty or missing).
  // Submodules (gitlinks) become empty folders, as in a clone without --recurse-submodules;
  // submodules.h fills them.
  [[nodiscard]] absl::Status WriteTree(const std::string& sha, const std::string& directory) const;

  // Every gitlink of `sha`'s tree, in tree order (parents before children).
  [[nodiscard]] absl::StatusOr<std::vector<Gitlink>> ListGitlinks(const std::string& sha) const;

  // The remote URL and credentials given to Open.
  const std::string& url() const { return url_; }
  const AuthOptions& auth() const { return auth_; }

 private:
  Repository::RepositoryHandle handle_;
  std::string url_;
  AuthOptions auth_;
};

}  // namespace fluxcpp::git
