// A local clone of one branch of a remote Git repository, as the bootstrap and the reconciler use
// it: clone (or start an empty repository / a new branch), read and write files in the work tree,
// commit everything, push — re-applying our commits on top of a concurrent writer's — and fetch
// incrementally. LsRemote asks a remote for a ref's head without cloning.
//
// Errors carry libgit2's message and the remote URL without credentials, e.g.
// "push ssh://git@host:22/fleet.git: cannot push non-fastforwardable reference". Codes:
// kUnauthenticated (rejected credentials or client certificate, untrusted host key or certificate),
// kPermissionDenied (HTTP 403), kNotFound (also HTTP 404), kAborted (a concurrent writer won every
// retry, or our changes conflict with theirs), kInvalidArgument (bad URL, path or options),
// kDeadlineExceeded (a deadline passed, see mirror.h), kUnavailable (network), kInternal otherwise.
// http(s) remotes are reached through libcurl (lib/git/http_transport.h).
//
// Thread-safety: a Repository is used by one thread at a time; different Repositories (and LsRemote
// calls) may run concurrently.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/git/auth.h"

struct git_repository;
struct git_signature;
struct git_tree;
struct git_commit;

namespace fluxcpp::openpgp {
class Context;
}  // namespace fluxcpp::openpgp

namespace fluxcpp::git {

struct CloneOptions {
  std::string branch = "main";
  AuthOptions auth;
};

// OpenPGP signing of commits, as `flux bootstrap git --gpg-key-ring/--gpg-passphrase/--gpg-key-id`
// and the Go provider's git.gpg_* take it. The signature is the commit's "gpgsig" header, so
// `git verify-commit` checks it.
struct SigningOptions {
  std::string armored_key_ring;  // empty: commits are not signed
  std::string passphrase;        // for a protected secret key
  std::string key_id;            // 16 hex digits (optionally 0x...); empty: the first signing key

  bool enabled() const { return !armored_key_ring.empty(); }
};

struct CommitOptions {
  std::string author_name;
  std::string author_email;
  std::string message;
  // When the tree equals the parent's, no commit is made unless this is set.
  bool allow_empty = false;
  // Signs the commit. The key ring, the key id and the key's validity are checked before anything
  // is written and a failed signature (e.g. a wrong passphrase) leaves the branch where it was.
  // The Repository keeps these options for the commits Push re-applies on a newer remote head.
  SigningOptions signing;
};

struct CommitResult {
  std::string sha;  // the new commit, or the unchanged head when nothing was committed
  bool created = false;
};

struct PushOptions {
  // Pushes attempted in all. After a rejection because the branch moved, the branch is fetched and
  // our unpushed commits are re-applied on its new head before the next attempt.
  int max_attempts = 3;
};

struct PushResult {
  std::string sha;    // the head the remote branch now points at
  int reapplied = 0;  // how many times our commits were re-applied on a newer remote head
};

class Repository {
  struct PrivateKey {};

 public:
  struct GitRepositoryDeleter {
    void operator()(git_repository* repository) const;
  };
  using RepositoryHandle = std::unique_ptr<git_repository, GitRepositoryDeleter>;

  // For the factory functions below (Clone, Open).
  Repository(PrivateKey, RepositoryHandle handle, std::string url, std::string branch,
             std::string directory, AuthOptions auth);
  ~Repository();
  Repository(const Repository&) = delete;
  Repository& operator=(const Repository&) = delete;

  // Clones `options.branch` of `url` into `directory` (created if missing; it must be empty). When
  // the remote is empty or lacks the branch, the result is an empty repository whose HEAD is that
  // branch: the first commit starts it and Push creates it on the remote.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<Repository>> Clone(
      const std::string& url, const std::string& directory, const CloneOptions& options = {});

  // Opens a clone made by Clone in `directory`; `auth` is used for later fetches and pushes.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<Repository>> Open(
      const std::string& directory, const AuthOptions& auth = {});

  const std::string& url() const { return url_; }
  const std::string& branch() const { return branch_; }
  const std::string& directory() const { return directory_; }

  // The commit HEAD points at, or empty while the branch has no commit yet.
  [[nodiscard]] absl::StatusOr<std::string> Head() const;

  // Files of the work tree, by path relative to its root ("clusters/prod/sync.yaml"). Paths must
  // stay inside the work tree and outside .git. WriteFile creates missing folders.
  [[nodiscard]] absl::StatusOr<std::string> ReadFile(const std::string& path) const;
  [[nodiscard]] absl::Status WriteFile(const std::string& path, absl::string_view content);
  // Removing a missing file is not an error.
  [[nodiscard]] absl::Status RemoveFile(const std::string& path);

  // Stages every change of the work tree (new, modified and deleted files, .gitignore honoured) and
  // commits it on the branch with the given author (also the committer), signed when
  // options.signing is enabled. Signing errors name the problem (wrong passphrase, no secret key,
  // key id not in the ring, expired key) and never hold key material or the passphrase.
  [[nodiscard]] absl::StatusOr<CommitResult> Commit(const CommitOptions& options);

  // Pushes the branch. See PushOptions for what happens when someone else pushed meanwhile; a
  // conflict between their changes and ours is kAborted, naming the commit and the paths.
  // Re-applied commits are signed with the signing options of this Repository's last Commit.
  [[nodiscard]] absl::StatusOr<PushResult> Push(const PushOptions& options = {});

  // Fetches the branch from the remote (only what is new) and returns its head there, which becomes
  // refs/remotes/origin/<branch>. The work tree and the local branch are left alone.
  // kNotFound when the remote has no such branch.
  [[nodiscard]] absl::StatusOr<std::string> Fetch();

  // Whether `commit` is `ancestor` or a descendant of it, e.g. a later head of the branch that
  // another writer pushed on top of our commit. A `commit` not known locally is fetched first (the
  // branch only); one that is still unknown then is not a descendant.
  [[nodiscard]] absl::StatusOr<bool> Contains(const std::string& commit,
                                              const std::string& ancestor);

  // Points the branch, index and work tree at `sha` (a fetched commit), discarding local changes.
  [[nodiscard]] absl::Status ResetHard(const std::string& sha);

 private:
  // Fetches the branch into refs/remotes/origin/<branch>; nullopt when the remote lacks it.
  absl::StatusOr<std::optional<std::string>> FetchBranch();
  // Replays the commits of HEAD that `upstream` lacks on top of it, then moves the branch and the
  // work tree there.
  absl::Status ReapplyOn(const std::string& upstream);
  absl::Status PushOnce(bool* rejected_as_stale);
  // Writes a commit object, signed by `signer` unless it is null, without moving any reference.
  absl::StatusOr<std::string> CreateCommitObject(
      openpgp::Context* signer, const git_signature* author, const git_signature* committer,
      const char* message_encoding, const char* message, const git_tree* tree, size_t parent_count,
      const git_commit* parents[], const std::string& operation);

  RepositoryHandle handle_;
  std::string url_;
  std::string branch_;
  std::string directory_;
  AuthOptions auth_;
  SigningOptions signing_;  // of the last Commit
};

// The commit a remote ref points at, asked of the remote without cloning ("main" means
// refs/heads/main; full names such as "refs/tags/v1" or "HEAD" are taken as they are).
// nullopt when the remote has no such ref.
[[nodiscard]] absl::StatusOr<std::optional<std::string>> LsRemote(const std::string& url,
                                                                  const std::string& ref,
                                                                  const AuthOptions& auth = {});

// Checks a commit signing key before anything is written: the key ring, the key id, the key's
// validity and — by signing a probe — the passphrase. Returns the signing key's id (16 hex
// digits). Errors are those Commit would give.
[[nodiscard]] absl::StatusOr<std::string> CheckSigningKey(const SigningOptions& signing);

// Whether `auth` may push to `url`, asked before anything is pushed: connects to the remote for
// reading (host key, credentials, network) and then to its receive-pack service, the first step of
// every push, without sending anything. Servers refuse the second connection to a read-only deploy
// key, to a user without write permission, or when pushes over HTTP are disabled; that is
// kPermissionDenied naming the URL. Other failures keep the codes listed above.
[[nodiscard]] absl::Status CheckPushAccess(const std::string& url, const AuthOptions& auth = {});

}  // namespace fluxcpp::git
