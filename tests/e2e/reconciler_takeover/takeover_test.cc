// Issue 7, "Takeover, end to end": `fluxcpp bootstrap git` installs flux-reconciler (run for real
// by the pod_runner) and from then on the reconciler owns the namespace — its own install included
// — and follows Git: new overlays, changes, removals, hand edits and broken commits.
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>

#include "tests/e2e/reconciler_takeover/takeover_ground.h"

namespace fluxcpp::testing {
namespace {

using Clock = std::chrono::steady_clock;

bool ProcessRuns(int pid) { return pid > 0 && ::kill(pid, 0) == 0; }

TEST_CASE(
    "after bootstrap git the reconciler applies flux-system, its own Deployment included, "
    "without restarting itself",
    "[takeover]") {
  TakeoverGround ground("takeover");
  const std::string& ns = ground.namespace_name();
  ground.Bootstrap();
  const std::string revision = ground.RemoteRevision();

  // The bootstrap's wait ended on the Kustomization Ready at the pushed revision, which only the
  // running reconciler writes.
  auto sync = ground.Get(kKustomizationKind, ns);
  REQUIRE(sync);
  INFO("Kustomization status: " << (*sync)["status"].dump());
  CHECK(ground.KustomizationReadyAt(ns, revision));
  CHECK(TakeoverGround::Condition(*sync, "Ready").value("message", "") ==
        "Applied revision: " + revision);
  auto source = ground.Get(kGitRepositoryKind, ns);
  REQUIRE(source);
  CHECK(TakeoverGround::Condition(*source, "Ready").value("status", "") == "True");
  CHECK((*source)["status"]["artifact"].value("revision", "") == revision);

  // It applied the flux-system set itself: its own Deployment, the RBAC and the shared CRDs are in
  // its inventory and carry its owner labels and field manager.
  const std::set<std::string> inventory = InventoryIds(*sync);
  CHECK(inventory.count(ns + "_flux-reconciler_apps_Deployment") == 1);
  CHECK(inventory.count(ns + "_flux-reconciler__ServiceAccount") == 1);
  CHECK(inventory.count("_" + ns + "__Namespace") == 1);
  CHECK(inventory.count("_gitrepositories.source.toolkit.fluxcd.io_apiextensions.k8s.io_"
                        "CustomResourceDefinition") == 1);
  CHECK(inventory.count(ns + "_" + ns + "_source.toolkit.fluxcd.io_GitRepository") == 1);
  CHECK(inventory.count(ns + "_" + ns + "_kustomize.toolkit.fluxcd.io_Kustomization") == 1);
  auto deployment = ground.Get(kDeploymentKind, "flux-reconciler");
  REQUIRE(deployment);
  const Json labels = (*deployment)["metadata"].value("labels", Json::object());
  CHECK(labels.value("kustomize.toolkit.fluxcd.io/name", "") == ns);
  CHECK(labels.value("kustomize.toolkit.fluxcd.io/namespace", "") == ns);
  bool managed_by_reconciler = false;
  for (const Json& entry : (*deployment)["metadata"].value("managedFields", Json::array())) {
    if (entry.value("manager", "") == "kustomize-controller" &&
        entry.value("operation", "") == "Apply") {
      managed_by_reconciler = true;
    }
  }
  CHECK(managed_by_reconciler);

  // Applying its own Deployment again does not roll it: the same Pod and the same process keep
  // running through a forced reconcile of everything.
  std::optional<Json> pod = ground.ReconcilerPod();
  REQUIRE(pod);
  const std::string pod_uid = (*pod)["metadata"]["uid"];
  const int pid = ground.ReconcilerPid(*pod);
  REQUIRE(ProcessRuns(pid));
  const int64_t generation = (*deployment)["metadata"]["generation"];
  const std::string token = ground.RequestReconcile(kKustomizationKind, ns);
  ground.WaitUntil("the forced reconcile of " + ns + " is handled", [&] {
    auto object = ground.Get(kKustomizationKind, ns);
    return object && (*object)["status"].value("lastHandledReconcileAt", "") == token &&
           ground.KustomizationReadyAt(ns, revision);
  });
  // Give a rollout, if one had been started, the time to show.
  std::this_thread::sleep_for(std::chrono::seconds(2));
  deployment = ground.Get(kDeploymentKind, "flux-reconciler");
  REQUIRE(deployment);
  CHECK((*deployment)["metadata"]["generation"] == generation);
  std::optional<Json> after = ground.ReconcilerPod();
  REQUIRE(after);
  CHECK((*after)["metadata"]["uid"] == pod_uid);
  CHECK(ground.ReconcilerPid(*after) == pid);
  CHECK(ProcessRuns(pid));
  CHECK(ground.runner().Log().find("killed by signal") == std::string::npos);
}

TEST_CASE(
    "the reconciler applies an overlay added to Git, follows pushes within the interval, prunes "
    "removed files and reverts hand edits",
    "[takeover]") {
  TakeoverGround ground("takeover-apps");
  const std::string& ns = ground.namespace_name();
  ground.Bootstrap("2s");

  // A new overlay next to the bootstrap files: flux-system applies the Kustomization `apps`,
  // which applies the overlay — without any trigger.
  WriteApps(ground, {"deployment.yaml", "service.yaml", "configmap.yaml"}, "hello");
  const std::string first = ground.Push("Add the web app");
  ground.WaitUntil("apps is Ready at " + first,
                   [&] { return ground.KustomizationReadyAt("apps", first); });
  CHECK(ground.KustomizationReadyAt(ns, first));
  REQUIRE(ground.Get(kDeploymentKind, "web"));
  REQUIRE(ground.Get(kServiceKind, "web"));
  auto config = ground.Get(kConfigMapKind, "web-config");
  REQUIRE(config);
  CHECK((*config)["data"]["greeting"] == "hello");
  CHECK((*config)["metadata"]["labels"]["kustomize.toolkit.fluxcd.io/name"] == "apps");
  auto apps = ground.Get(kKustomizationKind, "apps");
  REQUIRE(apps);
  CHECK(InventoryIds(*apps) == std::set<std::string>{ns + "_web_apps_Deployment",
                                                     ns + "_web__Service",
                                                     ns + "_web-config__ConfigMap"});

  // A change pushed to Git is applied within the intervals (GitRepository 2s, then the source
  // change wakes the Kustomization), with nobody asking.
  WriteApps(ground, {"deployment.yaml", "service.yaml", "configmap.yaml"}, "changed");
  const std::string second = ground.Push("Change the greeting");
  const auto pushed_at = Clock::now();
  ground.WaitUntil("the change of " + second + " is applied", [&] {
    auto object = ground.Get(kConfigMapKind, "web-config");
    return object && (*object)["data"].value("greeting", "") == "changed" &&
           ground.KustomizationReadyAt("apps", second);
  });
  const auto took = Clock::now() - pushed_at;
  INFO("applied after " << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
                        << " ms");
  CHECK(took < std::chrono::seconds(10));

  // A file removed from Git is pruned; the rest stays.
  WriteApps(ground, {"deployment.yaml", "configmap.yaml"}, "changed");
  ground.RemoveFile("apps/service.yaml");
  const std::string third = ground.Push("Remove the Service");
  ground.WaitUntil("the Service is pruned at " + third, [&] {
    return !ground.Get(kServiceKind, "web") && ground.KustomizationReadyAt("apps", third);
  });
  apps = ground.Get(kKustomizationKind, "apps");
  REQUIRE(apps);
  CHECK(InventoryIds(*apps) ==
        std::set<std::string>{ns + "_web_apps_Deployment", ns + "_web-config__ConfigMap"});
  CHECK(ground.Get(kDeploymentKind, "web"));
  CHECK(ground.Get(kConfigMapKind, "web-config"));

  // Hand edits are reverted within the Kustomization's interval (3s)...
  auto hand_edit = [&](const std::string& greeting, int replicas) {
    REQUIRE(ground.client()
                .Patch(kConfigMapKind, ns, "web-config", kube::PatchType::kMerge,
                       Json{{"data", {{"greeting", greeting}}}}.dump())
                .ok());
    REQUIRE(ground.client()
                .Patch(kDeploymentKind, ns, "web", kube::PatchType::kMerge,
                       Json{{"spec", {{"replicas", replicas}}}}.dump())
                .ok());
  };
  auto reverted = [&] {
    auto object = ground.Get(kConfigMapKind, "web-config");
    auto web = ground.Get(kDeploymentKind, "web");
    return object && web && (*object)["data"].value("greeting", "") == "changed" &&
           (*web)["spec"].value("replicas", 0) == 1;
  };
  hand_edit("edited by hand", 3);
  REQUIRE_FALSE(reverted());
  ground.WaitUntil("the hand edits are reverted within the interval", reverted,
                   std::chrono::seconds(20));

  // ...and at once on request.
  hand_edit("edited again", 2);
  const std::string token = ground.RequestReconcile(kKustomizationKind, "apps");
  ground.WaitUntil("the requested reconcile reverts the hand edits", [&] {
    auto object = ground.Get(kKustomizationKind, "apps");
    return object && (*object)["status"].value("lastHandledReconcileAt", "") == token && reverted();
  });
}

TEST_CASE(
    "a broken commit keeps the last good state with Ready=False naming the file, and fixing it "
    "recovers",
    "[takeover]") {
  TakeoverGround ground("takeover-broken");
  ground.Bootstrap("2s");
  WriteApps(ground, {"deployment.yaml", "service.yaml", "configmap.yaml"}, "good");
  const std::string good = ground.Push("Add the web app");
  ground.WaitUntil("apps is Ready at " + good,
                   [&] { return ground.KustomizationReadyAt("apps", good); });

  // Invalid YAML in one file, and a change in another that must not be applied with it.
  WriteApps(ground, {"deployment.yaml", "service.yaml", "configmap.yaml", "broken.yaml"},
            "from the broken commit");
  ground.WriteFile("apps/broken.yaml", Testdata("broken.yaml"));
  const std::string broken = ground.Push("Break the overlay");
  Json ready;
  ground.WaitUntil("apps reports the failure of " + broken, [&] {
    auto apps = ground.Get(kKustomizationKind, "apps");
    if (!apps || (*apps)["status"].value("lastAttemptedRevision", "") != broken) return false;
    ready = TakeoverGround::Condition(*apps, "Ready");
    return ready.value("status", "") == "False";
  });
  INFO("Ready condition: " << ready.dump());
  const std::string message = ready.value("message", "");
  CHECK(message.find("apps/broken.yaml") != std::string::npos);
  CHECK(ready.value("reason", "") == "BuildFailed");
  auto apps = ground.Get(kKustomizationKind, "apps");
  REQUIRE(apps);
  CHECK((*apps)["status"].value("lastAppliedRevision", "") == good);
  CHECK(TakeoverGround::Condition(*apps, "Stalled").value("status", "") != "True");
  // The last good state keeps running: nothing of the broken commit was applied or pruned.
  auto config = ground.Get(kConfigMapKind, "web-config");
  REQUIRE(config);
  CHECK((*config)["data"]["greeting"] == "good");
  CHECK(ground.Get(kDeploymentKind, "web"));
  CHECK(ground.Get(kServiceKind, "web"));
  CHECK(InventoryIds(*apps).size() == 3);
  // flux-system builds another folder and stays Ready.
  ground.WaitUntil("flux-system is Ready at " + broken,
                   [&] { return ground.KustomizationReadyAt(ground.namespace_name(), broken); });

  // Fixing the file recovers at the new revision, without a trigger.
  ground.WriteFile("apps/broken.yaml",
                   "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: broken\ndata:\n"
                   "  key: fixed\n");
  const std::string fixed = ground.Push("Fix the overlay");
  ground.WaitUntil("apps is Ready at " + fixed,
                   [&] { return ground.KustomizationReadyAt("apps", fixed); });
  config = ground.Get(kConfigMapKind, "web-config");
  REQUIRE(config);
  CHECK((*config)["data"]["greeting"] == "from the broken commit");
  auto repaired = ground.Get(kConfigMapKind, "broken");
  REQUIRE(repaired);
  CHECK((*repaired)["data"]["key"] == "fixed");
}

}  // namespace
}  // namespace fluxcpp::testing
