// What happens between the artifact and the apply: a build error, an object the server refuses,
// a SOPS-encrypted Secret and a failed substitution each apply nothing and name the file or object;
// variables come from ConfigMaps and Secrets in order with the inline map winning; Flux's overlay
// fields reach the objects.
#include <catch2/catch.hpp>

#include "tests/e2e/reconciler_kustomization/kustomization_fixture.h"

namespace fluxcpp::testing {
namespace {

using manifest::Json;
using reconciler::Outcome;

void RequireReady(KustomizationGround& ground, const std::string& name) {
  Json ready = ground.Ready(name);
  INFO(ready.dump());
  REQUIRE(ready["status"] == "True");
}

std::string Color(KustomizationGround& ground) {
  auto settings = ground.client().Get(kConfigMapKind, ground.ns(), "settings");
  REQUIRE(settings.ok());
  return settings->json()["data"]["color"];
}

TEST_CASE("a revision that does not build applies nothing and names the file") {
  KustomizationGround ground("ks-broken");
  ground.Publish("source", "app-v1", Revision(1));
  ground.CreateKustomization("app", {});
  ground.Reconcile("app");
  RequireReady(ground, "app");

  ground.Publish("source", "broken", Revision(2));
  Outcome outcome = ground.Reconcile("app");
  CHECK(outcome.kind == Outcome::Kind::kRequeueAfter);
  CHECK(outcome.after == std::chrono::minutes(10));  // retryInterval defaults to interval
  Json ready = ground.Ready("app");
  CHECK(ready["status"] == "False");
  CHECK(ready["reason"] == "BuildFailed");
  CHECK_THAT(ready["message"].get<std::string>(), Catch::Contains("web.yaml"));
  Json status = ground.Status("app");
  CHECK(status["lastAttemptedRevision"] == Revision(2));
  CHECK(status["lastAppliedRevision"] == Revision(1));
  CHECK(reconciler::IsConditionTrue(status["conditions"], "Reconciling"));
  // The previous revision's objects are all still there, unchanged.
  CHECK(Color(ground) == "blue");
  CHECK(ground.Exists(kConfigMapKind, "leaving"));
  CHECK(status["inventory"]["entries"].size() == 4);
}

TEST_CASE("an object the API server refuses applies nothing and is named") {
  KustomizationGround ground("ks-invalid");
  ground.Publish("source", "app-v1", Revision(1));
  ground.CreateKustomization("app", {{"retryInterval", "1m"}});
  ground.Reconcile("app");
  RequireReady(ground, "app");
  ground.Publish("source", "invalid", Revision(2));
  Outcome outcome = ground.Reconcile("app");
  CHECK(outcome.after == std::chrono::minutes(1));
  Json ready = ground.Ready("app");
  CHECK(ready["status"] == "False");
  CHECK(ready["reason"] == "ReconciliationFailed");
  CHECK_THAT(ready["message"].get<std::string>(),
             Catch::Contains("Deployment/" + ground.ns() + "/web"));
  CHECK(Color(ground) == "blue");
}

TEST_CASE("a SOPS-encrypted Secret without decryption applies nothing") {
  KustomizationGround ground("ks-sops");
  ground.Publish("source", "sops", Revision(1));
  ground.CreateKustomization("app", {});
  ground.Reconcile("app");
  Json ready = ground.Ready("app");
  CHECK(ready["reason"] == "DecryptionFailed");
  CHECK_THAT(ready["message"].get<std::string>(),
             Catch::Contains("Secret/" + ground.ns() + "/encrypted") && Catch::Contains("SOPS"));
  CHECK_FALSE(ground.Exists(kConfigMapKind, "settings"));
}

TEST_CASE("variables come from ConfigMaps and Secrets, later ones and the inline map winning") {
  KustomizationGround ground("ks-subst");
  const std::string ns = ground.ns();
  auto create = [&](Json object) {
    object["metadata"]["namespace"] = ns;
    auto created = ground.client().Create(manifest::Object(object));
    INFO(created.status().ToString());
    REQUIRE(created.ok());
  };
  create({{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata", {{"name", "cluster-vars"}}},
          {"data", {{"cluster", "east"}, {"greeting", "hi"}, {"env", "staging"}}}});
  create({{"apiVersion", "v1"},
          {"kind", "Secret"},
          {"metadata", {{"name", "secret-vars"}}},
          {"stringData", {{"cluster", "west"}, {"password", "s3cr3t"}}}});
  ground.Publish("source", "substitute", Revision(1));
  ground.CreateKustomization(
      "app",
      {{"postBuild",
        {{"substitute", {{"env", "prod"}}},
         {"substituteFrom",
          Json::array({{{"kind", "ConfigMap"}, {"name", "cluster-vars"}},
                       {{"kind", "Secret"}, {"name", "secret-vars"}},
                       {{"kind", "ConfigMap"}, {"name", "absent"}, {"optional", true}}})}}}});
  Outcome outcome = ground.Reconcile("app");
  INFO(outcome.error.ToString());
  RequireReady(ground, "app");
  auto greeting = ground.client().Get(kConfigMapKind, ns, "greeting-prod");
  REQUIRE(greeting.ok());
  CHECK(greeting->json()["data"]["message"] == "hi from west");
  CHECK(greeting->json()["data"]["password"] == "s3cr3t");
  CHECK(greeting->json()["data"]["region"] == "nowhere");
  CHECK(greeting->json()["data"]["literal"] == "${not_a_variable}");

  SECTION("a required source that is missing fails the build and names it") {
    auto changed = ground.client().Patch(
        reconciler::kustomization::kKustomizationKind, ns, "app", kube::PatchType::kJson,
        R"([{"op":"replace","path":"/spec/postBuild/substituteFrom/2/optional","value":false}])");
    REQUIRE(changed.ok());
    ground.Reconcile("app");
    Json ready = ground.Ready("app");
    CHECK(ready["reason"] == "BuildFailed");
    CHECK_THAT(
        ready["message"].get<std::string>(),
        Catch::Contains("ConfigMap/" + ns + "/absent") && Catch::Contains("substituteFrom[2]"));
  }
}

TEST_CASE("namePrefix, patches, images and commonMetadata reach the applied objects") {
  KustomizationGround ground("ks-overlay");
  const std::string ns = ground.ns();
  ground.Publish("source", "app-v2", Revision(1));
  ground.CreateKustomization(
      "app",
      {{"namePrefix", "pre-"},
       {"nameSuffix", "-suf"},
       {"images", Json::array({{{"name", "registry.invalid/web"}, {"newTag", "2"}}})},
       {"patches", Json::array({{{"patch", "- op: replace\n  path: /spec/replicas\n  value: 3\n"},
                                 {"target", {{"kind", "Deployment"}}}}})},
       {"commonMetadata",
        {{"labels", {{"team", "platform"}}}, {"annotations", {{"owner", "ops"}}}}}});
  Outcome outcome = ground.Reconcile("app");
  INFO(outcome.error.ToString());
  RequireReady(ground, "app");
  auto web = ground.client().Get(kDeploymentKind, ns, "pre-web-suf");
  REQUIRE(web.ok());
  CHECK(web->json()["spec"]["replicas"] == 3);
  CHECK(web->json()["spec"]["template"]["spec"]["containers"][0]["image"] ==
        "registry.invalid/web:2");
  CHECK(web->Label("team") == "platform");
  CHECK(web->Annotation("owner") == "ops");
  CHECK(ground.Exists(kConfigMapKind, "pre-settings-suf"));
}

}  // namespace
}  // namespace fluxcpp::testing
