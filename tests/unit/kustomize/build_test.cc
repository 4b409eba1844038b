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

TEST_CASE("remote resources are refused") {
  auto built = BuildYaml(TestdataPath("remote"), ".");
  REQUIRE_FALSE(built.ok());
  CHECK(std::string(built.status().message()).find("remote resource") != std::string::npos);
}

}  // namespace
}  // namespace fluxcpp::kustomize
