// Issue 7: restarting the reconciler while it applies a large set loses nothing — the set
// converges with every object there, the inventory complete and nothing wrongly pruned — whether
// the process is killed outright (SIGKILL: the pod_runner starts it again in the same Pod, as the
// kubelet would) or its Pod is deleted (the Deployment starts a new one).
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>

#include "tests/e2e/reconciler_takeover/takeover_ground.h"

namespace fluxcpp::testing {
namespace {

constexpr int kBulkCount = 200;

// Bootstraps, applies `keep-*` ConfigMaps through the Kustomization `bulk`, then pushes 200 more
// and, once the reconciler has applied some but not all of them, runs `interrupt`. Afterwards
// everything must converge.
void InterruptBulkApply(TakeoverGround& ground,
                        const std::function<void(const Json& pod)>& interrupt,
                        std::chrono::seconds convergence) {
  const std::string& ns = ground.namespace_name();
  ground.Bootstrap("2s");
  const std::vector<std::string> kept = NumberedNames("keep", 5);
  WriteBulk(ground, kept);
  const std::string first = ground.Push("Add the kept ConfigMaps");
  ground.WaitUntil("bulk is Ready at " + first,
                   [&] { return ground.KustomizationReadyAt("bulk", first); });

  std::vector<std::string> all = kept;
  for (const std::string& name : NumberedNames("bulk", kBulkCount)) all.push_back(name);
  WriteBulk(ground, all);
  const std::string second = ground.Push("Add 200 ConfigMaps");

  std::optional<Json> pod = ground.ReconcilerPod();
  REQUIRE(pod);
  size_t applied_before = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (true) {
    applied_before = BulkConfigMaps(ground).size();
    if (applied_before > kept.size() + 10) break;
    if (std::chrono::steady_clock::now() > deadline)
      FAIL("the bulk apply did not start\n" << ground.Diagnostics());
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  interrupt(*pod);
  INFO("ConfigMaps there when interrupted: " << applied_before);
  // The interruption came in the middle of the apply, not after it.
  CHECK(applied_before < all.size());
  CHECK_FALSE(ground.KustomizationReadyAt("bulk", second));

  ground.WaitUntil(
      "bulk converges at " + second, [&] { return ground.KustomizationReadyAt("bulk", second); },
      convergence);
  const std::map<std::string, bool> found = BulkConfigMaps(ground);
  CHECK(found.size() == all.size());
  for (const std::string& name : all) {
    INFO(name);
    REQUIRE(found.count(name) == 1);
    CHECK_FALSE(found.at(name));  // not being deleted
  }
  auto bulk = ground.Get(kKustomizationKind, "bulk");
  REQUIRE(bulk);
  const std::set<std::string> inventory = InventoryIds(*bulk);
  CHECK(inventory.size() == all.size());
  for (const std::string& name : all) CHECK(inventory.count(ns + "_" + name + "__ConfigMap") == 1);
  CHECK(ground.KustomizationReadyAt(ns, second));
}

TEST_CASE("a reconciler killed mid-apply starts again and converges without losing anything",
          "[takeover][restart]") {
  TakeoverGround ground("takeover-kill");
  int killed_pid = -1;
  std::string pod_uid;
  InterruptBulkApply(
      ground,
      [&](const Json& pod) {
        pod_uid = pod["metadata"]["uid"];
        killed_pid = ground.ReconcilerPid(pod);
        REQUIRE(killed_pid > 0);
        REQUIRE(::kill(killed_pid, SIGKILL) == 0);
      },
      // The new process waits until the killed one's leader lease (35s) runs out.
      std::chrono::seconds(75));
  std::optional<Json> pod = ground.ReconcilerPod();
  REQUIRE(pod);
  CHECK((*pod)["metadata"]["uid"] == pod_uid);
  CHECK(ground.ReconcilerPid(*pod) != killed_pid);
}

TEST_CASE("a reconciler Pod deleted mid-apply is replaced and the set converges",
          "[takeover][restart]") {
  TakeoverGround ground("takeover-delete");
  std::string pod_name;
  InterruptBulkApply(
      ground,
      [&](const Json& pod) {
        pod_name = pod["metadata"]["name"];
        auto deleted = ground.client().Delete(kPodKind, ground.namespace_name(), pod_name);
        INFO(deleted.ToString());
        REQUIRE(deleted.ok());
      },
      std::chrono::seconds(60));
  std::optional<Json> pod = ground.ReconcilerPod();
  REQUIRE(pod);
  CHECK((*pod)["metadata"]["name"] != pod_name);
}

TEST_CASE(
    "a reconciler Pod deleted on a rollout releases its leader Lease as it stops, so the new Pod "
    "leads well before the lease would have expired",
    "[takeover][restart]") {
  const manifest::GroupVersionKind lease_kind{"coordination.k8s.io", "v1", "Lease"};
  TakeoverGround ground("takeover-lease");
  ground.Bootstrap("2s");
  auto holder = [&] {
    auto lease = ground.Get(lease_kind, "flux-reconciler-leader-election");
    return lease ? (*lease)["spec"].value("holderIdentity", "") : std::string();
  };
  std::string first_holder;
  ground.WaitUntil("the first reconciler leads", [&] {
    first_holder = holder();
    return !first_holder.empty();
  });
  std::optional<Json> pod = ground.ReconcilerPod();
  REQUIRE(pod);

  // The old process is stopped with SIGTERM while its Pod stays, terminating, so its Pod-bound
  // token still works and it can give the Lease up; the new process takes it at its first try
  // instead of waiting out the lease duration (35s).
  const auto deleted_at = std::chrono::steady_clock::now();
  REQUIRE(
      ground.client().Delete(kPodKind, ground.namespace_name(), (*pod)["metadata"]["name"]).ok());
  ground.WaitUntil(
      "a new reconciler leads",
      [&] {
        const std::string now = holder();
        return !now.empty() && now != first_holder;
      },
      std::chrono::seconds(60));
  const auto took = std::chrono::steady_clock::now() - deleted_at;
  INFO("the new reconciler leads after "
       << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms\n"
       << ground.Diagnostics());
  CHECK(took < std::chrono::seconds(15));
}

}  // namespace
}  // namespace fluxcpp::testing
