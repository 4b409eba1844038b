#include "provider/values/type.h"

#include <catch2/catch.hpp>

#include "tests/unit/testdata.h"

namespace fluxcpp::provider::values {
namespace {

using fluxcpp::testing::ReadTestdata;

std::string ErrorOf(std::string_view json) {
  auto type = Type::FromJsonString(json);
  REQUIRE_FALSE(type.ok());
  return std::string(type.status().message());
}

TEST_CASE("type constraint JSON round trips") {
  for (const auto& text : nlohmann::json::parse(ReadTestdata("types.json"))) {
    INFO(text);
    auto type = Type::FromJsonString(text.get<std::string>());
    REQUIRE(type.ok());
    CHECK(type->ToJsonString() == text.get<std::string>());
    CHECK(*Type::FromJson(type->ToJson()) == *type);
  }
}

TEST_CASE("types are built, compared and inspected") {
  Type object =
      Type::Object({{"name", Type::String()}, {"ports", Type::List(Type::Number())}}, {"ports"});
  CHECK(object.ToJsonString() ==
        R"(["object",{"name":"string","ports":["list","number"]},["ports"]])");
  CHECK(object ==
        Type::Object({{"ports", Type::List(Type::Number())}, {"name", Type::String()}}, {"ports"}));
  CHECK_FALSE(object ==
              Type::Object({{"name", Type::String()}, {"ports", Type::List(Type::Number())}}));
  CHECK_FALSE(Type::List(Type::String()) == Type::Set(Type::String()));
  CHECK_FALSE(Type::List(Type::String()) == Type::List(Type::Number()));
  CHECK(Type::Tuple({Type::String()}) == Type::Tuple({Type::String()}));
  CHECK(*object.AttributeType("ports") == Type::List(Type::Number()));
  CHECK(object.AttributeType("missing") == nullptr);
  CHECK(Type::String().AttributeType("x") == nullptr);
  CHECK(object.OptionalAttributes() == std::set<std::string>{"ports"});
  CHECK(Type::Map(Type::Bool()).ElementType() == Type::Bool());
  CHECK(Type::String().ElementType().IsDynamic());
  CHECK(Type().IsDynamic());
  CHECK(Type::List(Type::Object({{"x", Type::Dynamic()}})).HasDynamic());
  CHECK_FALSE(object.HasDynamic());
}

TEST_CASE("friendly names") {
  CHECK(Type::String().FriendlyName() == "string");
  CHECK(Type::List(Type::String()).FriendlyName() == "list of string");
  CHECK(Type::Map(Type::List(Type::Number())).FriendlyName() == "map of list of number");
  CHECK(Type::Set(Type::Bool()).FriendlyName() == "set of bool");
  CHECK(Type::Tuple({}).FriendlyName() == "tuple");
  CHECK(Type::Object({}).FriendlyName() == "object");
  CHECK(Type::Dynamic().FriendlyName() == "dynamic");
}

TEST_CASE("invalid type constraints say where they are wrong") {
  CHECK(ErrorOf(R"("strin")") == R"(type constraint: unknown type "strin")");
  CHECK(ErrorOf(R"(["list"])") == "type constraint: expected a type name or an array [kind, ...]");
  CHECK(ErrorOf(R"(["object",{"a":["list","strin"]}])") ==
        R"(type constraint .a[1]: unknown type "strin")");
  CHECK(ErrorOf(R"(["tuple",["string",7]])") ==
        "type constraint [1][1]: expected a type name or an array [kind, ...]");
  CHECK(ErrorOf(R"(["object",{"a":"string"},["b"]])") ==
        R"(type constraint: optional attribute "b" is not an attribute of the object)");
  CHECK(ErrorOf(R"(["list","string","extra"])") ==
        "type constraint: list takes exactly one element type");
  CHECK(ErrorOf(R"(["vector","string"])") == R"(type constraint: unknown type kind "vector")");
  CHECK(ErrorOf("[\"list\",") == "type constraint: not valid JSON");
  CHECK(ErrorOf("7") == "type constraint: expected a type name or an array [kind, ...]");
}

TEST_CASE("deeply nested type constraints are refused") {
  std::string deep = "\"string\"";
  for (int i = 0; i < 1000; ++i) deep = "[\"list\"," + deep + "]";
  CHECK(ErrorOf(deep).find("nested too deeply") != std::string::npos);
}

}  // namespace
}  // namespace fluxcpp::provider::values
