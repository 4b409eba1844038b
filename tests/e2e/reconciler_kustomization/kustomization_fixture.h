// A Kustomization reconciler on the test ground, for the end-to-end tests: the Flux CRDs
// installed, a private artifact storage and workspace, a namespace of its own, GitRepositories
// whose status.artifact points at archives of fixture folders, and helpers to read what the
// reconciler wrote.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "lib/kube/client.h"
#include "reconciler/artifact/storage.h"
#include "reconciler/kustomization/kustomization_reconciler.h"
#include "reconciler/runtime/status.h"
#include "tests/e2e/support/ground.h"

namespace fluxcpp::testing {

namespace artifact = reconciler::artifact;

class KustomizationGround {
 public:
  // `artifact_base_url` is what the published artifacts' URLs start with.
  explicit KustomizationGround(const std::string& prefix,
                               const std::string& artifact_base_url = "http://artifacts.invalid");
  ~KustomizationGround();

  kube::Client& client() { return *client_; }
  const std::string& ns() const { return namespace_->name(); }
  artifact::Storage& storage() { return *storage_; }
  const std::string& storage_root() const { return storage_directory_.path(); }
  reconciler::kustomization::KustomizationReconciler& reconciler() { return *reconciler_; }

  // Archives testdata/<fixture> (or `fixture` itself when it is an absolute path) as the artifact
  // of GitRepository `source` at `revision`
  // ("main@sha1:<40 hex>"), creating the GitRepository if needed, and returns the artifact.
  artifact::Artifact Publish(const std::string& source, const std::string& fixture,
                             const std::string& revision);

  // Creates a Kustomization named `name` in ns() with `spec` (sourceRef, interval and prune are
  // filled in when missing: GitRepository `source`, 10m, true; targetNamespace ns()).
  void CreateKustomization(const std::string& name, manifest::Json spec,
                           const std::string& source = "source");

  reconciler::Outcome Reconcile(const std::string& name);
  reconciler::Outcome Reconcile(const std::string& name, const std::atomic<bool>& cancel);

  manifest::Json Status(const std::string& name);
  // The Ready condition ({} when absent).
  manifest::Json Ready(const std::string& name);
  // Whether the object exists in ns().
  bool Exists(const manifest::GroupVersionKind& gvk, const std::string& name);

 private:
  std::unique_ptr<kube::Client> client_;
  std::unique_ptr<ScopedNamespace> namespace_;
  ScratchDirectory storage_directory_;
  ScratchDirectory workspace_directory_;
  ScratchDirectory staging_directory_;
  std::unique_ptr<artifact::Storage> storage_;
  std::unique_ptr<reconciler::kustomization::KustomizationReconciler> reconciler_;
};

inline const manifest::GroupVersionKind kConfigMapKind{"", "v1", "ConfigMap"};
inline const manifest::GroupVersionKind kDeploymentKind{"apps", "v1", "Deployment"};

// A revision string for a made-up commit, "main@sha1:" + 40 hex digits from `seed`.
std::string Revision(int seed);

}  // namespace fluxcpp::testing
