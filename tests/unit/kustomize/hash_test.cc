#include "lib/kustomize/hash.h"

#include <catch2/catch.hpp>

namespace fluxcpp::kustomize {
namespace {

using manifest::Json;

// Expected suffixes are what kustomize v5.8.2 appends to the same generated objects.
TEST_CASE("the content hash of a ConfigMap is kustomize's") {
  Json config_map = Json::parse(
      R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"a":"1"}})");
  CHECK(ContentHash(manifest::Object(config_map)) == "h29d89cmmt");
}

TEST_CASE("the name does not take part in the hash") {
  Json first = Json::parse(
      R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"one"},"data":{"a":"1"}})");
  Json second = first;
  second["metadata"]["name"] = "two";
  CHECK(ContentHash(manifest::Object(first)) == ContentHash(manifest::Object(second)));
}

TEST_CASE("Go's JSON encoding escapes HTML characters and sorts keys") {
  CHECK(GoJson(Json::parse(R"({"b":"<a&b>","a":1})")) == R"({"a":1,"b":"\u003ca\u0026b\u003e"})");
  CHECK(GoJson(Json("tab\there\n")) == R"("tab\there\n")");
}

}  // namespace
}  // namespace fluxcpp::kustomize
