// The client's calls against the real API server: typed errors, discovery of a fresh CRD, paged
// lists, patches, server-side apply, status writes, events and impersonation.
#include "lib/kube/client.h"

#include <catch2/catch.hpp>
#include <thread>

#include "lib/kube/errors.h"
#include "tests/e2e/support/ground.h"

namespace fluxcpp::kube {
namespace {

using fluxcpp::testing::AdminClient;
using fluxcpp::testing::AdminConfig;
using fluxcpp::testing::ScopedNamespace;

const GroupVersionKind kConfigMap{"", "v1", "ConfigMap"};

Object ConfigMap(const std::string& namespace_name, const std::string& name, const Json& data) {
  return Object(Json{{"apiVersion", "v1"},
                     {"kind", "ConfigMap"},
                     {"metadata", {{"name", name}, {"namespace", namespace_name}}},
                     {"data", data}});
}

TEST_CASE("create, get, update, patch and delete with typed errors") {
  auto client = AdminClient();
  ScopedNamespace ns(*client, "client-crud");
  auto created = client->Create(ConfigMap(ns.name(), "settings", {{"color", "blue"}}));
  REQUIRE(created.ok());
  auto again = client->Create(ConfigMap(ns.name(), "settings", {{"color", "red"}}));
  CHECK(IsAlreadyExistsError(again.status()));
  CHECK(again.status().code() == absl::StatusCode::kAlreadyExists);
  CHECK_THAT(std::string(again.status().message()),
             Catch::StartsWith("ConfigMap/" + ns.name() + "/settings: create: AlreadyExists"));

  Object stale = *created;
  Object updated = *created;
  updated.json()["data"]["color"] = "green";
  REQUIRE(client->Update(updated).ok());
  stale.json()["data"]["color"] = "yellow";
  auto conflict = client->Update(stale);
  CHECK(IsConflictError(conflict.status()));

  auto patched = client->Patch(kConfigMap, ns.name(), "settings", PatchType::kMerge,
                               R"({"data": {"size": "large"}})");
  REQUIRE(patched.ok());
  CHECK(patched->json()["data"] == Json({{"color", "green"}, {"size", "large"}}));

  auto invalid = client->Create(ConfigMap(ns.name(), "Not_A_Valid_Name", {{"a", "b"}}));
  CHECK(IsInvalidError(invalid.status()));
  CHECK_THAT(std::string(invalid.status().message()), Catch::Contains("metadata.name"));

  REQUIRE(client->Delete(kConfigMap, ns.name(), "settings").ok());
  auto gone = client->Get(kConfigMap, ns.name(), "settings");
  CHECK(IsNotFoundError(gone.status()));
  CHECK(gone.status().code() == absl::StatusCode::kNotFound);
  CHECK(IsNotFoundError(client->Delete(kConfigMap, ns.name(), "settings")));
}

TEST_CASE("lists are paged until complete and honour label selectors") {
  auto client = AdminClient();
  ScopedNamespace ns(*client, "client-list");
  for (int i = 0; i < 12; ++i) {
    Object config_map =
        ConfigMap(ns.name(), "item-" + std::to_string(i), {{"i", std::to_string(i)}});
    config_map.SetLabel("parity", i % 2 ? "odd" : "even");
    REQUIRE(client->Create(config_map).ok());
  }
  auto all = client->List(kConfigMap, ns.name(), {.page_size = 5});
  REQUIRE(all.ok());
  // kube-root-ca.crt is published into every namespace by the controller manager, soon after
  // creation
  int ours = 0;
  for (const Object& item : all->items) ours += item.Name().starts_with("item-");
  CHECK(ours == 12);
  CHECK_FALSE(all->resource_version.empty());
  CHECK(all->items.front().Kind() == "ConfigMap");
  auto odd = client->List(kConfigMap, ns.name(), {.label_selector = "parity=odd"});
  REQUIRE(odd.ok());
  CHECK(odd->items.size() == 6);
}

TEST_CASE("a CRD is usable right after it is established, through discovery refresh") {
  auto client = AdminClient();
  const GroupVersionKind gadget{"client.fluxcpp.test", "v1", "Gadget"};
  // Resolve first so that the group is cached as missing before the CRD exists.
  CHECK_FALSE(client->Resolve(gadget).ok());
  Json crd = {
      {"apiVersion", "apiextensions.k8s.io/v1"},
      {"kind", "CustomResourceDefinition"},
      {"metadata", {{"name", "gadgets.client.fluxcpp.test"}}},
      {"spec",
       {{"group", "client.fluxcpp.test"},
        {"scope", "Namespaced"},
        {"names", {{"plural", "gadgets"}, {"singular", "gadget"}, {"kind", "Gadget"}}},
        {"versions", Json::array({{{"name", "v1"},
                                   {"served", true},
                                   {"storage", true},
                                   {"subresources", {{"status", Json::object()}}},
                                   {"schema",
                                    {{"openAPIV3Schema",
                                      {{"type", "object"},
                                       {"x-kubernetes-preserve-unknown-fields", true}}}}}}})}}}};
  auto applied = client->Apply(Object(crd), {.field_manager = "client-test", .force = true});
  INFO(applied.status().ToString());
  REQUIRE(applied.ok());
  ScopedNamespace ns(*client, "client-crd");
  absl::StatusOr<Object> created = absl::UnknownError("not tried");
  for (int attempt = 0; attempt < 50 && !created.ok(); ++attempt) {
    created = client->Create(Object(Json{{"apiVersion", "client.fluxcpp.test/v1"},
                                         {"kind", "Gadget"},
                                         {"metadata", {{"name", "g1"}, {"namespace", ns.name()}}},
                                         {"spec", {{"size", 3}}}}));
    if (!created.ok()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  INFO(created.status().ToString());
  REQUIRE(created.ok());
  Object with_status = *created;
  with_status.json()["status"] = {{"phase", "Ready"}};
  auto status_written = client->UpdateStatus(with_status);
  REQUIRE(status_written.ok());
  CHECK(status_written->json()["status"]["phase"] == "Ready");
  REQUIRE(client
              ->Delete({"apiextensions.k8s.io", "v1", "CustomResourceDefinition"}, "",
                       "gadgets.client.fluxcpp.test")
              .ok());
}

TEST_CASE("server-side apply: dry run stores nothing, field ownership conflicts are reported") {
  auto client = AdminClient();
  ScopedNamespace ns(*client, "client-apply");
  Object desired = ConfigMap(ns.name(), "owned", {{"key", "one"}});
  auto dry = client->Apply(desired, {.field_manager = "first", .dry_run = true});
  REQUIRE(dry.ok());
  CHECK(IsNotFoundError(client->Get(kConfigMap, ns.name(), "owned").status()));
  REQUIRE(client->Apply(desired, {.field_manager = "first"}).ok());
  Object rival = ConfigMap(ns.name(), "owned", {{"key", "two"}});
  auto conflict = client->Apply(rival, {.field_manager = "second"});
  CHECK(IsConflictError(conflict.status()));
  CHECK_THAT(std::string(conflict.status().message()), Catch::Contains("conflict"));
  auto forced = client->Apply(rival, {.field_manager = "second", .force = true});
  REQUIRE(forced.ok());
  CHECK(forced->json()["data"]["key"] == "two");
}

TEST_CASE("events are recorded about an object") {
  auto client = AdminClient();
  ScopedNamespace ns(*client, "client-events");
  auto created = client->Create(ConfigMap(ns.name(), "subject", {{"a", "b"}}));
  REQUIRE(created.ok());
  REQUIRE(
      client
          ->RecordEvent(*created, "Normal", "Tested", "an event from the e2e test", "fluxcpp-test")
          .ok());
  auto events = client->List({"", "v1", "Event"}, ns.name(),
                             {.field_selector = "involvedObject.name=subject"});
  REQUIRE(events.ok());
  REQUIRE(events->items.size() == 1);
  CHECK(events->items[0].json()["reason"] == "Tested");
}

TEST_CASE("impersonating a ServiceAccount without RBAC rights is Forbidden, with that message") {
  auto admin = AdminClient();
  ScopedNamespace ns(*admin, "client-impersonate");
  REQUIRE(admin
              ->Create(Object(Json{{"apiVersion", "v1"},
                                   {"kind", "ServiceAccount"},
                                   {"metadata", {{"name", "nobody"}, {"namespace", ns.name()}}}}))
              .ok());
  auto as_nobody = Client::Create(AdminConfig().ImpersonatingServiceAccount(ns.name(), "nobody"));
  REQUIRE(as_nobody.ok());
  CHECK(fluxcpp::testing::WhoAmI(**as_nobody) == "system:serviceaccount:" + ns.name() + ":nobody");
  auto listed = (*as_nobody)->List(kConfigMap, ns.name());
  REQUIRE_FALSE(listed.ok());
  CHECK(IsForbiddenError(listed.status()));
  CHECK(listed.status().code() == absl::StatusCode::kPermissionDenied);
  CHECK_THAT(std::string(listed.status().message()),
             Catch::Contains("User \"system:serviceaccount:" + ns.name() +
                             ":nobody\" cannot list resource \"configmaps\""));
}

}  // namespace
}  // namespace fluxcpp::kube

namespace fluxcpp::kube {
namespace {

TEST_CASE(
    "a watch from a resource version the server no longer has lists again and misses nothing") {
  auto client = fluxcpp::testing::AdminClient();
  fluxcpp::testing::ScopedNamespace ns(*client, "client-watch-gone");
  REQUIRE(client->Create(ConfigMap(ns.name(), "existing", {{"a", "b"}})).ok());
  std::vector<std::string> added;
  // Version "1" is older than anything the server keeps: it answers 410 Gone.
  absl::Status result = client->Watch(
      {"", "v1", "ConfigMap"}, ns.name(), {.resource_version = "1"}, [&](const WatchEvent& event) {
        if (event.type == WatchEventType::kAdded) {
          added.push_back(event.object.Name());
        }
        return std::find(added.begin(), added.end(), "existing") == added.end();
      });
  INFO(result.ToString());
  CHECK(result.ok());
  CHECK(std::find(added.begin(), added.end(), "existing") != added.end());
}

}  // namespace
}  // namespace fluxcpp::kube

namespace fluxcpp::kube {
namespace {

TEST_CASE("JSON patches and delete preconditions") {
  auto client = fluxcpp::testing::AdminClient();
  fluxcpp::testing::ScopedNamespace ns(*client, "client-json-patch");
  auto created = client->Create(ConfigMap(ns.name(), "target", {{"a", "1"}, {"b", "2"}}));
  REQUIRE(created.ok());
  auto patched = client->Patch(kConfigMap, ns.name(), "target", PatchType::kJson,
                               R"([{"op": "remove", "path": "/data/a"},
                                   {"op": "add", "path": "/data/c", "value": "3"}])");
  REQUIRE(patched.ok());
  CHECK(patched->json()["data"] == Json({{"b", "2"}, {"c", "3"}}));
  auto failed_test = client->Patch(kConfigMap, ns.name(), "target", PatchType::kJson,
                                   R"([{"op": "test", "path": "/data/b", "value": "9"}])");
  CHECK_FALSE(failed_test.ok());

  std::string uid = created->json()["metadata"]["uid"];
  absl::Status wrong_uid =
      client->Delete(kConfigMap, ns.name(), "target", {.precondition_uid = "not-" + uid});
  CHECK(IsConflictError(wrong_uid));
  CHECK(client->Get(kConfigMap, ns.name(), "target").ok());
  CHECK(client->Delete(kConfigMap, ns.name(), "target", {.precondition_uid = uid}).ok());
}

TEST_CASE("insecure-skip-tls-verify reaches the server without its CA") {
  ClusterConfig config = fluxcpp::testing::AdminConfig();
  config.tls.ca_pem.clear();
  auto strict = Client::Create(config);
  REQUIRE(strict.ok());
  CHECK((*strict)->Call("GET", "/version").status().code() == absl::StatusCode::kUnavailable);
  config.tls.insecure_skip_verify = true;
  auto insecure = Client::Create(config);
  REQUIRE(insecure.ok());
  CHECK((*insecure)->Call("GET", "/version").ok());
}

}  // namespace
}  // namespace fluxcpp::kube
