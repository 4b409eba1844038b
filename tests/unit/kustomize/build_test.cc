#include "lib/kustomize/build.h"

#include <catch2/catch.hpp>

#include "tests/unit/testdata.h"

namespace fluxcpp::kustomize {
namespace {

using fluxcpp::testing::TestdataPath;

TEST_CASE("a resource outside the source root is refused") {
  auto built = BuildYaml(TestdataPath("tree/app"), ".");
  REQUIRE_FALSE(built.ok());
  CHECK(built.status().code() == absl::StatusCode::kPermissionDenied);
  CHECK(std::string(built.status().message()).find("outside the source root") != std::string::npos);
}

TEST_CASE("the same tree builds when the root contains it") {
  auto built = BuildYaml(TestdataPath("tree"), "app");
  REQUIRE(built.ok());
  CHECK(*built == "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shared\n");
}

TEST_CASE("a replaced file is read instead of the one on disk, or as if it existed") {
  auto edited = Build(TestdataPath("tree"), "app",
                      {.replaced_files = {{"app/kustomization.yaml",
                                           "resources: [../shared.yaml]\nnamePrefix: p-\n"}}});
  REQUIRE(edited.ok());
  REQUIRE(edited->size() == 1);
  CHECK((*edited)[0].Name() == "p-shared");
  CHECK(*BuildYaml(TestdataPath("tree"), "app") ==
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shared\n");

  // The root has no kustomization of its own: the replaced one is used, not a generated one.
  auto generated = Build(
      TestdataPath("tree"), ".",
      {.replaced_files = {{"./kustomization.yaml", "resources: [shared.yaml]\nnamespace: x\n"}}});
  REQUIRE(generated.ok());
  REQUIRE(generated->size() == 1);
  CHECK((*generated)[0].Namespace() == "x");
}

TEST_CASE("a replaced file outside the source root is refused") {
  auto built = Build(TestdataPath("tree"), "app",
                     {.replaced_files = {{"../elsewhere/kustomization.yaml", "resources: []\n"}}});
  REQUIRE_FALSE(built.ok());
  CHECK(std::string(built.status().message()).find("not below the source root") !=
        std::string::npos);
}

TEST_CASE("remote resources are refused") {
  auto built = BuildYaml(TestdataPath("remote"), ".");
  REQUIRE_FALSE(built.ok());
  CHECK(std::string(built.status().message()).find("remote resource") != std::string::npos);
}

TEST_CASE("binding subjects and role references that are not strings pass through") {
  // Resources are arbitrary YAML: a number where the namespace and name-reference transformers
  // expect a string used to end the build with an exception.
  auto built = Build(TestdataPath("odd-subjects"), ".");
  INFO(built.status());
  REQUIRE(built.ok());
  REQUIRE(built->size() == 2);
  const manifest::Json& binding = (*built)[1].json();
  CHECK(binding["metadata"]["name"] == "team-odd");
  CHECK(binding["roleRef"]["kind"] == 7);
  CHECK(binding["subjects"][0]["name"] == 5);
}

}  // namespace
}  // namespace fluxcpp::kustomize
