#include "lib/manifest/scalar.h"

#include <catch2/catch.hpp>

#include "lib/manifest/yaml.h"
#include "tests/unit/testdata.h"

namespace fluxcpp::manifest {
namespace {

using fluxcpp::testing::ReadTestdata;

// "integer" or "float" for numbers (signed and unsigned integers are one kind), else the JSON type.
std::string KindOf(const Json& value) {
  if (value.is_number_integer()) return "integer";
  if (value.is_number_float()) return "float";
  return value.type_name();
}

// scalars.kubectl.json is what the real kubectl of the pinned release reads from scalars.yaml.
TEST_CASE("plain scalars get the types kubectl gives them") {
  auto objects = ReadObjects(ReadTestdata("scalars.yaml"), "scalars.yaml");
  REQUIRE(objects.ok());
  const Json& ours = (*objects)[0].json()["spec"];
  Json kubectl = Json::parse(ReadTestdata("scalars.kubectl.json"));
  REQUIRE(kubectl.size() == ours.size());
  for (const auto& [key, expected] : kubectl.items()) {
    INFO("spec." << key << ": kubectl gives " << expected.dump() << ", we give "
                 << (ours.contains(key) ? ours[key].dump() : "nothing"));
    REQUIRE(ours.contains(key));
    CHECK(ours[key] == expected);
    // JSON text cannot tell 12345678901234567000 (a float64 in kubectl) from an integer; below
    // int64 the kind of number must match too.
    bool beyond_int64 = expected.is_number_unsigned() && expected.get<uint64_t>() > INT64_MAX;
    if (!beyond_int64) CHECK(KindOf(ours[key]) == KindOf(expected));
  }
}

TEST_CASE("tagged scalars must fit their tag") {
  CHECK(*ResolveTaggedScalar("tag:yaml.org,2002:str", "0755") == "0755");
  CHECK(*ResolveTaggedScalar("tag:yaml.org,2002:int", "0x10") == 16);
  CHECK(*ResolveTaggedScalar("tag:yaml.org,2002:bool", "on") == true);
  CHECK(*ResolveTaggedScalar("tag:yaml.org,2002:float", "7") == 7);
  CHECK(ResolveTaggedScalar("tag:yaml.org,2002:null", "~")->is_null());
  auto wrong = ResolveTaggedScalar("tag:yaml.org,2002:int", "seven");
  REQUIRE_FALSE(wrong.ok());
  CHECK(std::string(wrong.status().message()) == "'seven' is not a valid !!int");
  CHECK(*ResolveTaggedScalar("!custom", "12") == 12);
}

TEST_CASE("integers beyond 64 bits and special floats") {
  CHECK(ResolvePlainScalar("18446744073709551615")->is_number_float());
  CHECK(*ResolvePlainScalar("-9223372036854775808") == INT64_MIN);
  CHECK(ResolvePlainScalar("99999999999999999999999")->is_number_float());
  CHECK_FALSE(ResolvePlainScalar(".inf").ok());
  CHECK_FALSE(ResolvePlainScalar("-.Inf").ok());
}

TEST_CASE("quoting is needed exactly when a plain scalar would change type") {
  for (const char* text :
       {"yes", "No", "0755", "1e3", "", "~", "null", "true", "-3", ".5", "0x1F", ".nan"}) {
    INFO(text);
    CHECK(NeedsQuotes(text));
  }
  for (const char* text : {"hello", "1.2.3", "v1", "-", "e3", "a b", "yesterday"}) {
    INFO(text);
    CHECK_FALSE(NeedsQuotes(text));
  }
}

}  // namespace
}  // namespace fluxcpp::manifest

namespace fluxcpp::manifest {
namespace {

TEST_CASE("kustomize typing keeps YAML 1.1 booleans as strings and turns dates into timestamps") {
  constexpr ScalarTyping kKustomize = ScalarTyping::kKustomize;
  CHECK(*ResolvePlainScalar("yes", kKustomize) == Json("yes"));
  CHECK(*ResolvePlainScalar("on", kKustomize) == Json("on"));
  CHECK(*ResolvePlainScalar("True", kKustomize) == Json(true));
  CHECK(*ResolvePlainScalar("0755", kKustomize) == Json(493));
  CHECK(*ResolvePlainScalar("2001-12-14", kKustomize) == Json("2001-12-14T00:00:00Z"));
  CHECK(*ResolvePlainScalar("2001-12-14t21:59:43.10-05:00", kKustomize) ==
        Json("2001-12-14T21:59:43.1-05:00"));
  CHECK(*ResolvePlainScalar("yes") == Json(true));
}

}  // namespace
}  // namespace fluxcpp::manifest
