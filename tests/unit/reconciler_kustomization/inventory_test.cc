#include "reconciler/kustomization/inventory.h"

#include <catch2/catch.hpp>

#include "lib/manifest/yaml.h"

namespace fluxcpp::reconciler::kustomization {
namespace {

using manifest::Json;

TEST_CASE("inventory ids follow Flux's <namespace>_<name>_<group>_<kind>") {
  std::vector<manifest::Object> objects{
      manifest::Object(Json{{"apiVersion", "apps/v1"},
                            {"kind", "Deployment"},
                            {"metadata", {{"name", "web"}, {"namespace", "apps"}}}}),
      manifest::Object(Json{{"apiVersion", "v1"},
                            {"kind", "Service"},
                            {"metadata", {{"name", "web"}, {"namespace", "apps"}}}}),
      manifest::Object(Json{{"apiVersion", "rbac.authorization.k8s.io/v1"},
                            {"kind", "ClusterRole"},
                            {"metadata", {{"name", "reader"}}}})};
  Inventory inventory = InventoryOf(objects);
  REQUIRE(inventory.size() == 3);
  CHECK(inventory[0] == InventoryEntry{"_reader_rbac.authorization.k8s.io_ClusterRole", "v1"});
  CHECK(inventory[1] == InventoryEntry{"apps_web__Service", "v1"});
  CHECK(inventory[2] == InventoryEntry{"apps_web_apps_Deployment", "v1"});
}

TEST_CASE("inventories round-trip through status JSON") {
  Inventory inventory{{"a_b__ConfigMap", "v1"}, {"a_c_apps_Deployment", "v1"}};
  Json json = InventoryToJson(inventory);
  CHECK(json["entries"][0]["id"] == "a_b__ConfigMap");
  CHECK(json["entries"][0]["v"] == "v1");
  auto read = InventoryFromJson(json);
  REQUIRE(read.ok());
  CHECK(*read == inventory);
  CHECK(InventoryFromJson(Json())->empty());
  CHECK_FALSE(InventoryFromJson(Json{{"entries", {{{"v", "v1"}}}}}).ok());
}

TEST_CASE("the diff holds what left, dependents before what they need") {
  Inventory old_inventory{{"_apps__Namespace", "v1"},
                          {"apps_web_apps_Deployment", "v1"},
                          {"apps_web__Service", "v1"},
                          {"apps_config__ConfigMap", "v1"}};
  Inventory new_inventory{{"apps_config__ConfigMap", "v1"},
                          {"apps_web_apps_Deployment", "v2"}};  // a new version is the same object
  Inventory stale = InventoryDiff(old_inventory, new_inventory);
  REQUIRE(stale.size() == 2);
  CHECK(stale[0].id == "apps_web__Service");
  CHECK(stale[1].id == "_apps__Namespace");
  CHECK(InventoryDiff(new_inventory, new_inventory).empty());
}

TEST_CASE("entries turn back into objects to delete") {
  auto service = ObjectOf({"apps_web__Service", "v1"});
  REQUIRE(service.ok());
  CHECK(service->ApiVersion() == "v1");
  CHECK(service->Namespace() == "apps");
  CHECK(service->Name() == "web");
  auto role = ObjectOf({"_reader_rbac.authorization.k8s.io_ClusterRole", "v1"});
  REQUIRE(role.ok());
  CHECK(role->ApiVersion() == "rbac.authorization.k8s.io/v1");
  CHECK(role->Namespace().empty());
  auto broken = ObjectOf({"no-underscores", "v1"});
  REQUIRE_FALSE(broken.ok());
  CHECK_THAT(std::string(broken.status().message()), Catch::Contains("no-underscores"));
}

TEST_CASE("change sets give the inventory of what was applied") {
  kube::ChangeSet change_set;
  change_set.changes = {{"ConfigMap/a/x", "a_x__ConfigMap", "v1", kube::Action::kCreated},
                        {"ConfigMap/a/y", "a_y__ConfigMap", "v1", kube::Action::kUnchanged},
                        {"ConfigMap/a/z", "a_z__ConfigMap", "v1", kube::Action::kSkipped},
                        {"ConfigMap/a/w", "a_w__ConfigMap", "v1", kube::Action::kDeleted}};
  Inventory inventory = InventoryOf(change_set);
  REQUIRE(inventory.size() == 3);
  CHECK(inventory[0].id == "a_x__ConfigMap");
  CHECK(inventory[2].id == "a_z__ConfigMap");
  CHECK(Union(inventory, {{"a_w__ConfigMap", "v1"}, {"a_x__ConfigMap", "v1"}}).size() == 4);
}

}  // namespace
}  // namespace fluxcpp::reconciler::kustomization
