#include "provider/values/path.h"

#include <catch2/catch.hpp>

namespace fluxcpp::provider::values {
namespace {

TEST_CASE("paths read like Terraform attribute paths") {
  Path path = Path().Attribute("spec").Attribute("items").Index(2).Attribute("name");
  CHECK(path.ToString() == ".spec.items[2].name");
  CHECK(Path().Attribute("labels").Key("app.kubernetes.io/name").ToString() ==
        ".labels[\"app.kubernetes.io/name\"]");
  CHECK(Path().Key("a\"]b").ToString() == "[\"a\\\"]b\"]");
  CHECK(Path().ToString().empty());
}

TEST_CASE("path errors start with the path") {
  Path path = Path().Attribute("a").Index(0);
  CHECK(std::string(PathError(path, "expected string, got bool").message()) ==
        ".a[0]: expected string, got bool");
  CHECK(std::string(PathError(Path(), "expected object, got nil").message()) ==
        "expected object, got nil");
  absl::Status cause = absl::OutOfRangeError("too big");
  CHECK(PathError(path, cause).code() == absl::StatusCode::kOutOfRange);
  CHECK(std::string(PathError(path, cause).message()) == ".a[0]: too big");
}

}  // namespace
}  // namespace fluxcpp::provider::values
