#include <catch2/catch.hpp>

#include "lib/kustomize/build.h"
#include "tests/unit/testdata.h"

namespace fluxcpp::kustomize {
namespace {

using fluxcpp::testing::TestdataPath;

TEST_CASE("a replacement keeps a scalar target's type, and a created field is a string") {
  auto built = Build(TestdataPath("replacements/typed"), ".");
  REQUIRE(built.ok());
  REQUIRE(built->size() == 2);
  const manifest::Json& deployment = (*built)[1].json();
  CHECK(deployment["spec"]["replicas"] == 3);
  CHECK(deployment["metadata"]["annotations"]["example.com/replicas"] == "3");
  CHECK(deployment["spec"]["template"]["spec"]["containers"][0]["image"] == "example/app:2.0");
}

TEST_CASE("a replacement without a source names the kustomization and the selector") {
  auto built = Build(TestdataPath("replacements/missing-source"), ".");
  REQUIRE_FALSE(built.ok());
  std::string message(built.status().message());
  CHECK(message.find("kustomization.yaml") != std::string::npos);
  CHECK(message.find("nothing selected by Secret.[noVer].[noGrp]/absent.[noNs]") !=
        std::string::npos);
}

}  // namespace
}  // namespace fluxcpp::kustomize
