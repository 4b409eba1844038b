#include "provider/values/msgpack.h"

#include <catch2/catch.hpp>
#include <random>

#include "tests/unit/testdata.h"

namespace fluxcpp::provider::values {
namespace {

using fluxcpp::testing::ReadTestdata;

std::string FromHex(std::string_view hex) {
  std::string bytes;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    bytes.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return bytes;
}

std::string ToHex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char c : bytes) {
    hex += kDigits[c >> 4];
    hex += kDigits[c & 0xf];
  }
  return hex;
}

Type T(std::string_view json) { return *Type::FromJsonString(json); }

std::string EncodeHex(const Value& value, const Type& type, bool refinements = false) {
  auto bytes = EncodeMsgpack(value, type, {.write_refinements = refinements});
  REQUIRE(bytes.ok());
  return ToHex(*bytes);
}

std::string DecodeError(std::string_view hex, const Type& type) {
  auto value = DecodeMsgpack(FromHex(hex), type);
  REQUIRE_FALSE(value.ok());
  return std::string(value.status().message());
}

// Decodes, then encodes again and expects the same bytes.
void CheckRoundTrip(const Value& value, const Type& type) {
  auto bytes = EncodeMsgpack(value, type, {.write_refinements = true});
  REQUIRE(bytes.ok());
  auto back = DecodeMsgpack(*bytes, type);
  REQUIRE(back.ok());
  CHECK(*back == value);
  CHECK(ToHex(*EncodeMsgpack(*back, type, {.write_refinements = true})) == ToHex(*bytes));
}

// Each vector decodes to `debug` and encodes back to exactly its bytes.
TEST_CASE("byte-exact vectors from the protocol reference") {
  for (const auto& vector : nlohmann::json::parse(ReadTestdata("msgpack_vectors.json"))) {
    INFO(vector["name"].get<std::string>());
    Type type = *Type::FromJson(vector["type"]);
    std::string hex = vector["hex"];
    auto value = DecodeMsgpack(FromHex(hex), type);
    REQUIRE(value.ok());
    CHECK(value->DebugString() == vector["debug"].get<std::string>());
    CHECK(EncodeHex(*value, type, vector.value("write_refinements", false)) == hex);
  }
}

TEST_CASE("the refined unknown string of the reference") {
  auto value = DecodeMsgpack(FromHex("c7070c8201c202a26162"), Type::String());
  REQUIRE(value.ok());
  CHECK_FALSE(value->IsKnown());
  CHECK(value->refinements().definitely_not_null);
  CHECK(value->refinements().string_prefix == "ab");
  // By default every unknown goes out unrefined.
  CHECK(EncodeHex(*value, Type::String()) == "d40000");
}

TEST_CASE("number and length refinements are read") {
  auto number = DecodeMsgpack(FromHex("c7090c82039200c3049264c2"), Type::Number());
  REQUIRE(number.ok());
  REQUIRE(number->refinements().number_lower.has_value());
  CHECK(number->refinements().number_lower->value == Decimal::FromInt64(0));
  CHECK(number->refinements().number_lower->inclusive);
  CHECK(number->refinements().number_upper->value == Decimal::FromInt64(100));
  CHECK_FALSE(number->refinements().number_upper->inclusive);

  auto list = DecodeMsgpack(FromHex("c7090c8301c2050106cd0100"), T(R"(["list","string"])"));
  REQUIRE(list.ok());
  CHECK(list->refinements().definitely_not_null);
  CHECK(list->refinements().length_lower == 1);
  CHECK(list->refinements().length_upper == 256);
}

TEST_CASE("unknown refinement keys and ones for other types are ignored") {
  // {1: false, 9: [1, {"x": nil}], 2: "ab"} on a number: only nullness applies.
  auto value = DecodeMsgpack(FromHex("c70e0c8301c2099201"
                                     "81a178c0"
                                     "02a26162"),
                             Type::Number());
  REQUIRE(value.ok());
  CHECK(value->refinements() == Refinements{.definitely_not_null = true});
  // An empty refinement set is never sent as type 12.
  CHECK(EncodeHex(Value::Unknown(Type::String(), {.string_prefix = ""}), Type::String(), true) ==
        "d40000");
}

TEST_CASE("any extension is an unknown value") {
  for (const char* hex : {"d40500", "d4ff07", "c70000", "c7010c00", "c9000000000c"}) {
    INFO(hex);
    auto value = DecodeMsgpack(FromHex(hex), Type::String());
    REQUIRE(value.ok());
    CHECK_FALSE(value->IsKnown());
  }
  // Bodies longer than one byte must be refinements (type 12) of at most 1024 bytes.
  CHECK(DecodeError("d5050000", Type::String()) == "unsupported msgpack extension type 5");
  std::string big =
      "c80401"
      "0c" +
      std::string(2 * 1025, '0');
  CHECK(DecodeError(big, Type::String()) == "unknown value refinements are too large (1025 bytes)");
  CHECK(DecodeError("d50c0102", Type::String()).find("invalid unknown value refinements") == 0);
}

TEST_CASE("numbers are read from every width and written compactly") {
  struct Case {
    const char* hex;
    const char* number;
  };
  for (const Case& c :
       {Case{"7f", "127"}, Case{"e0", "-32"}, Case{"cc80", "128"}, Case{"cdffff", "65535"},
        Case{"ce00010000", "65536"}, Case{"cfffffffffffffffff", "18446744073709551615"},
        Case{"d0df", "-33"}, Case{"d1ff7f", "-129"}, Case{"d2ffff7fff", "-32769"},
        Case{"d3ffffffff7fffffff", "-2147483649"}, Case{"ca3fc00000", "1.5"},
        Case{"cb3ff8000000000000", "1.5"}, Case{"a3312e35", "1.5"}, Case{"c403312e35", "1.5"}}) {
    INFO(c.hex);
    auto value = DecodeMsgpack(FromHex(c.hex), Type::Number());
    if (std::string_view(c.hex).starts_with("c4")) {
      CHECK_FALSE(value.ok());  // bin is not a number
      continue;
    }
    REQUIRE(value.ok());
    CHECK(value->AsNumber()->ToString() == c.number);
  }
  CHECK(EncodeHex(Value::Int(0), Type::Number()) == "00");
  CHECK(EncodeHex(Value::Int(127), Type::Number()) == "7f");
  CHECK(EncodeHex(Value::Int(-32), Type::Number()) == "e0");
  CHECK(EncodeHex(Value::Int(-33), Type::Number()) == "d0df");
  CHECK(EncodeHex(Value::Int(128), Type::Number()) == "cc80");
  CHECK(EncodeHex(Value::Int(65536), Type::Number()) == "ce00010000");
  CHECK(EncodeHex(Value::Int(INT64_MAX), Type::Number()) == "cf7fffffffffffffff");
  CHECK(EncodeHex(Value::Int(-2147483649), Type::Number()) == "d3ffffffff7fffffff");
  // 1.5 fits a float32 too; cty still writes float64.
  CHECK(EncodeHex(Value::Double(1.5), Type::Number()) == "cb3ff8000000000000");
  CHECK(EncodeHex(Value::Double(-HUGE_VAL), Type::Number()) == "cbfff0000000000000");
  // A float64 from the wire keeps its exact value and goes back as the same float64.
  CHECK(EncodeHex(*DecodeMsgpack(FromHex("cb3fb999999999999a"), Type::Number()), Type::Number()) ==
        "cb3fb999999999999a");
  CHECK(DecodeError("cb7ff8000000000000", Type::Number()) == "NaN is not a number");
  CHECK(DecodeError("a3616263", Type::Number()) == "\"abc\" is not a number");
}

TEST_CASE("big numbers travel as exact decimal text") {
  const std::string digits = "123456789012345678901234567890.5";
  Value big = Value::Number(*Decimal::Parse(digits));
  auto bytes = EncodeMsgpack(big, Type::Number());
  REQUIRE(bytes.ok());
  CHECK(*bytes == "\xd9\x20" + digits);
  CHECK(*DecodeMsgpack(*bytes, Type::Number()) == big);
  CheckRoundTrip(Value::Number(*Decimal::Parse("-1e400")), Type::Number());
  CheckRoundTrip(Value::Number(*Decimal::Parse("0.1")), Type::Number());
}

TEST_CASE("every type round trips") {
  Type object = T(R"(["object",{"name":"string","count":"number","on":"bool",
                   "tags":["set","string"],"labels":["map","string"],
                   "pair":["tuple",["string","number"]],"any":"dynamic",
                   "items":["list",["object",{"name":"string","size":"number"}]]}])");
  Value item = Value::Object({{"name", Value::String("a")}, {"size", Value::Null(Type::Number())}});
  Value value = Value::Object({
      {"name", Value::String("flux-system")},
      {"count", Value::Int(3)},
      {"on", Value::Bool(false)},
      {"tags", Value::Set(Type::String(), {Value::String("b"), Value::String("a")})},
      {"labels", Value::Map(Type::String(), {{"app", Value::String("web")}})},
      {"pair", Value::Tuple({Value::String("x"), Value::Double(2.5)})},
      {"any", Value::List(Type::Number(), {Value::Int(1), Value::Int(2)})},
      {"items", Value::List(item.type(), {item, Value::Unknown(item.type())})},
  });
  CheckRoundTrip(value, object);
  CheckRoundTrip(Value::Null(object), object);
  CheckRoundTrip(Value::Unknown(object), object);
  CheckRoundTrip(Value::Unknown(Type::Dynamic()), Type::Dynamic());
  CheckRoundTrip(Value::Null(Type::Dynamic()), Type::Dynamic());
  CheckRoundTrip(Value::Null(Type::String()), Type::Dynamic());
  CheckRoundTrip(Value::Unknown(Type::String(), {.definitely_not_null = true}), Type::Dynamic());
  CheckRoundTrip(Value::Set(Type::Number(), {}), T(R"(["set","number"])"));
  CheckRoundTrip(Value::Map(Type::Bool(), {}), T(R"(["map","bool"])"));
  CheckRoundTrip(Value::Tuple({}), T(R"(["tuple",[]])"));
  CheckRoundTrip(Value::Object({}), T(R"(["object",{}])"));
  CheckRoundTrip(Value::String(std::string(70000, 'x')), Type::String());
  std::vector<Value> many;
  for (int i = 0; i < 70000; ++i) many.push_back(Value::Int(i));
  CheckRoundTrip(Value::List(Type::Number(), many), T(R"(["list","number"])"));
  CheckRoundTrip(Value::Unknown(Type::Number(),
                                {.number_lower = NumberBound{*Decimal::Parse("0.5"), true},
                                 .number_upper = NumberBound{*Decimal::Parse("1e400"), false}}),
                 Type::Number());
}

TEST_CASE("dynamic values are wrapped in their type") {
  Type type = T(R"(["object",{"a":"dynamic"}])");
  Value value = Value::Object({{"a", Value::List(Type::String(), {Value::String("x")})}});
  CHECK(EncodeHex(value, type) ==
        "81a161"
        "92c4"
        "11" +
            ToHex(R"(["list","string"])") + "91a178");
  auto back = DecodeMsgpack(FromHex(EncodeHex(value, type)), type);
  REQUIRE(back.ok());
  CHECK(back->type() == Type::Object({{"a", Type::List(Type::String())}}));
  CHECK(*back == value);
  // cty writes the type as bin; str is accepted too.
  auto from_str = DecodeMsgpack(FromHex("92a8" + ToHex("\"string\"") + "a178"), Type::Dynamic());
  REQUIRE(from_str.ok());
  CHECK(*from_str == Value::String("x"));
  // A list of dynamic wraps each element; their types must agree.
  Type list = T(R"(["list","dynamic"])");
  CheckRoundTrip(Value::List(Type::Dynamic(), {Value::String("a"), Value::String("b")}), list);
  std::string mixed =
      "92"
      "92c408" +
      ToHex("\"string\"") +
      "a161"
      "92c408" +
      ToHex("\"number\"") + "01";
  CHECK(DecodeError(mixed, list) ==
        "[1]: element of type number differs from earlier elements of type string");
  CHECK(DecodeError("92c405" + ToHex("\"str\"") + "c0", Type::Dynamic()) ==
        "type constraint: unknown type \"str\"");
  CHECK(DecodeError("91c0", Type::Dynamic()) == "expected a dynamic value as [type, value]");
}

TEST_CASE("nested objects with null attributes") {
  Type type = T(R"(["object",{"spec":["object",{"items":["list",["object",{"name":"string",
                 "note":"string"}]],"suspend":"bool"}]}])");
  Value item = Value::Object({{"name", Value::String("x")}, {"note", Value::Null(Type::String())}});
  Value value = Value::Object({{"spec", Value::Object({{"items", Value::List(item.type(), {item})},
                                                       {"suspend", Value::Null(Type::Bool())}})}});
  CHECK(EncodeHex(value, type) ==
        "81a473706563"
        "82a56974656d73"
        "91"
        "82a46e616d65a178a46e6f7465c0"
        "a773757370656e64c0");
  CheckRoundTrip(value, type);
  CheckRoundTrip(Value::Object({{"spec", Value::Null(*type.AttributeType("spec"))}}), type);
}

TEST_CASE("errors name the attribute path") {
  Type type = T(R"(["object",{"spec":["object",{"items":["list",["object",{"name":"string"}]],
                 "labels":["map","string"]}]}])");
  // {"spec": {"items": [{"name": "a"}, {"name": "b"}, {"name": true}], "labels": {}}}
  std::string items =
      "93"
      "81a46e616d65a161"
      "81a46e616d65a162"
      "81a46e616d65c3";
  std::string bytes =
      "81a473706563"
      "82a56974656d73" +
      items + "a66c6162656c7380";
  CHECK(DecodeError(bytes, type) == ".spec.items[2].name: expected string, got bool");
  std::string labels =
      "81a473706563"
      "82a56974656d7390"
      "a66c6162656c73"
      "81a3612e62c2";
  CHECK(DecodeError(labels, type) == ".spec.labels[\"a.b\"]: expected string, got bool");
  CHECK(DecodeError("81a473706563"
                    "81a56974656d7390",
                    type) == ".spec: missing attribute \"labels\"");
  CHECK(DecodeError("82a473706563c0a178c0", type) == "unsupported attribute \"x\"");
  CHECK(DecodeError("82a473706563c0a473706563c0", type) == ".spec: attribute given twice");
  CHECK(DecodeError("a3616263", type) == "expected object, got string");
  CHECK(DecodeError("92a161", T(R"(["tuple",["string"]])")) ==
        "expected a tuple of 1 elements, got 2");
  CHECK(DecodeError("c0c0", Type::String()) ==
        "msgpack: 1 bytes form a complete value, but more follow");

  auto wrong = EncodeMsgpack(
      Value::Object(
          {{"spec", Value::Object({{"items", Value::List(Type::String(), {})},
                                   {"labels", Value::Null(Type::Map(Type::String()))}})}}),
      type);
  REQUIRE_FALSE(wrong.ok());
  CHECK(std::string(wrong.status().message()) ==
        ".spec.items: expected list of object, got list of string");
  auto missing = EncodeMsgpack(Value::Object({}), type);
  CHECK(std::string(missing.status().message()) == "missing attribute \"spec\"");
  auto extra = EncodeMsgpack(Value::Object({{"x", Value::Int(1)}}), T(R"(["object",{}])"));
  CHECK(std::string(extra.status().message()) == "unsupported attribute \"x\"");
}

TEST_CASE("truncated input is an error at every length") {
  Type type = T(R"(["object",{"a":"dynamic","b":["list","number"],"c":"string"}])");
  Value value = Value::Object({{"a", Value::Map(Type::Number(), {{"k", Value::Double(0.25)}})},
                               {"b", Value::List(Type::Number(), {Value::Int(1 << 20)})},
                               {"c", Value::Unknown(Type::String(), {.string_prefix = "p"})}});
  std::string bytes = *EncodeMsgpack(value, type, {.write_refinements = true});
  for (size_t length = 0; length < bytes.size(); ++length) {
    INFO(length);
    CHECK_FALSE(DecodeMsgpack(bytes.substr(0, length), type).ok());
  }
  CHECK(DecodeMsgpack(bytes, type).ok());
}

TEST_CASE("garbage and hostile input never crash") {
  std::mt19937 random(20240601);
  const Type types[] = {Type::Dynamic(), T(R"(["list",["map","dynamic"]])"),
                        T(R"(["object",{"a":"string","b":["set","number"]}])")};
  for (int round = 0; round < 20000; ++round) {
    std::string bytes(random() % 48, '\0');
    for (char& c : bytes) c = static_cast<char>(random());
    for (const Type& type : types) (void)DecodeMsgpack(bytes, type);
  }
  // Valid input with bytes changed reaches deeper into the decoder than random bytes do.
  Type type = T(R"(["object",{"a":"dynamic","b":["set","number"],"c":["map","string"]}])");
  Value value = Value::Object(
      {{"a", Value::List(Type::String(), {Value::String("x"), Value::Unknown(Type::String())})},
       {"b", Value::Set(Type::Number(), {Value::Double(0.1), Value::Int(-300)})},
       {"c", Value::Unknown(Type::Map(Type::String()), {.length_lower = 1})}});
  const std::string valid = *EncodeMsgpack(value, type, {.write_refinements = true});
  for (int round = 0; round < 20000; ++round) {
    std::string bytes = valid;
    for (int changes = 1 + random() % 3; changes > 0; --changes) {
      bytes[random() % bytes.size()] = static_cast<char>(random());
    }
    (void)DecodeMsgpack(bytes, type);
    (void)DecodeMsgpack(bytes, Type::Dynamic());
  }
  // Lengths far beyond the input.
  for (const char* hex : {"dbffffffff", "ddffffffff", "dfffffffff", "c6ffffffff", "c9ffffffff0c",
                          "c1", "d9", "cf00"}) {
    INFO(hex);
    CHECK_FALSE(DecodeMsgpack(FromHex(hex), Type::Dynamic()).ok());
    CHECK_FALSE(DecodeMsgpack(FromHex(hex), T(R"(["list","string"])")).ok());
  }
  // Dynamic values nested without end.
  std::string nested;
  for (int i = 0; i < 10000; ++i) nested += "92c409" + ToHex("\"dynamic\"");
  CHECK(DecodeError(nested + "c0", Type::Dynamic()).find("nested too deeply") != std::string::npos);
}

}  // namespace
}  // namespace fluxcpp::provider::values
