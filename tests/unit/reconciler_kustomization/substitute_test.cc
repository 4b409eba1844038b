#include "reconciler/kustomization/substitute.h"

#include <catch2/catch.hpp>

#include "lib/manifest/yaml.h"
#include "tests/unit/testdata.h"

namespace fluxcpp::reconciler::kustomization {
namespace {

std::vector<manifest::Object> ReadFixture(const std::string& name) {
  auto objects = manifest::ReadObjects(testing::ReadTestdata(name), name);
  REQUIRE(objects.ok());
  return *objects;
}

TEST_CASE("expressions are replaced as Flux's envsubst does") {
  Variables variables{{"name", "web"}, {"empty", ""}};
  CHECK(*SubstituteText("a ${name} b", variables) == "a web b");
  CHECK(*SubstituteText("${missing}", variables) == "");
  CHECK(*SubstituteText("${missing:=fallback}", variables) == "fallback");
  CHECK(*SubstituteText("${missing:-fallback}", variables) == "fallback");
  CHECK(*SubstituteText("${empty:-fallback}", variables) == "fallback");
  CHECK(*SubstituteText("${name:-fallback}", variables) == "web");
  CHECK(*SubstituteText("${missing:-${name}-x}", variables) == "web-x");
  CHECK(*SubstituteText("$${name} stays", variables) == "${name} stays");
  CHECK(*SubstituteText("$name and $5 are plain text", variables) == "$name and $5 are plain text");
}

TEST_CASE("malformed expressions are errors that quote them") {
  Variables variables;
  auto unterminated = SubstituteText("value: ${name", variables);
  REQUIRE_FALSE(unterminated.ok());
  CHECK_THAT(std::string(unterminated.status().message()),
             Catch::Contains("${name") && Catch::Contains("closing brace"));
  auto bad_name = SubstituteText("${my-var}", variables);
  REQUIRE_FALSE(bad_name.ok());
  CHECK_THAT(std::string(bad_name.status().message()), Catch::Contains("my-var"));
}

TEST_CASE("objects are substituted, typed again, and opted-out objects are left alone") {
  std::vector<manifest::Object> objects = ReadFixture("substitute/input.yaml");
  std::vector<Variables> sources;
  for (const manifest::Object& source : ReadFixture("substitute/sources.yaml")) {
    auto variables = VariablesOf(source);
    REQUIRE(variables.ok());
    sources.push_back(*variables);
  }
  Variables variables = MergeVariables(sources, {{"replicas", "3"}});
  REQUIRE(SubstituteObjects(objects, variables).ok());
  std::vector<manifest::Object> expected = ReadFixture("substitute/expected.yaml");
  REQUIRE(objects.size() == expected.size());
  for (size_t i = 0; i < objects.size(); ++i) {
    INFO(objects[i].Describe());
    CHECK(objects[i].json() == expected[i].json());
  }
  // The number came back as a number, not as the string "3".
  CHECK(objects[0].json()["spec"]["replicas"].is_number_integer());
}

TEST_CASE("later sources override earlier ones and the inline map wins") {
  Variables merged =
      MergeVariables({{{"a", "1"}, {"b", "1"}}, {{"b", "2"}, {"c", "2"}}}, {{"c", "inline\n"}});
  CHECK(merged == Variables{{"a", "1"}, {"b", "2"}, {"c", "inline"}});
}

TEST_CASE("a failed substitution changes no object and names the object") {
  std::vector<manifest::Object> objects = ReadFixture("substitute/input.yaml");
  objects[0].json()["metadata"]["labels"]["broken"] = "${oops";
  std::vector<manifest::Object> before = objects;
  absl::Status status = SubstituteObjects(objects, {{"app_name", "x"}});
  REQUIRE_FALSE(status.ok());
  CHECK_THAT(std::string(status.message()), Catch::Contains("Deployment/apps/${app_name}") &&
                                                Catch::Contains("substitute/input.yaml"));
  for (size_t i = 0; i < objects.size(); ++i) CHECK(objects[i].json() == before[i].json());
}

TEST_CASE("secret values are base64-decoded and bad keys are refused") {
  auto sources = ReadFixture("substitute/sources.yaml");
  auto secret = VariablesOf(sources[1]);
  REQUIRE(secret.ok());
  CHECK(secret->at("tag") == "1.2.3");
  manifest::Object bad = sources[0];
  bad.json()["data"]["not-valid"] = "x";
  auto refused = VariablesOf(bad);
  REQUIRE_FALSE(refused.ok());
  CHECK_THAT(std::string(refused.status().message()), Catch::Contains("not-valid"));
}

}  // namespace
}  // namespace fluxcpp::reconciler::kustomization
