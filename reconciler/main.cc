// flux-reconciler: Flux's source-controller and kustomize-controller in one process. It serves
// GitRepository artifacts from its own storage and applies Kustomizations from them, so a
// repository written for Flux works unchanged.
#include <malloc.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "lib/kube/client.h"
#include "reconciler/artifact/server.h"
#include "reconciler/artifact/storage.h"
#include "reconciler/kustomization/dependencies.h"
#include "reconciler/kustomization/kustomization_reconciler.h"
#include "reconciler/runtime/flags.h"
#include "reconciler/runtime/log.h"
#include "reconciler/runtime/manager.h"
#include "reconciler/runtime/status.h"
#include "reconciler/source/git_repository_reconciler.h"

namespace fluxcpp::reconciler {
namespace {

// The Service that publishes artifacts, as status.artifact.url names it.
std::string ArtifactBaseUrl(const ReconcilerFlags& flags) {
  std::string host = flags.storage_adv_addr;
  if (host.empty()) {
    host = absl::StrCat("flux-reconciler.", flags.runtime_namespace, ".svc.", flags.cluster_domain,
                        ".");
  }
  return absl::StrCat("http://", host);
}

// $TMPDIR, else /tmp (an emptyDir in the reconciler's Deployment).
std::string ScratchDirectory() {
  const char* tmpdir = std::getenv("TMPDIR");
  return tmpdir != nullptr && *tmpdir != '\0' ? tmpdir : "/tmp";
}

bool IsReady(const manifest::Object& object) {
  const Json& status = object.json().value("status", Json::object());
  if (!status.is_object() || !status.contains("conditions")) return false;
  const Json* ready = FindCondition(status["conditions"], kReadyCondition);
  return ready != nullptr && ready->value("status", "") == "True";
}

// Wakes the Kustomizations that use a source whenever the source changes, and those that depend
// on a Kustomization whenever it is Ready, instead of waiting for their next interval.
void WireRelatedObjects(Controller& kustomizations, kustomization::DependencyIndex& dependencies) {
  kustomizations.WatchRelated(source::kGitRepositoryKind, [&](const kube::WatchEvent& event) {
    return kustomization::KustomizationReconciler::UsersOfSource(kustomizations.cache(),
                                                                 event.object);
  });
  kustomizations.WatchRelated(
      kustomization::kKustomizationKind, [&dependencies](const kube::WatchEvent& event) {
        dependencies.Observe(event);
        // Only a Ready Kustomization unblocks its dependents.
        if (event.type == kube::WatchEventType::kDeleted || !IsReady(event.object)) {
          return std::vector<ObjectKey>{};
        }
        return dependencies.DependentsOf({event.object.Namespace(), event.object.Name()});
      });
}

// Hands memory freed after a burst of reconciles back to the system every `period` until `stop`:
// glibc returns only the top of a heap by itself, so an idle reconciler would otherwise keep its
// peak. A pass over a few MiB of heap takes well under a millisecond.
class MemoryTrimmer {
 public:
  MemoryTrimmer(const std::atomic<bool>& stop, std::chrono::seconds period)
      : thread_([&stop, period] {
          auto next = std::chrono::steady_clock::now() + period;
          while (!stop.load()) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            if (std::chrono::steady_clock::now() < next) continue;
            malloc_trim(0);
            next = std::chrono::steady_clock::now() + period;
          }
        }) {}
  ~MemoryTrimmer() { thread_.join(); }
  MemoryTrimmer(const MemoryTrimmer&) = delete;
  MemoryTrimmer& operator=(const MemoryTrimmer&) = delete;

 private:
  std::thread thread_;
};

int Run(int argc, char** argv) {
  // glibc gives each thread that allocates concurrently an arena of its own (up to 8 per core)
  // and keeps what is freed in it; reconcile workers and their short-lived apply threads would
  // each pin one. Two arenas keep the peak and idle memory small at no measurable cost in time.
  mallopt(M_ARENA_MAX, 2);
  absl::StatusOr<ReconcilerFlags> flags = ParseFlags(argc, argv);
  if (!flags.ok()) {
    std::cerr << "flux-reconciler: " << flags.status().message() << "\n";
    return 2;
  }
  if (flags->help) {
    std::cout << *flags->help;
    return 0;
  }
  SetLogLevel(flags->log_level);
  std::atomic<bool> stop{false};
  SignalStop signals(stop);  // first, so every thread started later leaves the signals to it

  absl::StatusOr<kube::ClusterConfig> cluster = ClusterConfigFromFlags(*flags);
  if (!cluster.ok()) {
    LogError("no cluster to talk to", {{"error", std::string(cluster.status().message())}});
    return 1;
  }
  auto client = kube::Client::Create(*cluster);
  if (!client.ok()) {
    LogError("cannot create the Kubernetes client",
             {{"error", std::string(client.status().message())}});
    return 1;
  }

  artifact::Storage storage(flags->storage_path, ArtifactBaseUrl(*flags));
  artifact::ArtifactServer artifact_server(flags->storage_path, flags->storage_addr);
  if (absl::Status started = artifact_server.Start(); !started.ok()) {
    LogError("cannot serve artifacts", {{"error", std::string(started.message())}});
    return 1;
  }

  // Clones and unpacked trees stay off the storage volume, which is served over HTTP as a whole.
  const std::string scratch = ScratchDirectory();
  kustomization::KustomizationReconciler kustomizations(
      **client, storage,
      {.cluster_config = *cluster,
       .workspace_root = absl::StrCat(scratch, "/kustomization"),
       .requeue_dependency =
           std::chrono::duration_cast<std::chrono::seconds>(flags->requeue_dependency),
       .sops_age_key_file = flags->sops_age_key_file});
  source::GitRepositoryReconciler git_repositories(
      **client, storage,
      {.clone_root = absl::StrCat(scratch, "/gitrepository"),
       .archived_tree = [&kustomizations](const artifact::Artifact& artifact,
                                          const std::string& tree) {
         kustomizations.AdoptSourceTree(artifact, tree);
       }});

  Manager manager(**client, ManagerOptionsFromFlags(*flags));
  manager.AddController(git_repositories,
                        {.name = "gitrepository", .kind = source::kGitRepositoryKind});
  Controller& kustomization_controller = manager.AddController(
      kustomizations, {.name = "kustomization", .kind = kustomization::kKustomizationKind});
  kustomization::DependencyIndex dependencies;
  WireRelatedObjects(kustomization_controller, dependencies);

  absl::Status result;
  {
    MemoryTrimmer trimmer(stop, std::chrono::seconds(10));
    result = manager.Run(stop);
    stop.store(true);  // Run also returns on a failure; the trimmer ends with it
  }
  artifact_server.Stop();
  if (!result.ok()) {
    LogError("stopped", {{"error", std::string(result.message())}});
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace fluxcpp::reconciler

int main(int argc, char** argv) { return fluxcpp::reconciler::Run(argc, argv); }
