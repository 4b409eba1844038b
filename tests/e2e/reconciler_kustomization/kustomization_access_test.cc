// Who applies: spec.serviceAccountName applies through impersonation, with exactly that
// ServiceAccount's rights; spec.kubeConfig applies to the cluster its Secret describes.
#include <absl/strings/escaping.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "tests/e2e/reconciler_kustomization/kustomization_fixture.h"

namespace fluxcpp::testing {
namespace {

using manifest::Json;
using reconciler::Outcome;

void Create(KustomizationGround& ground, Json object) {
  object["metadata"]["namespace"] = ground.ns();
  auto created = ground.client().Create(manifest::Object(object));
  INFO(created.status().ToString());
  REQUIRE(created.ok());
}

TEST_CASE("serviceAccountName applies with that ServiceAccount's rights only") {
  KustomizationGround ground("ks-impersonate");
  Create(ground,
         {{"apiVersion", "v1"}, {"kind", "ServiceAccount"}, {"metadata", {{"name", "deployer"}}}});
  Create(ground,
         {{"apiVersion", "rbac.authorization.k8s.io/v1"},
          {"kind", "Role"},
          {"metadata", {{"name", "configmaps-only"}}},
          {"rules",
           Json::array({{{"apiGroups", {""}}, {"resources", {"configmaps"}}, {"verbs", {"*"}}}})}});
  Create(
      ground,
      {{"apiVersion", "rbac.authorization.k8s.io/v1"},
       {"kind", "RoleBinding"},
       {"metadata", {{"name", "deployer"}}},
       {"roleRef",
        {{"apiGroup", "rbac.authorization.k8s.io"}, {"kind", "Role"}, {"name", "configmaps-only"}}},
       {"subjects",
        Json::array(
            {{{"kind", "ServiceAccount"}, {"name", "deployer"}, {"namespace", ground.ns()}}})}});
  ground.Publish("configmaps", "dependent", Revision(1));
  ground.Publish("with-deployment", "app-v1", Revision(2));
  ground.CreateKustomization("allowed", {{"serviceAccountName", "deployer"}}, "configmaps");
  ground.CreateKustomization("denied", {{"serviceAccountName", "deployer"}}, "with-deployment");

  Outcome allowed = ground.Reconcile("allowed");
  INFO(allowed.error.ToString());
  CHECK(ground.Ready("allowed")["status"] == "True");
  CHECK(ground.Exists(kConfigMapKind, "dependent-config"));

  ground.Reconcile("denied");
  Json ready = ground.Ready("denied");
  CHECK(ready["status"] == "False");
  CHECK_THAT(ready["message"].get<std::string>(),
             Catch::Contains("Deployment/" + ground.ns() + "/web") &&
                 Catch::Contains("system:serviceaccount:" + ground.ns() + ":deployer"));
  // Nothing of the denied set was applied, not even the ConfigMaps it could have written.
  CHECK_FALSE(ground.Exists(kConfigMapKind, "settings"));
}

TEST_CASE("kubeConfig applies to the cluster its Secret describes") {
  KustomizationGround ground("ks-kubeconfig");
  std::ifstream file(std::getenv("KUBECONFIG"));
  std::stringstream kubeconfig;
  kubeconfig << file.rdbuf();
  Create(ground, {{"apiVersion", "v1"},
                  {"kind", "Secret"},
                  {"metadata", {{"name", "remote"}}},
                  {"data", {{"value", absl::Base64Escape(kubeconfig.str())}}}});
  ground.Publish("source", "dependent", Revision(1));
  ground.CreateKustomization("remote", {{"kubeConfig", {{"secretRef", {{"name", "remote"}}}}}});
  Outcome outcome = ground.Reconcile("remote");
  INFO(outcome.error.ToString());
  CHECK(ground.Ready("remote")["status"] == "True");
  CHECK(ground.Exists(kConfigMapKind, "dependent-config"));

  SECTION("a Secret without the key is a clear error") {
    ground.CreateKustomization(
        "broken", {{"kubeConfig", {{"secretRef", {{"name", "remote"}, {"key", "missing"}}}}}});
    ground.Reconcile("broken");
    CHECK_THAT(ground.Ready("broken")["message"].get<std::string>(),
               Catch::Contains("spec.kubeConfig.secretRef") && Catch::Contains("missing"));
  }
}

}  // namespace
}  // namespace fluxcpp::testing
