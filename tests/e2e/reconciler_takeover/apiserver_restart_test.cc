// Issue 7: restarting the API server while the reconciler applies a large set loses nothing; the
// reconciler's watches and requests recover and the set converges. This disturbs the whole ground,
// so it runs alone (RUN_SERIAL, its own executable).
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>

#include "tests/e2e/reconciler_takeover/takeover_ground.h"

namespace fluxcpp::testing {
namespace {

TEST_CASE("an API server restart in the middle of an apply loses nothing and converges",
          "[takeover][apiserver]") {
  TakeoverGround ground("takeover-apiserver");
  const std::string& ns = ground.namespace_name();
  ground.Bootstrap("2s");
  const std::vector<std::string> kept = NumberedNames("keep", 5);
  WriteBulk(ground, kept);
  const std::string first = ground.Push("Add the kept ConfigMaps");
  ground.WaitUntil("bulk is Ready at " + first,
                   [&] { return ground.KustomizationReadyAt("bulk", first); });
  std::optional<Json> pod = ground.ReconcilerPod();
  REQUIRE(pod);
  const int pid = ground.ReconcilerPid(*pod);

  std::vector<std::string> all = kept;
  for (const std::string& name : NumberedNames("bulk", 200)) all.push_back(name);
  WriteBulk(ground, all);
  const std::string second = ground.Push("Add 200 ConfigMaps");
  size_t applied_before = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while ((applied_before = BulkConfigMaps(ground).size()) <= kept.size() + 10) {
    if (std::chrono::steady_clock::now() > deadline) {
      FAIL("the bulk apply did not start\n" << ground.Diagnostics());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const auto restarted_at = std::chrono::steady_clock::now();
  RunGround({"restart", "kube-apiserver"});
  INFO("restart took " << std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::steady_clock::now() - restarted_at)
                              .count()
                       << " ms");
  INFO("ConfigMaps there when the API server went down: " << applied_before);
  CHECK(applied_before < all.size());
  const auto back_at = std::chrono::steady_clock::now();

  ground.WaitUntil(
      "bulk converges at " + second, [&] { return ground.KustomizationReadyAt("bulk", second); },
      std::chrono::seconds(45));
  const auto converged_after = std::chrono::steady_clock::now() - back_at;
  INFO(
      "converged " << std::chrono::duration_cast<std::chrono::milliseconds>(converged_after).count()
                   << " ms after the API server was back");
  const std::map<std::string, bool> found = BulkConfigMaps(ground);
  CHECK(found.size() == all.size());
  for (const std::string& name : all) {
    INFO(name);
    REQUIRE(found.count(name) == 1);
    CHECK_FALSE(found.at(name));
  }
  auto bulk = ground.Get(kKustomizationKind, "bulk");
  REQUIRE(bulk);
  const std::set<std::string> inventory = InventoryIds(*bulk);
  CHECK(inventory.size() == all.size());
  for (const std::string& name : all) CHECK(inventory.count(ns + "_" + name + "__ConfigMap") == 1);

  // The reconciler still follows Git after the restart: a removal is pruned.
  WriteBulk(ground, kept);
  for (const std::string& name : NumberedNames("bulk", 200))
    ground.RemoveFile("bulk/" + name + ".yaml");
  const std::string third = ground.Push("Remove the 200 ConfigMaps");
  ground.WaitUntil("bulk prunes at " + third, [&] {
    return ground.KustomizationReadyAt("bulk", third) &&
           BulkConfigMaps(ground).size() == kept.size();
  });
  // It rode the outage out: the same process still runs, never restarted.
  std::optional<Json> after = ground.ReconcilerPod();
  REQUIRE(after);
  CHECK((*after)["metadata"]["uid"] == (*pod)["metadata"]["uid"]);
  CHECK(ground.ReconcilerPid(*after) == pid);
  CHECK(ground.runner().Log().find("(start 2)") == std::string::npos);
}

}  // namespace
}  // namespace fluxcpp::testing
