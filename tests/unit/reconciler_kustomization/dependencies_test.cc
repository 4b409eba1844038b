#include "reconciler/kustomization/dependencies.h"

#include <catch2/catch.hpp>

#include "lib/manifest/yaml.h"
#include "tests/unit/testdata.h"

namespace fluxcpp::reconciler::kustomization {
namespace {

std::vector<manifest::Object> Fixture() {
  auto objects = manifest::ReadObjects(testing::ReadTestdata("dependencies/kustomizations.yaml"),
                                       "kustomizations.yaml");
  REQUIRE(objects.ok());
  return *objects;
}

TEST_CASE("a cycle through the Kustomization is found and named") {
  auto cycle = FindDependencyCycle(Fixture(), {"one", "a"});
  CHECK(DescribeCycle(cycle) == "one/a -> one/b -> two/c -> one/a");
  CHECK(DescribeCycle(FindDependencyCycle(Fixture(), {"two", "c"})) ==
        "two/c -> one/a -> one/b -> two/c");
  CHECK(DescribeCycle(FindDependencyCycle(Fixture(), {"one", "g"})) == "one/g -> one/g");
}

TEST_CASE("depending on a cycle, on a chain or on a missing object is no cycle") {
  CHECK(FindDependencyCycle(Fixture(), {"one", "d"}).empty());
  CHECK(FindDependencyCycle(Fixture(), {"one", "e"}).empty());
  CHECK(FindDependencyCycle(Fixture(), {"one", "f"}).empty());
}

TEST_CASE("dependency keys default to the Kustomization's namespace") {
  auto keys = DependencyKeys(Fixture()[1]);
  REQUIRE(keys.size() == 1);
  CHECK(keys[0].ToString() == "two/c");
  keys = DependencyKeys(Fixture()[4]);
  REQUIRE(keys.size() == 2);
  CHECK(keys[1].ToString() == "one/missing");
}

TEST_CASE("a Kustomization without a spec or dependsOn has no dependency keys") {
  CHECK(DependencyKeys(manifest::Object(manifest::Json{{"kind", "Kustomization"},
                                                       {"metadata", {{"name", "bare"}}}}))
            .empty());
  CHECK(DependencyKeys(manifest::Object(manifest::Json{{"kind", "Kustomization"},
                                                       {"metadata", {{"name", "odd"}}},
                                                       {"spec", "not an object"}}))
            .empty());
}

}  // namespace
}  // namespace fluxcpp::reconciler::kustomization
