// Owning handles for libgit2 objects and the translation of libgit2 errors into absl::Status.
// Private to lib/git. libgit2 is initialised once per process (EnsureLibgit2); its error state is
// per thread, so these helpers are thread-safe.
#pragma once

#include <git2.h>

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace fluxcpp::git {

// Initialises libgit2 once. The user's and the machine's Git configuration (~/.gitconfig,
// /etc/gitconfig) is kept out: what this library does must not depend on who runs it.
void EnsureLibgit2();

template <auto Free>
struct GitFree {
  template <typename T>
  void operator()(T* object) const {
    Free(object);
  }
};

using RemoteHandle = std::unique_ptr<git_remote, GitFree<git_remote_free>>;
using ReferenceHandle = std::unique_ptr<git_reference, GitFree<git_reference_free>>;
using CommitHandle = std::unique_ptr<git_commit, GitFree<git_commit_free>>;
using TreeHandle = std::unique_ptr<git_tree, GitFree<git_tree_free>>;
using IndexHandle = std::unique_ptr<git_index, GitFree<git_index_free>>;
using SignatureHandle = std::unique_ptr<git_signature, GitFree<git_signature_free>>;
using RevwalkHandle = std::unique_ptr<git_revwalk, GitFree<git_revwalk_free>>;
using ObjectHandle = std::unique_ptr<git_object, GitFree<git_object_free>>;
using ConfigHandle = std::unique_ptr<git_config, GitFree<git_config_free>>;

// The status code that fits a libgit2 error code (and the class of the thread's last error).
absl::StatusCode StatusCodeOf(int error);

// libgit2's message for the thread's last error, or a generic one naming `error`.
std::string LastErrorMessage(int error);

// "<context>: <libgit2's message>" with the code from StatusCodeOf, for operations that do not
// talk to a remote (those go through RemoteSession::Error, which also hides secrets).
absl::Status LocalError(int error, absl::string_view context);

std::string OidToString(const git_oid& oid);

}  // namespace fluxcpp::git
