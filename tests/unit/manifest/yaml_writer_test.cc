#include <catch2/catch.hpp>

#include "lib/manifest/yaml.h"
#include "tests/unit/testdata.h"

namespace fluxcpp::manifest {
namespace {

Json RoundTrip(const Json& value) {
  auto documents = ParseYamlDocuments(ToYaml(value), "written.yaml");
  REQUIRE(documents.ok());
  REQUIRE(documents->size() == 1);
  return (*documents)[0].json;
}

TEST_CASE("strings that plain YAML would read as another type are quoted") {
  Json value = Json::parse(R"({"a": "yes", "b": "0755", "c": "1e3", "d": "", "e": "null", "f": "~",
    "g": "true", "h": "on", "i": "-12", "j": ".5", "k": "plain", "l": "a: b", "m": "- x", "n": "#hash"})");
  CHECK(RoundTrip(value) == value);
  std::string text = ToYaml(value);
  CHECK_THAT(text, Catch::Contains("a: \"yes\""));
  CHECK_THAT(text, Catch::Contains("b: \"0755\""));
  CHECK_THAT(text, Catch::Contains("k: plain"));
}

TEST_CASE("numbers, booleans, nulls, nesting and empty containers survive a round trip") {
  Json value = Json::parse(R"({"int": 3, "negative": -7, "float": 1.5, "big": 18446744073709551615,
    "bool": false, "null": null, "list": [1, "two", {"three": [3]}], "empty_map": {}, "empty_list": [],
    "nested": {"deeper": {"deepest": "x"}}})");
  CHECK(RoundTrip(value) == value);
}

TEST_CASE("multi-line strings are written as literal blocks and read back unchanged") {
  Json value = Json::parse(R"({"script": "#!/bin/sh\necho hi\n", "no_trailing": "a\nb"})");
  CHECK(RoundTrip(value) == value);
  CHECK_THAT(ToYaml(value), Catch::Contains("script: |"));
}

TEST_CASE("carriage returns in keys and values are escaped and read back unchanged") {
  Json value = Json::parse(R"({"na\r\rme": "fit\r\r0", "crlf": "a\r\nb\r\n"})");
  CHECK(RoundTrip(value) == value);
}

TEST_CASE("long keys are written as explicit keys and read back unchanged") {
  // YAML caps implicit keys at 1024 characters; escapes (here \x01 becomes four characters) make a
  // key written longer than its bytes.
  Json value = Json::object();
  value["short"] = 1;
  value[std::string(300, '\x01')] = "escaped";
  value[std::string(2000, 'k')] = "plain";
  CHECK(RoundTrip(value) == value);
  std::string text = ToYaml(value);
  CHECK_THAT(text, Catch::StartsWith("short: 1\n? "));
}

TEST_CASE("objects become one stream that reads back into the same objects") {
  auto objects = ReadObjects(fluxcpp::testing::ReadTestdata("multi.yaml"), "multi.yaml");
  REQUIRE(objects.ok());
  auto again = ReadObjects(ToYaml(*objects), "written.yaml");
  REQUIRE(again.ok());
  REQUIRE(again->size() == objects->size());
  for (size_t i = 0; i < objects->size(); ++i) CHECK((*again)[i].json() == (*objects)[i].json());
}

}  // namespace
}  // namespace fluxcpp::manifest
