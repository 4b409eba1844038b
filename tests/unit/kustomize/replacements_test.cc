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

TEST_CASE("replacement options of the wrong type are errors naming the option") {
  // Found by the kustomize_build fuzz target: a non-boolean `create` threw out of the build.
  auto created = Build(TestdataPath("replacements/bad-options"), ".");
  REQUIRE_FALSE(created.ok());
  CHECK(created.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(std::string(created.status().message()).find("options.create must be true or false") !=
        std::string::npos);

  auto indexed = Build(TestdataPath("replacements/bad-index"), ".");
  REQUIRE_FALSE(indexed.ok());
  CHECK(std::string(indexed.status().message()).find("options.index must be an integer") !=
        std::string::npos);
}

}  // namespace
}  // namespace fluxcpp::kustomize
