// Kustomization (kustomize.toolkit.fluxcd.io/v1) as Flux's kustomize-controller reconciles it:
// wait for dependencies, take the source's artifact, build the path with the kustomize engine,
// substitute variables, server-side apply as `kustomize-controller` with Flux's owner labels,
// prune what left the inventory, check health, and write Flux's status.
//
// Thread-safety: Reconcile runs concurrently for different objects.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "lib/kube/client.h"
#include "lib/kube/config.h"
#include "reconciler/artifact/storage.h"
#include "reconciler/runtime/controller.h"

namespace fluxcpp::reconciler::kustomization {

inline const GroupVersionKind kKustomizationKind{"kustomize.toolkit.fluxcd.io", "v1",
                                                 "Kustomization"};

struct KustomizationReconcilerOptions {
  // How the reconciler itself reaches the cluster; impersonation (spec.serviceAccountName) is
  // derived from it.
  kube::ClusterConfig cluster_config;
  // Where artifacts are unpacked (one folder per digest, shared by Kustomizations of one source).
  std::string workspace_root = "/tmp/kustomization";
  int apply_concurrency = 4;
  std::chrono::seconds requeue_dependency{30};
  // Field manager of applies; status writes use "gotk-" + this.
  std::string field_manager = "kustomize-controller";
  // An age key file (AGE-SECRET-KEY-1… lines) every Kustomization with spec.decryption may use
  // besides its own secretRef keys (flux-reconciler --sops-age-key-file, or SOPS_AGE_KEY_FILE).
  std::string sops_age_key_file;
};

class KustomizationReconciler : public Reconciler {
 public:
  // Artifacts found in `local_storage` (the same process's source reconciler) are read from disk;
  // others are downloaded from their URL.
  KustomizationReconciler(kube::Client& client, const artifact::Storage& local_storage,
                          KustomizationReconcilerOptions options);
  ~KustomizationReconciler() override;
  Outcome Reconcile(const ObjectKey& key, const ReconcileContext& context) override;

  // Takes the folder a source in the same process archived `artifact` from as its unpacked tree
  // (Workspace::Adopt), so Kustomizations of the new revision read it without unpacking.
  void AdoptSourceTree(const artifact::Artifact& artifact, const std::string& tree);

  // The Kustomizations among `kustomizations` whose sourceRef names this source and that have not
  // attempted its artifact's revision yet (for Controller::WatchRelated), and those that depend on
  // `dependency` (a Kustomization that became Ready).
  static std::vector<ObjectKey> UsersOfSource(const std::vector<manifest::Object>& kustomizations,
                                              const manifest::Object& source);
  static std::vector<ObjectKey> Dependents(const std::vector<manifest::Object>& kustomizations,
                                           const manifest::Object& dependency);
  // The same over an informer's cache, without copying it (it runs for every source event;
  // dependents are looked up in a DependencyIndex instead).
  static std::vector<ObjectKey> UsersOfSource(const ObjectCache& kustomizations,
                                              const manifest::Object& source);

 private:
  struct State;
  kube::Client& client_;
  const artifact::Storage& local_storage_;
  KustomizationReconcilerOptions options_;
  std::unique_ptr<State> state_;
};

}  // namespace fluxcpp::reconciler::kustomization
