// A watch keeps going while the API server restarts: it resumes (or lists again) and loses no event
// for the objects under test.
#include <catch2/catch.hpp>
#include <future>
#include <set>

#include "lib/kube/client.h"
#include "tests/e2e/support/ground.h"

namespace fluxcpp::kube {
namespace {

using fluxcpp::testing::AdminClient;
using fluxcpp::testing::RunGround;
using fluxcpp::testing::ScopedNamespace;

Object ConfigMap(const std::string& namespace_name, const std::string& name) {
  return Object(Json{{"apiVersion", "v1"},
                     {"kind", "ConfigMap"},
                     {"metadata", {{"name", name}, {"namespace", namespace_name}}},
                     {"data", {{"a", "b"}}}});
}

TEST_CASE("a watch survives an API server restart without losing events") {
  auto client = AdminClient();
  ScopedNamespace ns(*client, "watch-restart");
  REQUIRE(client->Create(ConfigMap(ns.name(), "before")).ok());

  std::atomic<bool> cancel{false};
  std::mutex mutex;
  std::set<std::string> seen;  // "ADDED before", "DELETED before", "ADDED after"
  auto record = [&](const WatchEvent& event) {
    std::lock_guard lock(mutex);
    if (event.type == WatchEventType::kAdded) seen.insert("ADDED " + event.object.Name());
    if (event.type == WatchEventType::kDeleted) seen.insert("DELETED " + event.object.Name());
    return !(seen.contains("DELETED before") && seen.contains("ADDED after"));
  };
  auto watching = std::async(std::launch::async, [&] {
    return client->Watch({"", "v1", "ConfigMap"}, ns.name(),
                         {.timeout_seconds = 60, .cancel = &cancel}, record);
  });
  auto wait_for = [&](const std::string& entry) {
    for (int i = 0; i < 300; ++i) {
      {
        std::lock_guard lock(mutex);
        if (seen.contains(entry)) return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  };
  REQUIRE(wait_for("ADDED before"));

  RunGround({"restart", "kube-apiserver"});
  // Changes made right after the restart, while the watch is still reconnecting.
  auto writer = AdminClient();
  REQUIRE(writer->Delete({"", "v1", "ConfigMap"}, ns.name(), "before").ok());
  REQUIRE(writer->Create(ConfigMap(ns.name(), "after")).ok());

  bool complete = watching.wait_for(std::chrono::seconds(90)) == std::future_status::ready;
  if (!complete) {
    cancel = true;
    watching.wait();
  }
  absl::Status result = watching.get();
  INFO(result.ToString());
  CHECK(result.ok());
  CHECK(complete);
  std::lock_guard lock(mutex);
  CHECK(seen.contains("DELETED before"));
  CHECK(seen.contains("ADDED after"));
}

}  // namespace
}  // namespace fluxcpp::kube

namespace fluxcpp::kube {
namespace {

TEST_CASE("a request sent while the API server is down is retried until it answers") {
  auto config = fluxcpp::testing::AdminConfig();
  // Patient enough to outlast a restart (about 10 s here).
  auto client = Client::Create(
      config, {.transport = {.max_attempts = 60, .max_backoff = std::chrono::milliseconds(1000)}});
  REQUIRE(client.ok());
  auto probe = fluxcpp::testing::AdminClient();
  auto restarting = std::async(std::launch::async, [] {
    RunGround({"restart", "kube-apiserver"});
  });
  // Wait until the server is really gone, so the request below meets a refused connection.
  bool down = false;
  for (int i = 0; i < 200 && !down; ++i) {
    down = probe->Call("GET", "/version").status().code() == absl::StatusCode::kUnavailable;
    if (!down) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  REQUIRE(down);
  uint64_t before = (*client)->transport().requests_sent();
  auto version = (*client)->Call("GET", "/version");
  INFO(version.status().ToString());
  CHECK(version.ok());
  CHECK((*client)->transport().requests_sent() - before > 1);
  restarting.wait();
}

}  // namespace
}  // namespace fluxcpp::kube
