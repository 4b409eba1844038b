// dependsOn: a Kustomization waits until its dependencies are Ready at their source's current
// revision; a dependency cycle is Stalled with the cycle named.
#include <catch2/catch.hpp>

#include "reconciler/kustomization/kustomization_reconciler.h"
#include "tests/e2e/reconciler_kustomization/kustomization_fixture.h"

namespace fluxcpp::testing {
namespace {

using manifest::Json;
using reconciler::Outcome;

TEST_CASE("a Kustomization waits for its dependency to be Ready at the current revision") {
  KustomizationGround ground("ks-deps");
  ground.Publish("base-source", "app-v1", Revision(1));
  ground.Publish("dependent-source", "dependent", Revision(7));
  ground.CreateKustomization("base", {}, "base-source");
  ground.CreateKustomization("dependent", {{"dependsOn", Json::array({{{"name", "base"}}})}},
                             "dependent-source");

  Outcome waiting = ground.Reconcile("dependent");
  CHECK(waiting.kind == Outcome::Kind::kRequeueAfter);
  CHECK(waiting.after == std::chrono::seconds(30));
  Json ready = ground.Ready("dependent");
  CHECK(ready["status"] == "False");
  CHECK(ready["reason"] == "DependencyNotReady");
  CHECK_THAT(ready["message"].get<std::string>(), Catch::Contains(ground.ns() + "/base"));
  CHECK_FALSE(ground.Exists(kConfigMapKind, "dependent-config"));

  ground.Reconcile("base");
  Outcome applied = ground.Reconcile("dependent");
  INFO(applied.error.ToString());
  CHECK(ground.Ready("dependent")["status"] == "True");
  CHECK(ground.Exists(kConfigMapKind, "dependent-config"));

  // The base's source moves on: until the base applies it, the dependent waits again.
  ground.Publish("base-source", "app-v2", Revision(2));
  ground.Reconcile("dependent");
  CHECK(ground.Ready("dependent")["reason"] == "DependencyNotReady");
  CHECK_THAT(ground.Ready("dependent")["message"].get<std::string>(), Catch::Contains(Revision(2)));
  ground.Reconcile("base");
  ground.Reconcile("dependent");
  CHECK(ground.Ready("dependent")["status"] == "True");

  // The helpers the controller maps watch events with.
  auto kustomizations =
      ground.client().List(reconciler::kustomization::kKustomizationKind, ground.ns());
  REQUIRE(kustomizations.ok());
  auto base =
      ground.client().Get(reconciler::kustomization::kKustomizationKind, ground.ns(), "base");
  REQUIRE(base.ok());
  auto dependents =
      reconciler::kustomization::KustomizationReconciler::Dependents(kustomizations->items, *base);
  REQUIRE(dependents.size() == 1);
  CHECK(dependents[0].name == "dependent");
  // A source wakes its users only with a revision they have not attempted yet.
  auto source = ground.client().Get({"source.toolkit.fluxcd.io", "v1", "GitRepository"},
                                    ground.ns(), "base-source");
  REQUIRE(source.ok());
  CHECK(reconciler::kustomization::KustomizationReconciler::UsersOfSource(kustomizations->items,
                                                                          *source)
            .empty());
  ground.Publish("base-source", "app-v2", Revision(3));
  source = ground.client().Get({"source.toolkit.fluxcd.io", "v1", "GitRepository"}, ground.ns(),
                               "base-source");
  REQUIRE(source.ok());
  auto users = reconciler::kustomization::KustomizationReconciler::UsersOfSource(
      kustomizations->items, *source);
  REQUIRE(users.size() == 1);
  CHECK(users[0].name == "base");
}

TEST_CASE("a dependency cycle is Stalled and names the cycle") {
  KustomizationGround ground("ks-cycle");
  ground.Publish("source", "dependent", Revision(1));
  ground.CreateKustomization("first", {{"dependsOn", Json::array({{{"name", "second"}}})}});
  ground.CreateKustomization("second", {{"dependsOn", Json::array({{{"name", "first"}}})}});
  Outcome outcome = ground.Reconcile("first");
  CHECK(outcome.kind == Outcome::Kind::kDone);
  Json status = ground.Status("first");
  CHECK(reconciler::IsConditionTrue(status["conditions"], "Stalled"));
  std::string ns = ground.ns();
  CHECK_THAT(ground.Ready("first")["message"].get<std::string>(),
             Catch::Contains(ns + "/first -> " + ns + "/second -> " + ns + "/first"));
  CHECK_FALSE(ground.Exists(kConfigMapKind, "dependent-config"));
}

}  // namespace
}  // namespace fluxcpp::testing
