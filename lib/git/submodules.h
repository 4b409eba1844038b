// Submodules, as `git clone --recurse-submodules` checks them out: each gitlink of a tree is
// matched to its `.gitmodules` entry by path, the submodule's repository is fetched into a bare
// clone of its own (cached by URL, so later revisions fetch incrementally) and the tree of the
// recorded commit is written at the gitlink's path, recursively.
//
// Credentials: a submodule on the same origin (scheme, host and port) as the top-level repository
// gets the repository's credentials, as Flux does. Flux (go-git) sends them to every submodule
// host; here secrets that the server would see (HTTP password, bearer token, TLS client
// certificate) stay with their origin, because a `.gitmodules` URL is chosen by whoever can push
// to the repository and must not be a way to collect the reconciler's credentials. The SSH key
// (public-key authentication proves possession without revealing it, and only to hosts that
// known_hosts trusts), known_hosts, the CA and the plain-HTTP permission apply everywhere.
//
// Only network URLs (ssh://, scp-like, https://, http://) are fetched: a local path or file://
// would let a repository read other clones on the reconciler's disk (git refuses them in
// recursive clones too).
//
// Errors name the submodule's path and redacted URL and keep the codes of mirror.h.
// Thread-safety: the functions are thread-safe; calls must not share a cache folder.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/git/auth.h"
#include "lib/git/mirror.h"

namespace fluxcpp::git {

// The URL a `.gitmodules` url stands for. Absolute URLs are returned as they are; "./x" and
// "../x" are resolved against the parent repository's URL as git does: the parent's URL is the
// folder for "./", and each "../" removes one path component of it ("../lib.git" next to
// "https://host/org/app.git" is "https://host/org/lib.git"; next to "git@host:org/app.git",
// "git@host:org/lib.git"). kInvalidArgument for a relative URL that climbs above the host or
// names nothing.
[[nodiscard]] absl::StatusOr<std::string> ResolveSubmoduleUrl(absl::string_view parent_url,
                                                              absl::string_view submodule_url);

// The credentials used for `submodule_url` given those of the top-level repository at
// `top_url` (see the header comment).
AuthOptions SubmoduleAuth(absl::string_view top_url, const AuthOptions& top_auth,
                          absl::string_view submodule_url);

// Go-git's default recursion depth, which Flux uses.
inline constexpr int kDefaultSubmoduleDepth = 10;

struct SubmoduleOptions {
  // Where the submodules' bare clones live, one folder per URL; created when missing. Required.
  std::string cache_directory;
  // How deep submodules may nest (1: only the top-level repository's own); deeper ones are an
  // error.
  int max_depth = kDefaultSubmoduleDepth;
  Deadline deadline;
};

// One submodule written by WriteTreeWithSubmodules.
struct WrittenSubmodule {
  std::string path;    // from the root of the written tree: "vendor/lib", "vendor/lib/deps/x"
  std::string url;     // resolved and redacted
  std::string commit;  // the commit written
  size_t received_objects = 0;  // 0 when the cached clone had the commit already
};

// Writes `commit`'s tree from `mirror` into `directory` (as Mirror::WriteTree) and then every
// submodule's tree at its path, recursively, fetching what the cached clones lack: every branch
// and tag first (as git does), then the commit itself when no ref contains it. Returns the
// submodules written, parents before children.
[[nodiscard]] absl::StatusOr<std::vector<WrittenSubmodule>> WriteTreeWithSubmodules(
    const Mirror& mirror, const std::string& commit, const std::string& directory,
    const SubmoduleOptions& options);

}  // namespace fluxcpp::git
