#include "lib/kustomize/strategic_merge.h"

#include <catch2/catch.hpp>

#include "tests/unit/testdata.h"

namespace fluxcpp::kustomize {
namespace {

using manifest::Json;

Json Merge(const char* target, const char* patch) {
  Json result = Json::parse(target);
  REQUIRE(StrategicMerge(result, Json::parse(patch)).ok());
  return result;
}

TEST_CASE("containers merge by name, patch elements first") {
  Json merged = Merge(R"({"containers":[{"name":"a","image":"a:1"},{"name":"b","image":"b:1"}]})",
                      R"({"containers":[{"name":"b","image":"b:2"},{"name":"c","image":"c:1"}]})");
  CHECK(merged == Json::parse(R"({"containers":[{"name":"b","image":"b:2"},
                                                {"name":"c","image":"c:1"},
                                                {"name":"a","image":"a:1"}]})"));
}

TEST_CASE("container ports merge by containerPort, Service ports by port") {
  Json merged = Merge(R"({"containers":[{"name":"a","ports":[{"containerPort":80,"name":"x"}]}]})",
                      R"({"containers":[{"name":"a","ports":[{"containerPort":80,"name":"y"}]}]})");
  CHECK(merged["containers"][0]["ports"] == Json::parse(R"([{"containerPort":80,"name":"y"}])"));
  merged =
      Merge(R"({"ports":[{"port":80,"name":"http"}]})", R"({"ports":[{"port":80,"name":"web"}]})");
  CHECK(merged["ports"] == Json::parse(R"([{"port":80,"name":"web"}])"));
}

TEST_CASE("null deletes a field and $patch: delete removes list elements") {
  Json merged = Merge(R"({"a":1,"b":2,"volumes":[{"name":"x"},{"name":"y"}]})",
                      R"({"a":null,"volumes":[{"name":"x","$patch":"delete"}]})");
  CHECK(merged == Json::parse(R"({"b":2,"volumes":[{"name":"y"}]})"));
}

TEST_CASE("$patch: replace replaces a mapping and lists without merge key are replaced") {
  Json merged = Merge(R"({"spec":{"a":1,"b":2},"args":["x","y"]})",
                      R"({"spec":{"$patch":"replace","c":3},"args":["z"]})");
  CHECK(merged == Json::parse(R"({"spec":{"c":3},"args":["z"]})"));
}

TEST_CASE("$patch: delete at the top deletes the whole object") {
  Json target = Json::parse(R"({"kind":"ConfigMap"})");
  REQUIRE(StrategicMerge(target, Json::parse(R"({"$patch":"delete"})")).ok());
  CHECK(target.is_null());
}

TEST_CASE("apimachinery's list directives are kept as fields, as kyaml keeps them") {
  Json merged = Merge(R"({"spec":{"args":["a","b"]}})",
                      R"({"spec":{"$deleteFromPrimitiveList/args":["b"],"$retainKeys":["args"]}})");
  CHECK(merged == Json::parse(R"({"spec":{"args":["a","b"],"$deleteFromPrimitiveList/args":["b"],)"
                              R"("$retainKeys":["args"]}})"));
}

TEST_CASE("finalizers of built-in kinds merge as a set; of custom resources they are replaced") {
  const char* patch = R"({"metadata":{"finalizers":["c","a","c"]}})";
  Json core =
      Merge(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"finalizers":["a","b"]}})", patch);
  CHECK(core["metadata"]["finalizers"] == Json::parse(R"(["c","a","b"])"));
  Json custom = Merge(
      R"({"apiVersion":"example.com/v1","kind":"Widget","metadata":{"finalizers":["a","b"]}})",
      patch);
  CHECK(custom["metadata"]["finalizers"] == Json::parse(R"(["c","a","c"])"));
}

}  // namespace
}  // namespace fluxcpp::kustomize
