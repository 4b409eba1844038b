// Deleting a Kustomization: the finalizer prunes per deletionPolicy (MirrorPrune follows
// spec.prune; Delete deletes regardless of it; WaitForTermination deletes and waits, up to
// spec.timeout, until the objects are gone; Orphan keeps everything) and then lets the object go.
#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <thread>

#include "lib/kube/errors.h"
#include "tests/e2e/reconciler_kustomization/kustomization_fixture.h"

namespace fluxcpp::testing {
namespace {

using manifest::Json;
using reconciler::Outcome;

using Clock = std::chrono::steady_clock;

bool KustomizationExists(KustomizationGround& ground, const std::string& name) {
  return ground.client().Get(reconciler::kustomization::kKustomizationKind, ground.ns(), name).ok();
}

void Delete(KustomizationGround& ground, const std::string& name) {
  REQUIRE(ground.client()
              .Delete(reconciler::kustomization::kKustomizationKind, ground.ns(), name)
              .ok());
  // The finalizer holds it until the reconciler has pruned.
  REQUIRE(KustomizationExists(ground, name));
}

void DeleteAndFinalize(KustomizationGround& ground, const std::string& name) {
  Delete(ground, name);
  Outcome outcome = ground.Reconcile(name);
  INFO(outcome.error.ToString());
  CHECK(outcome.kind == Outcome::Kind::kDone);
  CHECK_FALSE(KustomizationExists(ground, name));
}

// A finalizer of someone else's on the ConfigMap `name`: deleting it leaves it Terminating.
void Hold(KustomizationGround& ground, const std::string& name, bool hold) {
  Json finalizers = hold ? Json::array({"example.com/hold"}) : Json::array();
  Json patch{{"metadata", {{"finalizers", finalizers}}}};
  auto patched = ground.client().Patch(kConfigMapKind, ground.ns(), name, kube::PatchType::kMerge,
                                       patch.dump());
  INFO(patched.status().ToString());
  REQUIRE(patched.ok());
}

bool Terminating(KustomizationGround& ground, const std::string& name) {
  auto live = ground.client().Get(kConfigMapKind, ground.ns(), name);
  return live.ok() && live->json()["metadata"].contains("deletionTimestamp");
}

// The messages of the Warning Events about the Kustomization `name`.
std::vector<std::string> Warnings(KustomizationGround& ground, const std::string& name) {
  auto events = ground.client().List({"", "v1", "Event"}, ground.ns());
  REQUIRE(events.ok());
  std::vector<std::string> messages;
  for (const manifest::Object& event : events->items) {
    const Json& json = event.json();
    const Json& regarding = json.value("involvedObject", Json::object());
    if (json.value("type", "") == "Warning" && regarding.value("kind", "") == "Kustomization" &&
        regarding.value("name", "") == name) {
      messages.push_back(json.value("message", ""));
    }
  }
  return messages;
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

TEST_CASE("MirrorPrune without prune keeps the objects") {
  KustomizationGround ground("ks-mirror");
  ground.Publish("source", "app-v1", Revision(1));
  ground.CreateKustomization("app", {{"prune", false}});
  ground.Reconcile("app");
  REQUIRE(ground.Exists(kConfigMapKind, "settings"));
  DeleteAndFinalize(ground, "app");
  CHECK(ground.Exists(kConfigMapKind, "settings"));
  CHECK(ground.Exists(kDeploymentKind, "web"));
}

TEST_CASE("Delete deletes the objects even without prune, but the opted-out ones") {
  KustomizationGround ground("ks-delpolicy");
  ground.Publish("source", "app-v1", Revision(1));
  ground.CreateKustomization("app", {{"prune", false}, {"deletionPolicy", "Delete"}});
  ground.Reconcile("app");
  REQUIRE(ground.Exists(kConfigMapKind, "settings"));
  REQUIRE(ground.Exists(kDeploymentKind, "web"));
  DeleteAndFinalize(ground, "app");
  CHECK_FALSE(ground.Exists(kConfigMapKind, "settings"));
  CHECK_FALSE(ground.Exists(kConfigMapKind, "leaving"));
  CHECK_FALSE(ground.Exists(kDeploymentKind, "web"));
  CHECK(ground.Exists(kConfigMapKind, "kept"));
}

TEST_CASE("WaitForTermination holds the Kustomization until its objects are gone") {
  KustomizationGround ground("ks-waitterm");
  ground.Publish("source", "app-v1", Revision(1));
  ground.CreateKustomization(
      "app", {{"prune", false}, {"deletionPolicy", "WaitForTermination"}, {"timeout", "60s"}});
  ground.Reconcile("app");
  REQUIRE(ground.Exists(kConfigMapKind, "settings"));
  Hold(ground, "settings", true);
  Delete(ground, "app");

  std::future<Outcome> finalized =
      std::async(std::launch::async, [&] { return ground.Reconcile("app"); });
  // The ConfigMap was deleted but is held: the reconcile waits, and so does the Kustomization.
  auto deadline = Clock::now() + std::chrono::seconds(20);
  while (!Terminating(ground, "settings") && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  REQUIRE(Terminating(ground, "settings"));
  CHECK(finalized.wait_for(std::chrono::seconds(2)) == std::future_status::timeout);
  CHECK(KustomizationExists(ground, "app"));

  Hold(ground, "settings", false);
  REQUIRE(finalized.wait_for(std::chrono::seconds(30)) == std::future_status::ready);
  Outcome outcome = finalized.get();
  INFO(outcome.error.ToString());
  CHECK(outcome.kind == Outcome::Kind::kDone);
  CHECK_FALSE(ground.Exists(kConfigMapKind, "settings"));
  CHECK_FALSE(ground.Exists(kDeploymentKind, "web"));
  CHECK_FALSE(KustomizationExists(ground, "app"));
  CHECK(Warnings(ground, "app").empty());
}

TEST_CASE("WaitForTermination gives up after spec.timeout, warns, and lets the Kustomization go") {
  KustomizationGround ground("ks-waitlate");
  ground.Publish("source", "app-v1", Revision(1));
  ground.CreateKustomization("app", {{"deletionPolicy", "WaitForTermination"}, {"timeout", "3s"}});
  ground.Reconcile("app");
  REQUIRE(ground.Exists(kConfigMapKind, "settings"));
  Hold(ground, "settings", true);
  Delete(ground, "app");

  auto started = Clock::now();
  Outcome outcome = ground.Reconcile("app");
  auto waited = Clock::now() - started;
  INFO(outcome.error.ToString());
  CHECK(outcome.kind == Outcome::Kind::kDone);
  CHECK(waited >= std::chrono::seconds(3));
  CHECK_FALSE(KustomizationExists(ground, "app"));
  CHECK(Terminating(ground, "settings"));
  std::vector<std::string> warnings = Warnings(ground, "app");
  REQUIRE(warnings.size() == 1);
  CHECK_THAT(warnings[0], Catch::Contains("failed to wait for resources termination") &&
                              Catch::Contains("ConfigMap/" + ground.ns() + "/settings"));
  Hold(ground, "settings", false);  // so the namespace can go
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
