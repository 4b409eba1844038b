// Applying a revision: owner labels, field manager, inventory; the next revision prunes what left
// Git but keeps what opted out; a hand edit is reverted on the next reconcile; an artifact not in
// local storage is downloaded.
#include <catch2/catch.hpp>

#include "reconciler/artifact/server.h"
#include "reconciler/runtime/status.h"
#include "tests/e2e/reconciler_kustomization/kustomization_fixture.h"

namespace fluxcpp::testing {
namespace {

using manifest::Json;
using reconciler::Outcome;

std::vector<std::string> InventoryIds(const Json& status) {
  std::vector<std::string> ids;
  for (const Json& entry : status["inventory"]["entries"]) ids.push_back(entry["id"]);
  return ids;
}

// The messages of the Events about the Kustomization with that reason.
std::vector<std::string> EventMessages(KustomizationGround& ground, const std::string& reason) {
  auto events = ground.client().List({"", "v1", "Event"}, ground.ns());
  REQUIRE(events.ok());
  std::vector<std::string> messages;
  for (const manifest::Object& event : events->items) {
    const Json& json = event.json();
    if (json.value("reason", "") == reason &&
        json.value("involvedObject", Json::object()).value("kind", "") == "Kustomization") {
      messages.push_back(json.value("message", ""));
    }
  }
  return messages;
}

std::vector<std::string> ManagersOf(const manifest::Object& object) {
  std::vector<std::string> managers;
  for (const Json& entry : object.json()["metadata"].value("managedFields", Json::array())) {
    managers.push_back(entry.value("manager", ""));
  }
  return managers;
}

TEST_CASE("a revision is applied with Flux's labels, manager, inventory and status") {
  KustomizationGround ground("ks-apply");
  const std::string ns = ground.ns();
  ground.Publish("source", "app-v1", Revision(1));
  ground.CreateKustomization("app", {});

  Outcome outcome = ground.Reconcile("app");
  INFO(outcome.error.ToString());
  CHECK(outcome.kind == Outcome::Kind::kRequeueAfter);
  CHECK(outcome.after == std::chrono::minutes(10));
  CHECK(outcome.jitter);

  Json ready = ground.Ready("app");
  INFO(ready.dump());
  CHECK(ready["status"] == "True");
  CHECK(ready["reason"] == "ReconciliationSucceeded");
  CHECK(ready["message"] == "Applied revision: " + Revision(1));
  Json status = ground.Status("app");
  CHECK(status["lastAppliedRevision"] == Revision(1));
  CHECK(status["lastAttemptedRevision"] == Revision(1));
  CHECK(status["observedGeneration"] == 1);
  CHECK(status["history"].size() == 1);
  CHECK(status["history"][0]["totalReconciliations"] == 1);
  CHECK(status["history"][0]["metadata"]["revision"] == Revision(1));
  CHECK(InventoryIds(status) ==
        std::vector<std::string>{ns + "_kept__ConfigMap", ns + "_leaving__ConfigMap",
                                 ns + "_settings__ConfigMap", ns + "_web_apps_Deployment"});

  auto settings = ground.client().Get(kConfigMapKind, ns, "settings");
  REQUIRE(settings.ok());
  CHECK(settings->Label("kustomize.toolkit.fluxcd.io/name") == "app");
  CHECK(settings->Label("kustomize.toolkit.fluxcd.io/namespace") == ns);
  CHECK_THAT(ManagersOf(*settings), Catch::VectorContains(std::string("kustomize-controller")));
  auto kustomization =
      ground.client().Get(reconciler::kustomization::kKustomizationKind, ns, "app");
  REQUIRE(kustomization.ok());
  CHECK(kustomization->json()["metadata"]["finalizers"] == Json::array({"finalizers.fluxcd.io"}));
  // Status and finalizer are written as Flux's status manager, not the client's default one.
  std::vector<std::string> status_managers;
  std::vector<std::string> finalizer_managers;
  for (const Json& entry : kustomization->json()["metadata"]["managedFields"]) {
    if (entry.value("subresource", "") == "status") {
      status_managers.push_back(entry.value("manager", ""));
    } else if (entry["fieldsV1"].value("f:metadata", Json::object()).contains("f:finalizers")) {
      finalizer_managers.push_back(entry.value("manager", ""));
    }
  }
  CHECK(status_managers == std::vector<std::string>{"gotk-kustomize-controller"});
  CHECK(finalizer_managers == std::vector<std::string>{"gotk-kustomize-controller"});

  SECTION("a hand edit is reverted on the next reconcile, and nothing else is written") {
    auto edited = ground.client().Patch(kConfigMapKind, ns, "settings", kube::PatchType::kMerge,
                                        R"({"data":{"color":"red"}})");
    REQUIRE(edited.ok());
    ground.Reconcile("app");
    auto reverted = ground.client().Get(kConfigMapKind, ns, "settings");
    REQUIRE(reverted.ok());
    CHECK(reverted->json()["data"]["color"] == "blue");
    // The apply event lists what was written: the edited ConfigMap alone.
    std::vector<std::string> messages = EventMessages(ground, "Progressing");
    REQUIRE(messages.size() == 2);
    CHECK_THAT(messages, Catch::VectorContains("ConfigMap/" + ns + "/settings configured"));
    CHECK(ground.Status("app")["history"][0]["totalReconciliations"] == 2);
  }

  SECTION("a new revision prunes what left Git and keeps what opted out") {
    ground.Publish("source", "app-v2", Revision(2));
    Outcome second = ground.Reconcile("app");
    INFO(second.error.ToString());
    CHECK(ground.Ready("app")["message"] == "Applied revision: " + Revision(2));
    CHECK_FALSE(ground.Exists(kConfigMapKind, "leaving"));
    CHECK(ground.Exists(kConfigMapKind, "kept"));
    auto settings_v2 = ground.client().Get(kConfigMapKind, ns, "settings");
    REQUIRE(settings_v2.ok());
    CHECK(settings_v2->json()["data"]["color"] == "green");
    Json status_v2 = ground.Status("app");
    CHECK(InventoryIds(status_v2) ==
          std::vector<std::string>{ns + "_settings__ConfigMap", ns + "_web_apps_Deployment"});
    CHECK(status_v2["history"].size() == 2);
    CHECK(status_v2["history"][0]["metadata"]["revision"] == Revision(2));
  }
}

TEST_CASE("without prune, objects that left Git stay") {
  KustomizationGround ground("ks-noprune");
  ground.Publish("source", "app-v1", Revision(1));
  ground.CreateKustomization("app", {{"prune", false}});
  ground.Reconcile("app");
  ground.Publish("source", "app-v2", Revision(2));
  ground.Reconcile("app");
  CHECK(ground.Ready("app")["status"] == "True");
  CHECK(ground.Exists(kConfigMapKind, "leaving"));
}

TEST_CASE("an artifact not in local storage is downloaded from its URL and checked") {
  // The source's storage is served over HTTP; the reconciler's own storage is elsewhere (empty).
  ScratchDirectory source_storage_root;
  artifact::ArtifactServer server(source_storage_root.path(), "127.0.0.1:0");
  REQUIRE(server.Start().ok());
  std::string base_url = "http://127.0.0.1:" + std::to_string(server.port());
  KustomizationGround ground("ks-download", base_url);
  artifact::Artifact published = ground.Publish("source", "app-v1", Revision(3));
  // Move the archive from the reconciler's storage to the served one.
  std::filesystem::path served = std::filesystem::path(source_storage_root.path()) / published.path;
  std::filesystem::create_directories(served.parent_path());
  std::filesystem::rename(ground.storage().LocalPath(published.path), served);
  REQUIRE_FALSE(ground.storage().Has(published));

  ground.CreateKustomization("app", {});
  Outcome outcome = ground.Reconcile("app");
  INFO(outcome.error.ToString());
  INFO(ground.Ready("app").dump());
  CHECK(ground.Ready("app")["status"] == "True");
  CHECK(ground.Exists(kDeploymentKind, "web"));

  SECTION("a digest that does not match is an ArtifactFailed") {
    Json status{{"artifact", published.ToJson()}};
    status["artifact"]["digest"] = "sha256:" + std::string(64, '0');
    status["artifact"]["revision"] = Revision(4);
    REQUIRE(reconciler::PatchStatus(ground.client(),
                                    {"source.toolkit.fluxcd.io", "v1", "GitRepository"},
                                    ground.ns(), "source", status)
                .ok());
    ground.Reconcile("app");
    Json ready = ground.Ready("app");
    CHECK(ready["status"] == "False");
    CHECK(ready["reason"] == "ArtifactFailed");
    CHECK_THAT(ready["message"].get<std::string>(), Catch::Contains("does not match"));
  }
}

TEST_CASE("a source that is missing or has no artifact is ArtifactFailed and requeued") {
  KustomizationGround ground("ks-nosource");
  ground.CreateKustomization("app", {});
  Outcome outcome = ground.Reconcile("app");
  CHECK(outcome.kind == Outcome::Kind::kRequeueAfter);
  CHECK(outcome.after == std::chrono::seconds(30));
  Json ready = ground.Ready("app");
  CHECK(ready["status"] == "False");
  CHECK(ready["reason"] == "ArtifactFailed");
  CHECK_THAT(ready["message"].get<std::string>(), Catch::Contains("not found"));
}

TEST_CASE("an unsupported source kind is Stalled with a clear message") {
  KustomizationGround ground("ks-oci");
  ground.CreateKustomization("app", {{"sourceRef", {{"kind", "OCIRepository"}, {"name", "x"}}}});
  Outcome outcome = ground.Reconcile("app");
  CHECK(outcome.kind == Outcome::Kind::kDone);
  Json status = ground.Status("app");
  CHECK(reconciler::IsConditionTrue(status["conditions"], "Stalled"));
  CHECK_THAT(ground.Ready("app")["message"].get<std::string>(),
             Catch::Contains("OCIRepository") && Catch::Contains("not supported"));
}

}  // namespace
}  // namespace fluxcpp::testing

namespace fluxcpp::testing {
namespace {

TEST_CASE("per-object ssa and reconcile annotations decide what is applied") {
  KustomizationGround ground("ks-policy");
  const std::string ns = ground.ns();
  ground.Publish("source", "policies", Revision(1));
  ground.CreateKustomization("app", {});
  Outcome outcome = ground.Reconcile("app");
  INFO(outcome.error.ToString());
  REQUIRE(ground.Ready("app")["status"] == "True");
  CHECK(ground.Exists(kConfigMapKind, "create-once"));
  CHECK(ground.Exists(kConfigMapKind, "merged"));
  CHECK_FALSE(ground.Exists(kConfigMapKind, "ignored"));
  CHECK_FALSE(ground.Exists(kConfigMapKind, "not-reconciled"));

  // IfNotPresent: once it exists, changes made in the cluster stay.
  REQUIRE(ground.client()
              .Patch(kConfigMapKind, ns, "create-once", kube::PatchType::kMerge,
                     R"({"data":{"value":"changed-in-cluster"}})")
              .ok());
  REQUIRE(ground.client()
              .Patch(kConfigMapKind, ns, "merged", kube::PatchType::kMerge,
                     R"({"data":{"value":"changed-in-cluster"}})")
              .ok());
  ground.Reconcile("app");
  auto create_once = ground.client().Get(kConfigMapKind, ns, "create-once");
  REQUIRE(create_once.ok());
  CHECK(create_once->json()["data"]["value"] == "changed-in-cluster");
  auto merged = ground.client().Get(kConfigMapKind, ns, "merged");
  REQUIRE(merged.ok());
  CHECK(merged->json()["data"]["value"] == "from-git");
}

}  // namespace
}  // namespace fluxcpp::testing

namespace fluxcpp::testing {
namespace {

TEST_CASE("a changed immutable field fails without force and is recreated with it") {
  KustomizationGround ground("ks-force");
  const std::string ns = ground.ns();
  ground.Publish("source", "selector-one", Revision(1));
  ground.CreateKustomization("app", {});
  ground.Reconcile("app");
  REQUIRE(ground.Ready("app")["status"] == "True");
  auto original = ground.client().Get(kDeploymentKind, ns, "reshaped");
  REQUIRE(original.ok());

  ground.Publish("source", "selector-two", Revision(2));
  ground.Reconcile("app");
  Json ready = ground.Ready("app");
  CHECK(ready["reason"] == "ReconciliationFailed");
  CHECK_THAT(ready["message"].get<std::string>(),
             Catch::Contains("Deployment/" + ns + "/reshaped") && Catch::Contains("immutable"));

  auto forced = ground.client().Patch(reconciler::kustomization::kKustomizationKind, ns, "app",
                                      kube::PatchType::kMerge, R"({"spec":{"force":true}})");
  REQUIRE(forced.ok());
  Outcome outcome = ground.Reconcile("app");
  INFO(outcome.error.ToString());
  CHECK(ground.Ready("app")["status"] == "True");
  auto recreated = ground.client().Get(kDeploymentKind, ns, "reshaped");
  REQUIRE(recreated.ok());
  CHECK(recreated->json()["spec"]["selector"]["matchLabels"]["shape"] == "two");
  CHECK(recreated->json()["metadata"]["uid"] != original->json()["metadata"]["uid"]);
}

}  // namespace
}  // namespace fluxcpp::testing

namespace fluxcpp::testing {
namespace {

TEST_CASE("a suspended Kustomization is left alone") {
  KustomizationGround ground("ks-suspend");
  ground.Publish("source", "app-v1", Revision(1));
  ground.CreateKustomization("app", {{"suspend", true}});
  Outcome outcome = ground.Reconcile("app");
  CHECK(outcome.kind == Outcome::Kind::kDone);
  CHECK_FALSE(ground.Exists(kConfigMapKind, "settings"));
  CHECK_FALSE(ground.Status("app").contains("conditions"));
}

}  // namespace
}  // namespace fluxcpp::testing
