// The bootstrap workflow, what `flux bootstrap git` does: commit the install and sync manifests to
// the cluster's Git repository, apply them to the cluster, and wait until the reconciler has taken
// over at the pushed commit. Also its reverse (Uninstall) and a health check of an install (Check).
//
// Every function checks what can fail cheaply before it changes anything: the options, the cluster,
// and the Git credentials including push access, so a read-only deploy key or a wrong host key
// fails in seconds and leaves Git and the cluster as they were.
//
// Thread-safety: the functions may run concurrently with different options; each uses the Client
// (which is thread-safe) and a scratch clone of its own. The progress callback is called from the
// calling thread only.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "bootstrap/manifests.h"
#include "lib/git/auth.h"
#include "lib/git/repository.h"
#include "lib/kube/apply.h"
#include "lib/kube/client.h"

namespace fluxcpp::bootstrap {

// Receives one line per step ("pushed main@sha1:1a2b3c4d5e6f to ssh://git@host/fleet.git"). Never
// given a secret.
using Progress = std::function<void(std::string_view line)>;

// Where the bootstrap files go and who writes them.
struct GitOptions {
  // Pushing, and the Secret the reconciler fetches with: an SSH key with known_hosts for ssh://,
  // username/password (and CA) for https://; none for a public http(s) repository, which then gets
  // no Secret and no secretRef. The host key is never scanned live: known_hosts is required.
  git::AuthOptions auth;
  // The public half of the SSH key, stored as `identity.pub` beside it; optional.
  std::string ssh_public_key;
  std::string author_name = "Flux";
  std::string author_email = "flux@localhost";
  // Signs the commits (flux bootstrap's --gpg-key-ring/--gpg-passphrase/--gpg-key-id); checked,
  // passphrase included, before Git or the cluster change.
  git::SigningOptions signing;
  // Appended to every commit message after a blank line; empty for none.
  std::string commit_message_appendix;
  // Pushes attempted when others push to the branch at the same time.
  int push_attempts = 5;
};

struct BootstrapOptions {
  InstallOptions install;
  // sync.namespace_name must equal install.namespace_name; sync.branch is the branch written to.
  SyncOptions sync;
  GitOptions git;
  // Create or update the Secret `sync.secret_name` from git.auth (Flux's disable_secret_creation
  // is the opposite).
  bool create_secret = true;
  // Bounds the whole run; a wait that runs out names what is not ready and why.
  std::chrono::seconds timeout{300};
  // How often the waits look at the cluster.
  std::chrono::milliseconds poll_interval{1000};
  // When set, the run ends with a Cancelled error at its next wait step after this turns true
  // (the provider's StopProvider).
  const std::atomic<bool>* cancel = nullptr;
};

struct BootstrapResult {
  // The commit the branch points at after the run, and Flux's revision of it ("main@sha1:<sha>").
  std::string commit;
  std::string revision;
  // Whether this run made (and pushed) a commit; false when the files were already in Git.
  bool committed = false;
  // The bootstrap files, path in the repository → content.
  std::map<std::string, std::string> repository_files;
  // What happened to each object in the cluster: the install set, the Secret, the sync set.
  kube::ChangeSet install_changes;
  kube::ChangeSet secret_changes;
  kube::ChangeSet sync_changes;

  // Whether the run changed nothing in Git or in the cluster.
  bool Unchanged() const;
};

// Runs the bootstrap: validates, checks the cluster and push access, clones `sync.branch` (or
// starts it), writes `<path>/<namespace>/{gotk-components,gotk-sync,kustomization}.yaml`, commits
// and pushes when they changed, applies the install set and waits for the CRDs to be Established
// and the reconciler to be Available, creates or updates the Secret (so rotated credentials reach
// the cluster), applies the sync set, and waits until the Kustomization `<ns>/<ns>` is Ready with
// `status.lastAppliedRevision` at the pushed commit. Running it again with the same options
// changes nothing.
[[nodiscard]] absl::StatusOr<BootstrapResult> BootstrapGit(const BootstrapOptions& options,
                                                           kube::Client& client,
                                                           const Progress& progress = {});

// Checks that the Git server of `url` answers within `timeout`: it accepts a TCP connection and,
// for ssh://, sends its SSH banner. libgit2 (1.5) has no connect or read timeout of its own, so a
// black-holed or silent server would otherwise block a Git call for the kernel's connect timeout
// (minutes) or for ever. A URL it cannot take apart passes (libgit2 reports it). Errors name host
// and port, never credentials. BootstrapGit and Uninstall call it before any Git operation.
[[nodiscard]] absl::Status CheckReachable(const std::string& url, std::chrono::seconds timeout);

struct UninstallOptions {
  std::string namespace_name = "flux-system";
  // The Secret with the Git credentials; deleted when it carries the install's labels.
  std::string secret_name = "flux-system";
  bool keep_namespace = false;
  // The CRDs are shared by every install in the cluster: they are deleted (with every GitRepository
  // and Kustomization in the cluster) only when no other install remains, unless this is false.
  bool delete_crds = true;
  // Remove the bootstrap files from Git (commit "Uninstall Flux"). Needs `sync` (url, branch, path)
  // and `git`; the push access is checked before the cluster is touched.
  bool delete_git_manifests = false;
  SyncOptions sync;
  GitOptions git;
  std::chrono::seconds timeout{120};
  std::chrono::milliseconds poll_interval{500};
  // As BootstrapOptions::cancel.
  const std::atomic<bool>* cancel = nullptr;
};

struct UninstallResult {
  kube::ChangeSet changes;
  bool crds_deleted = false;
  bool git_committed = false;
  std::string commit;  // the branch head after removing the files, when they were removed
};

// Removes an install: the reconciler's objects, the finalizers of our GitRepositories and
// Kustomizations (no reconciler is left to remove them), the CRDs (see delete_crds), the namespace
// unless kept (waiting until it is gone), and optionally the files in Git. Parts already gone
// count as removed, so it also cleans up after a partial bootstrap and can be run again.
[[nodiscard]] absl::StatusOr<UninstallResult> Uninstall(const UninstallOptions& options,
                                                        kube::Client& client,
                                                        const Progress& progress = {});

struct CheckOptions {
  std::string namespace_name = "flux-system";
};

struct CheckResult {
  // One line per check, "✔ ..." or "✗ ...".
  std::vector<std::string> lines;
  bool ok = true;
};

// Checks an install: the cluster answers, the CRDs are present and Established, the reconciler
// Deployment is Available. A failed check is part of the result; the status is an error only
// when the checks could not run (the cluster did not answer).
[[nodiscard]] absl::StatusOr<CheckResult> Check(const CheckOptions& options, kube::Client& client);

}  // namespace fluxcpp::bootstrap
