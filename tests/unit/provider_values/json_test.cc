#include "provider/values/json.h"

#include <catch2/catch.hpp>

#include "tests/unit/testdata.h"

namespace fluxcpp::provider::values {
namespace {

using fluxcpp::testing::ReadTestdata;

Type T(std::string_view json) { return *Type::FromJsonString(json); }

std::string DecodeError(std::string_view json, const Type& type) {
  auto value = DecodeJson(json, type);
  REQUIRE_FALSE(value.ok());
  return std::string(value.status().message());
}

void CheckRoundTrip(const Value& value, const Type& type) {
  auto json = EncodeJson(value, type);
  REQUIRE(json.ok());
  auto back = DecodeJson(*json, type);
  REQUIRE(back.ok());
  CHECK(*back == value);
  CHECK(*EncodeJson(*back, type) == *json);
}

// The current schema: removed_in_v1 and spec.dropped are gone, ready and spec.timeout are new.
const char* kCurrentSchema = R"(["object",{"id":"string","path":"string","interval":"string",
    "replicas":"number","ports":["list","number"],"labels":["map","string"],"ready":"bool",
    "spec":["object",{"suspend":"bool","timeout":"string"}],"extra":"dynamic"}])";

TEST_CASE("raw state from an older schema is upgraded") {
  auto value = DecodeRawState(ReadTestdata("raw_state_v0.json"), T(kCurrentSchema));
  REQUIRE(value.ok());
  CHECK(*value->GetAttribute("id")->AsString() == "flux-system");
  CHECK(value->GetAttribute("replicas")->AsNumber()->ToString() ==
        "123456789012345678901234567890.5");
  CHECK(value->GetAttribute("ports")->DebugString() == "[80, 443]");
  // Numbers in a string map become their text, as ctyjson reads them.
  CHECK(*value->GetAttribute("labels")->GetKey("tier")->AsString() == "3");
  CHECK(value->GetAttribute("ready")->IsNull());
  CHECK(*value->GetAttribute("spec")->GetAttribute("suspend")->AsBool());
  CHECK(value->GetAttribute("spec")->GetAttribute("timeout")->IsNull());
  CHECK(value->GetAttribute("extra")->type() == T(R"(["tuple",["string","number"]])"));
  CHECK(value->IsWhollyKnown());

  // The strict decoder refuses attributes the schema does not have, naming them.
  CHECK(DecodeError(ReadTestdata("raw_state_v0.json"), T(kCurrentSchema)) ==
        "unsupported attribute \"removed_in_v1\"");
}

TEST_CASE("numbers keep every digit") {
  for (const char* text : {"123456789012345678901234567890.5", "18446744073709551616",
                           "-9223372036854775809", "0.1", "1e+400", "-2.5e-400"}) {
    INFO(text);
    auto value = DecodeJson(text, Type::Number());
    REQUIRE(value.ok());
    CHECK(*value->AsNumber() == *Decimal::Parse(text));
    CHECK(*EncodeJson(*value, Type::Number()) == Decimal::Parse(text)->ToString());
  }
  CHECK(*EncodeJson(Value::Number(*Decimal::Parse("1e400")), Type::Number()) ==
        "1" + std::string(400, '0'));
  CHECK(DecodeJson("1e5000", Type::Number()).status().message().find("invalid JSON") == 0);
  CHECK(std::string(EncodeJson(Value::Double(HUGE_VAL), Type::Number()).status().message()) ==
        "JSON cannot hold infinity");
}

TEST_CASE("primitives are read leniently, like ctyjson") {
  CHECK(*DecodeJson("12.50", Type::String())->AsString() == "12.50");
  CHECK(*DecodeJson("true", Type::String())->AsString() == "true");
  CHECK(*DecodeJson("\"42\"", Type::Number())->AsInt64() == 42);
  CHECK(*DecodeJson("\"false\"", Type::Bool())->AsBool() == false);
  CHECK(DecodeJson("null", Type::String())->IsNull());
  CHECK(DecodeError("\"yes\"", Type::Bool()) == "expected bool, got string");
  CHECK(DecodeError("\"x\"", Type::Number()) == "\"x\" is not a number");
}

TEST_CASE("dynamic values carry their type") {
  Type type = T(R"(["object",{"a":"dynamic"}])");
  Value value = Value::Object({{"a", Value::Map(Type::Number(), {{"k", Value::Int(1)}})}});
  CHECK(*EncodeJson(value, type) == R"({"a":{"value":{"k":1},"type":["map","number"]}})");
  CheckRoundTrip(value, type);
  CheckRoundTrip(Value::Object({{"a", Value::Null(Type::Dynamic())}}), type);
  CHECK(DecodeError(R"({"a":{"value":1}})", type) ==
        ".a: expected a dynamic value as {\"value\": ..., \"type\": ...}");
  CHECK(DecodeError(R"({"a":{"value":1,"type":"nmber"}})", type) ==
        ".a: type constraint: unknown type \"nmber\"");
}

TEST_CASE("every type round trips through JSON") {
  Type type = T(R"(["object",{"s":"string","n":"number","b":"bool","l":["list","string"],
      "set":["set","number"],"m":["map","bool"],"t":["tuple",["string","number"]],
      "o":["object",{"x":"string"}],"d":"dynamic"}])");
  CheckRoundTrip(Value::Object({{"s", Value::String("quote \" and \\ and ünïcode")},
                                {"n", Value::Double(0.25)},
                                {"b", Value::Bool(true)},
                                {"l", Value::List(Type::String(), {Value::String("a")})},
                                {"set", Value::Set(Type::Number(), {Value::Int(2), Value::Int(1)})},
                                {"m", Value::Map(Type::Bool(), {{"k", Value::Bool(false)}})},
                                {"t", Value::Tuple({Value::String("x"), Value::Int(-7)})},
                                {"o", Value::Object({{"x", Value::Null(Type::String())}})},
                                {"d", Value::Bool(false)}}),
                 type);
  CheckRoundTrip(Value::Null(type), type);
}

TEST_CASE("JSON errors name the attribute path") {
  Type type =
      T(R"(["object",{"spec":["object",{"items":["list",["object",{"name":"string"}]]}]}])");
  CHECK(DecodeError(R"({"spec":{"items":[{"name":"a"},{"name":"b"},{"name":[]}]}})", type) ==
        ".spec.items[2].name: expected string, got array");
  CHECK(DecodeError(R"({"spec":{"items":{}}})", type) ==
        ".spec.items: expected list of object, got object");
  CHECK(DecodeError(R"({"spec":{"items":[{"nam":"a"}]}})", type) ==
        ".spec.items[0]: unsupported attribute \"nam\"");
  CHECK(DecodeError(R"(["tuple"])", T(R"(["tuple",["string","string"]])")) ==
        "expected a tuple of 2 elements, got 1");
  CHECK(DecodeError("{\"spec\":", type).find("invalid JSON") == 0);
  auto unknown =
      EncodeJson(Value::Object({{"spec", Value::Unknown(*type.AttributeType("spec"))}}), type);
  CHECK(std::string(unknown.status().message()) ==
        ".spec: unknown values cannot be written as JSON");
  auto bad_utf8 = EncodeJson(Value::String("\xff"), Type::String());
  CHECK(std::string(bad_utf8.status().message()) == "string is not valid UTF-8");
}

TEST_CASE("deep or broken JSON is refused") {
  std::string deep(100000, '[');
  CHECK(DecodeError(deep, Type::Dynamic()).find("nested too deeply") != std::string::npos);
  for (const char* text : {"", "{", "[1,", "nul", "\"\\u12\"", "{\"a\" 1}", "1 2", "\xff"}) {
    INFO(text);
    CHECK_FALSE(DecodeJson(text, Type::Dynamic()).ok());
    CHECK_FALSE(DecodeJson(text, T(R"(["object",{"a":"number"}])")).ok());
  }
}

}  // namespace
}  // namespace fluxcpp::provider::values
