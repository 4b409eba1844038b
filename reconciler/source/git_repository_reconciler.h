// GitRepository (source.toolkit.fluxcd.io/v1) as Flux's source-controller reconciles it: ask the
// remote for the ref's head, fetch only what is new into a clone kept per object, archive the tree
// at that revision (ignore rules applied) as the object's artifact, and write Flux's status.
//
// Thread-safety: Reconcile runs concurrently for different objects.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "lib/kube/client.h"
#include "reconciler/artifact/storage.h"
#include "reconciler/runtime/controller.h"

namespace fluxcpp::reconciler::source {

inline const GroupVersionKind kGitRepositoryKind{"source.toolkit.fluxcd.io", "v1", "GitRepository"};

struct GitRepositoryReconcilerOptions {
  // Where the per-object clones live (below the reconciler's writable volume).
  std::string clone_root = "/tmp/gitrepository";
  // Field manager of status and finalizer writes (source-controller writes as its own name).
  std::string field_manager = "source-controller";
  // Called with each new artifact and the folder it was archived from, pruned to what the archive
  // holds, before that folder is removed; it may move the folder away (the Kustomization
  // reconciler's workspace takes it as the unpacked tree). Not called for trees with symlinks.
  std::function<void(const artifact::Artifact&, const std::string& tree)> archived_tree;
};

class GitRepositoryReconciler : public Reconciler {
 public:
  GitRepositoryReconciler(kube::Client& client, const artifact::Storage& storage,
                          GitRepositoryReconcilerOptions options = {});
  Outcome Reconcile(const ObjectKey& key, const ReconcileContext& context) override;

 private:
  kube::Client& client_;
  const artifact::Storage& storage_;
  GitRepositoryReconcilerOptions options_;
};

}  // namespace fluxcpp::reconciler::source
