// Pieces the bootstrap, uninstall and check workflows share: the kinds they handle, a deadline,
// a scratch folder for clones, progress output and the Git steps. Private to bootstrap/.
//
// Values and functions here are used by one thread at a time.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "bootstrap/bootstrap.h"
#include "lib/git/repository.h"
#include "lib/manifest/object.h"

namespace fluxcpp::bootstrap {

inline const manifest::GroupVersionKind kCrdKind{"apiextensions.k8s.io", "v1",
                                                 "CustomResourceDefinition"};
inline const manifest::GroupVersionKind kGitRepositoryKind{"source.toolkit.fluxcd.io", "v1",
                                                           "GitRepository"};
inline const manifest::GroupVersionKind kKustomizationKind{"kustomize.toolkit.fluxcd.io", "v1",
                                                           "Kustomization"};
inline const manifest::GroupVersionKind kNamespaceKind{"", "v1", "Namespace"};
inline const manifest::GroupVersionKind kSecretKind{"", "v1", "Secret"};
inline const manifest::GroupVersionKind kDeploymentKind{"apps", "v1", "Deployment"};

inline constexpr char kFieldManager[] = "fluxcpp";
inline constexpr char kReconcilerDeployment[] = "flux-reconciler";
// The names of the CRDs the install set carries.
inline constexpr const char* kCrdNames[] = {"gitrepositories.source.toolkit.fluxcd.io",
                                            "kustomizations.kustomize.toolkit.fluxcd.io"};

// A point in time the workflow must finish by, and an optional flag that cancels it sooner.
class Deadline {
 public:
  explicit Deadline(std::chrono::seconds budget, const std::atomic<bool>* cancel = nullptr)
      : budget_(budget), end_(std::chrono::steady_clock::now() + budget), cancel_(cancel) {}
  // What is left, at least one second so that a last look is always possible.
  std::chrono::seconds Remaining() const;
  bool Expired() const { return std::chrono::steady_clock::now() >= end_; }
  bool Cancelled() const { return cancel_ != nullptr && cancel_->load(); }
  const std::atomic<bool>* cancel() const { return cancel_; }
  std::chrono::seconds budget() const { return budget_; }
  // Waits `interval` between two looks at the cluster, or less when cancelled meanwhile.
  void Pause(std::chrono::milliseconds interval) const;

 private:
  std::chrono::seconds budget_;
  std::chrono::steady_clock::time_point end_;
  const std::atomic<bool>* cancel_;
};

// A folder under $TMPDIR (or /tmp) for one clone, removed with everything in it when destroyed.
class ScratchFolder {
  struct PrivateKey {};

 public:
  ScratchFolder(PrivateKey, std::string path) : path_(std::move(path)) {}
  static absl::StatusOr<std::unique_ptr<ScratchFolder>> Create();
  ~ScratchFolder();
  ScratchFolder(const ScratchFolder&) = delete;
  ScratchFolder& operator=(const ScratchFolder&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Calls `progress` when it is set.
void Say(const Progress& progress, std::string_view line);

// Checks that the API server answers; the error names the server and says what to check.
absl::Status CheckCluster(kube::Client& client, const Progress& progress);

// Checks that the server answers within `connect_timeout` (CheckReachable) and that `git.auth` may
// read and push `url` (see git::CheckPushAccess), with progress lines.
absl::Status CheckGitAccess(const std::string& url, const GitOptions& git, const Progress& progress,
                            std::chrono::seconds connect_timeout = std::chrono::seconds(30));

// The bootstrap files' folder in the repository: "<path>/<namespace>" or "<namespace>".
std::string BootstrapFolder(const SyncOptions& sync);

// `message`, with the appendix after a blank line when there is one.
std::string CommitMessage(absl::string_view message, const GitOptions& git);

// "main@sha1:<sha>", Flux's spelling of a branch head.
std::string BranchRevision(const std::string& branch, const std::string& sha);

// The first 12 characters of a commit id, for progress lines.
std::string ShortSha(const std::string& sha);

}  // namespace fluxcpp::bootstrap
