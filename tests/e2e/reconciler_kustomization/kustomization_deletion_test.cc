// Deleting a Kustomization: the finalizer prunes per deletionPolicy (MirrorPrune follows
// spec.prune; Orphan keeps everything) and then lets the object go.
#include <catch2/catch.hpp>

#include "lib/kube/errors.h"
#include "tests/e2e/reconciler_kustomization/kustomization_fixture.h"

namespace fluxcpp::testing {
namespace {

using manifest::Json;
using reconciler::Outcome;

void DeleteAndFinalize(KustomizationGround& ground, const std::string& name) {
  REQUIRE(ground.client()
              .Delete(reconciler::kustomization::kKustomizationKind, ground.ns(), name)
              .ok());
  // The finalizer holds it until the reconciler has pruned.
  REQUIRE(
      ground.client().Get(reconciler::kustomization::kKustomizationKind, ground.ns(), name).ok());
  Outcome outcome = ground.Reconcile(name);
  INFO(outcome.error.ToString());
  CHECK(outcome.kind == Outcome::Kind::kDone);
  auto gone = ground.client().Get(reconciler::kustomization::kKustomizationKind, ground.ns(), name);
  CHECK(kube::IsNotFoundError(gone.status()));
}

TEST_CASE("deleting a pruning Kustomization deletes its objects but the opted-out ones") {
  KustomizationGround ground("ks-delete");
  ground.Publish("source", "app-v1", Revision(1));
  ground.CreateKustomization("app", {});
  ground.Reconcile("app");
  REQUIRE(ground.Exists(kDeploymentKind, "web"));
  DeleteAndFinalize(ground, "app");
  CHECK_FALSE(ground.Exists(kConfigMapKind, "settings"));
  CHECK_FALSE(ground.Exists(kConfigMapKind, "leaving"));
  CHECK_FALSE(ground.Exists(kDeploymentKind, "web"));
  CHECK(ground.Exists(kConfigMapKind, "kept"));
}

TEST_CASE("Orphan, and MirrorPrune without prune, keep the objects") {
  KustomizationGround ground("ks-orphan");
  ground.Publish("source", "app-v1", Revision(1));
  ground.CreateKustomization("orphan", {{"deletionPolicy", "Orphan"}});
  ground.Reconcile("orphan");
  REQUIRE(ground.Exists(kConfigMapKind, "settings"));
  DeleteAndFinalize(ground, "orphan");
  CHECK(ground.Exists(kConfigMapKind, "settings"));
  CHECK(ground.Exists(kDeploymentKind, "web"));
}

TEST_CASE("objects another owner took over are not pruned") {
  KustomizationGround ground("ks-owner");
  ground.Publish("source", "app-v1", Revision(1));
  ground.CreateKustomization("app", {});
  ground.Reconcile("app");
  auto relabelled = ground.client().Patch(
      kConfigMapKind, ground.ns(), "leaving", kube::PatchType::kMerge,
      R"({"metadata":{"labels":{"kustomize.toolkit.fluxcd.io/name":"someone-else"}}})");
  REQUIRE(relabelled.ok());
  ground.Publish("source", "app-v2", Revision(2));
  ground.Reconcile("app");
  CHECK(ground.Ready("app")["status"] == "True");
  CHECK(ground.Exists(kConfigMapKind, "leaving"));
}

}  // namespace
}  // namespace fluxcpp::testing
