#include "lib/kustomize/yaml_output.h"

#include <catch2/catch.hpp>

#include "lib/manifest/yaml.h"
#include "tests/unit/testdata.h"

namespace fluxcpp::kustomize {
namespace {

using fluxcpp::testing::ReadTestdata;
using manifest::Json;

TEST_CASE("keys sort the way go-yaml v2 sorts them") {
  CHECK(GoYamlKeyLess("a9", "a10"));
  CHECK(GoYamlKeyLess("a-b", "ab"));
  CHECK(GoYamlKeyLess("apiVersion", "kind"));
  CHECK(GoYamlKeyLess("1", "10"));
  CHECK_FALSE(GoYamlKeyLess("b", "a"));
}

TEST_CASE("floats print as Go's JSON then go-yaml print them") {
  CHECK(FormatGoFloat(1.5) == "1.5");
  CHECK(FormatGoFloat(2.0) == "2");
  CHECK(FormatGoFloat(0.000001) == "1e-06");
  CHECK(FormatGoFloat(1.5e300) == "1.5e+300");
  CHECK(FormatGoFloat(1234567.5) == "1.2345675e+06");
}

// output.yaml is what kustomize v5.8.2 prints for input.yaml (a ConfigMap of awkward strings).
TEST_CASE("a document is written byte for byte as kustomize writes it") {
  auto documents = manifest::ParseYamlDocuments(ReadTestdata("input.yaml"), "input.yaml",
                                                {.typing = manifest::ScalarTyping::kKustomize});
  REQUIRE(documents.ok());
  REQUIRE(documents->size() == 1);
  CHECK(WriteYamlDocument(documents->front().json) == ReadTestdata("output.yaml"));
}

}  // namespace
}  // namespace fluxcpp::kustomize
