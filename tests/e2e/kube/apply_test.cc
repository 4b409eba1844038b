// The apply engine against the real API server (with kwok nodes): staged apply of a mixed set,
// drift detection, whole-set validation, immutable fields, waiting for health, and deleting a set.
#include "lib/kube/apply.h"

#include <absl/strings/str_replace.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <set>
#include <thread>

#include "lib/kube/errors.h"
#include "lib/manifest/yaml.h"
#include "tests/e2e/support/ground.h"
#include "tests/unit/testdata.h"

namespace fluxcpp::kube {
namespace {

using fluxcpp::testing::AdminClient;
using fluxcpp::testing::ReadTestdata;
using fluxcpp::testing::ScopedNamespace;

std::vector<Object> ReadSet(const std::string& file, const std::string& namespace_name) {
  std::string text = absl::StrReplaceAll(ReadTestdata(file), {{"NAMESPACE", namespace_name}});
  auto objects = manifest::ReadObjects(text, file);
  INFO(objects.status().ToString());
  REQUIRE(objects.ok());
  return *objects;
}

Object Deployment(const std::string& namespace_name, const std::string& name,
                  const std::string& app, int replicas) {
  return Object(Json{
      {"apiVersion", "apps/v1"},
      {"kind", "Deployment"},
      {"metadata", {{"name", name}, {"namespace", namespace_name}}},
      {"spec",
       {{"replicas", replicas},
        {"selector", {{"matchLabels", {{"app", app}}}}},
        {"template",
         {{"metadata", {{"labels", {{"app", app}}}}},
          {"spec",
           {{"containers", Json::array({{{"name", "main"},
                                         {"image", "registry.invalid/" + app + ":1"}}})}}}}}}}});
}

TEST_CASE("a mixed set of 50 objects with a CRD and its custom objects applies in stages") {
  auto client = AdminClient();
  ScopedNamespace ns(*client, "apply-mixed");
  std::vector<Object> set = ReadSet("mixed-set.yaml", ns.name());
  REQUIRE(set.size() == 50);

  ApplyResult first = ApplyAll(*client, set);
  INFO(first.status.ToString());
  REQUIRE(first.status.ok());
  CHECK(first.change_set.changes.size() == 50);
  CHECK(first.change_set.Count(Action::kCreated) + first.change_set.Count(Action::kUnchanged) ==
        50);
  auto sprocket = client->Get({"apply.fluxcpp.test", "v1", "Sprocket"}, ns.name(), "sprocket-3");
  REQUIRE(sprocket.ok());
  CHECK(sprocket->json()["spec"]["teeth"] == 13);
  auto extra = client->Get({"", "v1", "ConfigMap"}, ns.name() + "-extra", "extra-1");
  CHECK(extra.ok());

  ApplyResult second = ApplyAll(*client, set);
  REQUIRE(second.status.ok());
  CHECK(second.change_set.Count(Action::kUnchanged) == 50);
  CHECK(second.change_set.Summary() == "50 unchanged");

  for (Object& object : set) {
    if (object.Name() == "settings-07") object.json()["data"]["mode"] = "0644";
  }
  ApplyResult third = ApplyAll(*client, set);
  REQUIRE(third.status.ok());
  CHECK(third.change_set.Summary() == "1 configured, 49 unchanged");
  for (const Change& change : third.change_set.changes) {
    if (change.action == Action::kConfigured) {
      CHECK(change.subject == "ConfigMap/" + ns.name() + "/settings-07");
      CHECK(change.identity == ns.name() + "_settings-07__ConfigMap");
    }
  }
  auto changed = client->Get({"", "v1", "ConfigMap"}, ns.name(), "settings-07");
  CHECK(changed->json()["data"]["mode"] == "0644");

  ApplyResult removed = DeleteAll(*client, set);
  CHECK(removed.status.ok());
  CHECK(removed.change_set.Count(Action::kDeleted) == 50);
}

std::vector<Object> ConfigMaps(const std::string& namespace_name, int count) {
  std::vector<Object> set;
  for (int i = 0; i < count; ++i) {
    set.emplace_back(
        Json{{"apiVersion", "v1"},
             {"kind", "ConfigMap"},
             {"metadata",
              {{"name", "cancel-" + std::to_string(1000 + i)}, {"namespace", namespace_name}}},
             {"data", {{"index", std::to_string(i)}}}});
  }
  return set;
}

TEST_CASE("a cancel stops an apply between objects and reports exactly what was applied") {
  auto client = AdminClient();
  ScopedNamespace ns(*client, "apply-cancel");
  const std::vector<Object> set = ConfigMaps(ns.name(), 400);

  SECTION("cancelled before it starts, nothing is applied") {
    std::atomic<bool> cancel{true};
    ApplyResult result = ApplyAll(*client, set, {.cancel = &cancel});
    CHECK(result.status.code() == absl::StatusCode::kCancelled);
    CHECK(result.change_set.changes.empty());
    auto listed = client->List({"", "v1", "ConfigMap"}, ns.name());
    REQUIRE(listed.ok());
    for (const Object& item : listed->items) CHECK(item.Name().rfind("cancel-", 0) != 0);
  }

  SECTION("cancelled half-way, the change set names every object that exists") {
    std::atomic<bool> cancel{false};
    std::atomic<bool> done{false};
    // Cancels once the first ConfigMaps exist (the dry runs of the whole set come first).
    std::thread canceller([&] {
      while (!done.load()) {
        if (client->Get({"", "v1", "ConfigMap"}, ns.name(), "cancel-1000").ok() ||
            client->Get({"", "v1", "ConfigMap"}, ns.name(), "cancel-1001").ok()) {
          cancel = true;
          return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    });
    ApplyResult result = ApplyAll(*client, set, {.concurrency = 2, .cancel = &cancel});
    done = true;
    canceller.join();
    INFO(result.status.ToString());
    std::set<std::string> reported;
    for (const Change& change : result.change_set.changes) {
      CHECK(change.action == Action::kCreated);
      reported.insert(change.subject);
    }
    auto listed = client->List({"", "v1", "ConfigMap"}, ns.name());
    REQUIRE(listed.ok());
    std::set<std::string> live;
    for (const Object& item : listed->items) {
      if (item.Name().rfind("cancel-", 0) == 0) live.insert(item.Describe());
    }
    // An apply that finished before the cancel was seen is no failure of this test's machine,
    // but then there is nothing to check about cancelling.
    if (result.status.ok()) {
      WARN("the apply finished before the cancel");
      CHECK(live.size() == set.size());
    } else {
      CHECK(result.status.code() == absl::StatusCode::kCancelled);
      CHECK_THAT(std::string(result.status.message()), Catch::Contains("objects applied"));
      CHECK(live.size() < set.size());
    }
    CHECK(reported == live);
  }
}

TEST_CASE("one invalid object in a set applies nothing, and the error names it") {
  auto client = AdminClient();
  ScopedNamespace ns(*client, "apply-invalid");
  ApplyResult result = ApplyAll(*client, ReadSet("invalid-set.yaml", ns.name()));
  REQUIRE_FALSE(result.status.ok());
  CHECK(result.change_set.changes.empty());
  std::string message(result.status.message());
  CHECK_THAT(message, Catch::Contains("nothing was applied"));
  CHECK_THAT(message, Catch::Contains("Deployment/" + ns.name() + "/broken"));
  CHECK_THAT(message, Catch::Contains("spec.replicas"));
  CHECK(IsNotFoundError(client->Get({"", "v1", "ConfigMap"}, ns.name(), "first").status()));
  CHECK(IsNotFoundError(client->Get({"", "v1", "ConfigMap"}, ns.name(), "second").status()));
}

TEST_CASE("a changed immutable field is an error naming it, or a recreation when forced") {
  auto client = AdminClient();
  ScopedNamespace ns(*client, "apply-immutable");
  REQUIRE(ApplyAll(*client, {Deployment(ns.name(), "web", "web", 1)}).status.ok());
  Object moved = Deployment(ns.name(), "web", "web-v2", 1);

  ApplyResult refused = ApplyAll(*client, {moved});
  REQUIRE_FALSE(refused.status.ok());
  CHECK_THAT(std::string(refused.status.message()),
             Catch::Contains("Deployment/" + ns.name() + "/web"));
  CHECK_THAT(std::string(refused.status.message()), Catch::Contains("spec.selector"));
  CHECK_THAT(std::string(refused.status.message()), Catch::Contains("immutable"));

  moved.SetAnnotation("kustomize.toolkit.fluxcd.io/force", "enabled");
  ApplyResult recreated = ApplyAll(*client, {moved});
  INFO(recreated.status.ToString());
  REQUIRE(recreated.status.ok());
  CHECK(recreated.change_set.Count(Action::kCreated) == 1);
  auto live = client->Get({"apps", "v1", "Deployment"}, ns.name(), "web");
  REQUIRE(live.ok());
  CHECK(live->json()["spec"]["selector"]["matchLabels"]["app"] == "web-v2");
}

TEST_CASE("waiting for a set reports the objects that do not become ready") {
  auto client = AdminClient();
  ScopedNamespace ns(*client, "apply-wait");
  Object ready = Deployment(ns.name(), "ready", "ready", 2);
  Object stuck = Deployment(ns.name(), "stuck", "stuck", 1);
  // No node carries this label, so its Pod is never scheduled.
  stuck.json()["spec"]["template"]["spec"]["nodeSelector"] = {{"fluxcpp.test/nowhere", "true"}};
  REQUIRE(ApplyAll(*client, {ready, stuck}).status.ok());

  absl::Status ready_wait = WaitForSet(*client, {ready}, {.timeout = std::chrono::seconds(90)});
  INFO(ready_wait.ToString());
  CHECK(ready_wait.ok());
  absl::Status stuck_wait =
      WaitForSet(*client, {ready, stuck}, {.timeout = std::chrono::seconds(8)});
  REQUIRE_FALSE(stuck_wait.ok());
  CHECK(stuck_wait.code() == absl::StatusCode::kDeadlineExceeded);
  std::string message(stuck_wait.message());
  CHECK_THAT(message, Catch::Contains("1 of 2 objects"));
  CHECK_THAT(message, Catch::Contains("Deployment/" + ns.name() + "/stuck is InProgress"));
}

TEST_CASE("deleting a set keeps objects marked to be kept and treats missing ones as deleted") {
  auto client = AdminClient();
  ScopedNamespace ns(*client, "apply-delete");
  auto config_map = [&](const std::string& name) {
    return Object(Json{{"apiVersion", "v1"},
                       {"kind", "ConfigMap"},
                       {"metadata", {{"name", name}, {"namespace", ns.name()}}},
                       {"data", {{"k", "v"}}}});
  };
  Object kept = config_map("kept");
  kept.SetAnnotation("kustomize.toolkit.fluxcd.io/prune", "disabled");
  std::vector<Object> set = {config_map("gone"), kept, config_map("never-created")};
  REQUIRE(ApplyAll(*client, {set[0], set[1]}).status.ok());
  ApplyResult result = DeleteAll(*client, set);
  CHECK(result.status.ok());
  CHECK(result.change_set.Summary() == "2 deleted, 1 skipped");
  CHECK(client->Get({"", "v1", "ConfigMap"}, ns.name(), "kept").ok());
  CHECK(IsNotFoundError(client->Get({"", "v1", "ConfigMap"}, ns.name(), "gone").status()));
}

}  // namespace
}  // namespace fluxcpp::kube
