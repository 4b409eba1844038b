// Health: spec.wait checks everything applied, spec.healthChecks the listed objects, both bounded
// by spec.timeout; a cancel (a new revision) ends a running check with HealthCheckCanceled.
#include <catch2/catch.hpp>
#include <thread>

#include "tests/e2e/reconciler_kustomization/kustomization_fixture.h"

namespace fluxcpp::testing {
namespace {

using manifest::Json;
using reconciler::Outcome;

const Json* Healthy(const Json& status) {
  return reconciler::FindCondition(status["conditions"], "Healthy");
}

TEST_CASE("wait: everything applied becomes Ready before the Kustomization is") {
  KustomizationGround ground("ks-wait");
  ground.Publish("source", "app-v1", Revision(1));
  ground.CreateKustomization("app", {{"wait", true}, {"timeout", "90s"}});
  Outcome outcome = ground.Reconcile("app");
  INFO(outcome.error.ToString());
  INFO(ground.Status("app").dump());
  CHECK(ground.Ready("app")["status"] == "True");
  Json status = ground.Status("app");
  REQUIRE(Healthy(status) != nullptr);
  CHECK((*Healthy(status))["status"] == "True");
  // The Deployment really rolled out (kwok runs its Pod).
  auto web = ground.client().Get(kDeploymentKind, ground.ns(), "web");
  REQUIRE(web.ok());
  CHECK(web->json()["status"].value("availableReplicas", 0) == 1);
}

TEST_CASE("a health check that never passes fails within the timeout and names the object") {
  KustomizationGround ground("ks-unhealthy");
  ground.Publish("source", "health-stuck", Revision(1));
  ground.CreateKustomization("app",
                             {{"timeout", "6s"},
                              {"retryInterval", "45s"},
                              {"healthChecks", Json::array({{{"apiVersion", "apps/v1"},
                                                             {"kind", "Deployment"},
                                                             {"name", "stuck"},
                                                             {"namespace", ground.ns()}}})}});
  auto started = std::chrono::steady_clock::now();
  Outcome outcome = ground.Reconcile("app");
  auto took = std::chrono::steady_clock::now() - started;
  CHECK(took < std::chrono::seconds(20));
  CHECK(outcome.after == std::chrono::seconds(45));
  Json ready = ground.Ready("app");
  CHECK(ready["status"] == "False");
  CHECK(ready["reason"] == "HealthCheckFailed");
  CHECK_THAT(ready["message"].get<std::string>(),
             Catch::Contains("Deployment/" + ground.ns() + "/stuck"));
  Json status = ground.Status("app");
  REQUIRE(Healthy(status) != nullptr);
  CHECK((*Healthy(status))["reason"] == "HealthCheckFailed");
  // The objects were applied all the same, and are in the inventory.
  CHECK(ground.Exists(kDeploymentKind, "stuck"));
  CHECK(status["inventory"]["entries"].size() == 1);
}

TEST_CASE("a cancel ends a running health check with HealthCheckCanceled") {
  KustomizationGround ground("ks-cancel");
  ground.Publish("source", "health-stuck", Revision(1));
  ground.CreateKustomization("app", {{"wait", true}, {"timeout", "120s"}});
  std::atomic<bool> cancel{false};
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::seconds(3));
    cancel = true;
  });
  auto started = std::chrono::steady_clock::now();
  ground.Reconcile("app", cancel);
  auto took = std::chrono::steady_clock::now() - started;
  canceller.join();
  CHECK(took < std::chrono::seconds(30));
  Json ready = ground.Ready("app");
  CHECK(ready["status"] == "False");
  CHECK(ready["reason"] == "HealthCheckCanceled");
}

}  // namespace
}  // namespace fluxcpp::testing
