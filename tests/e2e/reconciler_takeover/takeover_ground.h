// What the takeover tests share: one test's own GitOps setup on the ground — a fresh repository, a
// namespace bootstrapped into it with `fluxcpp bootstrap git`, and a pod_runner scoped to that
// namespace that runs the real flux-reconciler for the install's Pod — plus a clone of the
// repository to push changes with, and bounded waits that explain themselves when they run out.
//
// Nothing here is shared between tests, so test cases can run in parallel with each other and with
// other suites. The cluster-scoped CRDs are shared and are never deleted.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "lib/git/repository.h"
#include "lib/kube/client.h"
#include "lib/kube/errors.h"
#include "tests/e2e/bootstrap_workflow/workflow_ground.h"
#include "tests/e2e/git/git_ground.h"
#include "tests/e2e/support/ground.h"
#include "tests/e2e/support/pod_runner.h"

namespace fluxcpp::testing {

using kube::Json;

inline const manifest::GroupVersionKind kGitRepositoryKind{"source.toolkit.fluxcd.io", "v1",
                                                           "GitRepository"};
inline const manifest::GroupVersionKind kKustomizationKind{"kustomize.toolkit.fluxcd.io", "v1",
                                                           "Kustomization"};
inline const manifest::GroupVersionKind kConfigMapKind{"", "v1", "ConfigMap"};
inline const manifest::GroupVersionKind kPodKind{"", "v1", "Pod"};
inline const manifest::GroupVersionKind kDeploymentKind{"apps", "v1", "Deployment"};
inline const manifest::GroupVersionKind kServiceKind{"", "v1", "Service"};

// The text of a file under this suite's testdata/, with every ${KEY} replaced by its value.
std::string Testdata(const std::string& name,
                     const std::map<std::string, std::string>& values = {});

class TakeoverGround {
 public:
  // Makes the repository "<prefix>-<random>" and starts a pod_runner for the namespace of the same
  // name; nothing is bootstrapped yet.
  explicit TakeoverGround(const std::string& prefix);
  ~TakeoverGround();
  TakeoverGround(const TakeoverGround&) = delete;
  TakeoverGround& operator=(const TakeoverGround&) = delete;

  const std::string& namespace_name() const { return namespace_name_; }
  kube::Client& client() { return *client_; }
  PodRunner& runner() { return runner_; }
  // The bootstrap folder in Git: "clusters/test"; the Kustomization <ns>/<ns> builds it.
  static constexpr const char* kPath = "clusters/test";

  // `fluxcpp bootstrap git` for this namespace with a GitRepository interval of `interval`, only
  // this namespace watched, and `extra_flags` (e.g. "--log-level debug"). Fails the test when it
  // fails; then clones the repository for Push.
  CommandRun Bootstrap(const std::string& interval = "2s", const std::string& extra_flags = "");

  // Changes to the clone; Push commits them all and pushes, returning Flux's revision
  // ("main@sha1:<sha>") of the new head.
  void WriteFile(const std::string& path, const std::string& content);
  void RemoveFile(const std::string& path);
  // A file of the clone as it is now (after Bootstrap).
  std::string ReadFile(const std::string& path);
  std::string Push(const std::string& message);
  // The revision of the branch's head on the server.
  std::string RemoteRevision();

  // The object, or nullopt when it does not exist; fails the test on other errors.
  std::optional<Json> Get(const manifest::GroupVersionKind& kind, const std::string& name,
                          const std::string& namespace_name = "");
  // Condition `type` of the object's status, or an empty object.
  static Json Condition(const Json& object, const std::string& type);
  // Whether the Kustomization `name` is Ready=True with lastAppliedRevision `revision`.
  bool KustomizationReadyAt(const std::string& name, const std::string& revision);

  // Annotates the object with reconcile.fluxcd.io/requestedAt = a fresh token and returns it.
  std::string RequestReconcile(const manifest::GroupVersionKind& kind, const std::string& name);

  // The reconciler's Pod that runs and is not being deleted, if there is exactly one.
  std::optional<Json> ReconcilerPod();
  // The pid of the reconciler process the pod_runner keeps for `pod`, or -1.
  int ReconcilerPid(const Json& pod);

  // Polls `condition` every 100 ms; fails the test naming `what`, with the logs, after `timeout`.
  void WaitUntil(const std::string& what, const std::function<bool()>& condition,
                 std::chrono::seconds timeout = std::chrono::seconds(60));

  // The pod_runner's log and the tails of the reconciler processes' logs, for failure messages.
  std::string Diagnostics();

 private:
  std::unique_ptr<kube::Client> client_;
  GroundRepository repository_;
  std::string namespace_name_;
  ScratchDirectory clone_directory_;
  std::unique_ptr<git::Repository> clone_;
  // Declared before the runner so that it runs after the runner stopped: a reconciler that still
  // runs would prune the install (CRDs included) when the uninstall deletes its Kustomization.
  InstallCleanup cleanup_;
  PodRunner runner_;
};

}  // namespace fluxcpp::testing

namespace fluxcpp::testing {

// Writes the app overlay into the clone: apps/kustomization.yaml listing `resources` (from
// deployment.yaml, service.yaml, configmap.yaml and any other file written by the test), the
// ConfigMap web-config with data.greeting = `greeting`, and the Kustomization `apps` (interval
// `interval`) under the bootstrap folder, where the flux-system Kustomization picks it up.
void WriteApps(TakeoverGround& ground, const std::vector<std::string>& resources,
               const std::string& greeting, const std::string& interval = "3s");

// The entries of status.inventory (ids "<ns>_<name>_<group>_<kind>") of a Kustomization.
std::set<std::string> InventoryIds(const Json& kustomization);

}  // namespace fluxcpp::testing

namespace fluxcpp::testing {

// Writes the Kustomization `bulk` (path ./bulk, prune) under the bootstrap folder and ./bulk with
// one ConfigMap per name, each in its own file.
void WriteBulk(TakeoverGround& ground, const std::vector<std::string>& names);

// Names "<prefix>-000", "<prefix>-001", ... (`count` of them).
std::vector<std::string> NumberedNames(const std::string& prefix, int count);

// The ConfigMaps of the namespace that the Kustomization `bulk` owns, by name; true in the value
// when it is being deleted.
std::map<std::string, bool> BulkConfigMaps(TakeoverGround& ground);

}  // namespace fluxcpp::testing
