#include "provider/values/value.h"

#include <catch2/catch.hpp>

namespace fluxcpp::provider::values {
namespace {

std::string Message(const absl::Status& status) { return std::string(status.message()); }

TEST_CASE("primitive values are built and read") {
  CHECK(*Value::String("x").AsString() == "x");
  CHECK(*Value::Bool(true).AsBool());
  CHECK(*Value::Int(-42).AsInt64() == -42);
  CHECK(*Value::Double(0.5).AsDouble() == 0.5);
  Value big = Value::Number(*Decimal::Parse("123456789012345678901234567890.5"));
  CHECK(big.AsNumber()->ToString() == "123456789012345678901234567890.5");
  CHECK(big.AsInt64().status().code() == absl::StatusCode::kOutOfRange);
  CHECK(Value::Int(7).type() == Type::Number());
}

TEST_CASE("typed reads say what they found") {
  CHECK(Message(Value::Bool(true).AsString().status()) == "expected string, got bool");
  CHECK(Message(Value::Null(Type::String()).AsString().status()) == "expected string, got null");
  CHECK(Message(Value::Unknown(Type::Number()).AsInt64().status()) ==
        "expected number, got an unknown value");
}

TEST_CASE("null, unknown and refinements") {
  Value null = Value::Null(Type::String());
  CHECK(null.IsNull());
  CHECK(null.IsKnown());
  CHECK(null.IsWhollyKnown());
  Refinements refinements{.definitely_not_null = true, .string_prefix = "ab"};
  Value unknown = Value::Unknown(Type::String(), refinements);
  CHECK_FALSE(unknown.IsKnown());
  CHECK_FALSE(unknown.IsNull());
  CHECK(unknown.refinements() == refinements);
  CHECK(Value::Unknown(Type::String()).refinements().empty());
  CHECK_FALSE(unknown == Value::Unknown(Type::String()));
  CHECK(unknown == Value::Unknown(Type::String(), refinements));
  CHECK(Value().type().IsDynamic());
  CHECK(Value().IsNull());
}

TEST_CASE("objects are built from attributes and read by name") {
  Value object = Value::Object({{"name", Value::String("flux-system")},
                                {"interval", Value::Null(Type::String())},
                                {"spec", Value::Object({{"replicas", Value::Int(2)}})}});
  CHECK(object.type() == Type::Object({{"name", Type::String()},
                                       {"interval", Type::String()},
                                       {"spec", Type::Object({{"replicas", Type::Number()}})}}));
  CHECK(*object.GetAttribute("name")->AsString() == "flux-system");
  CHECK(object.GetAttribute("interval")->IsNull());
  CHECK(*object.GetAttribute("spec")->GetAttribute("replicas")->AsInt64() == 2);
  CHECK(object.GetAttribute("nope").status().code() == absl::StatusCode::kNotFound);
  CHECK(Value::String("x").GetAttribute("a").status().code() ==
        absl::StatusCode::kFailedPrecondition);
  CHECK(object.Length() == 3);
  CHECK(object.DebugString() == "{interval = null, name = \"flux-system\", spec = {replicas = 2}}");

  // Null and unknown objects give null and unknown attributes of the attribute's type.
  Type type = object.type();
  CHECK(*Value::Null(type).GetAttribute("name") == Value::Null(Type::String()));
  CHECK(*Value::Unknown(type).GetAttribute("spec") ==
        Value::Unknown(Type::Object({{"replicas", Type::Number()}})));
}

TEST_CASE("ObjectOf fills missing attributes with null and keeps the declared type") {
  Type type = Type::Object({{"a", Type::String()}, {"b", Type::Dynamic()}});
  auto object = Value::ObjectOf(type, {{"a", Value::String("x")}});
  REQUIRE(object.ok());
  CHECK(object->type() == type);
  CHECK(object->GetAttribute("b")->IsNull());
  auto wrong = Value::ObjectOf(type, {{"c", Value::Bool(true)}});
  CHECK(Message(wrong.status()) == "object has no attribute \"c\"");
}

TEST_CASE("collections") {
  Value list = Value::List(Type::String(), {Value::String("a"), Value::String("b")});
  CHECK(list.type() == Type::List(Type::String()));
  CHECK(*list.GetElement(1)->AsString() == "b");
  CHECK(list.GetElement(2).status().code() == absl::StatusCode::kOutOfRange);
  CHECK(list.DebugString() == "[\"a\", \"b\"]");
  CHECK_FALSE(list == Value::List(Type::String(), {Value::String("b"), Value::String("a")}));

  // With a dynamic element type, the elements decide, as in cty.
  CHECK(Value::List(Type::Dynamic(), {Value::Int(1)}).type() == Type::List(Type::Number()));
  CHECK(Value::List(Type::Dynamic(), {}).type() == Type::List(Type::Dynamic()));

  Value map = Value::Map(Type::Number(), {{"x", Value::Int(1)}});
  CHECK(*map.GetKey("x")->AsInt64() == 1);
  CHECK(map.GetKey("y").status().code() == absl::StatusCode::kNotFound);

  Value tuple = Value::Tuple({Value::String("x"), Value::Bool(false)});
  CHECK(tuple.type() == Type::Tuple({Type::String(), Type::Bool()}));
}

TEST_CASE("sets ignore order and drop duplicates, but never merge unknowns") {
  Value a =
      Value::Set(Type::Number(), {Value::Int(3), Value::Int(1), Value::Int(2), Value::Int(1)});
  Value b = Value::Set(Type::Number(), {Value::Int(1), Value::Int(2), Value::Int(3)});
  CHECK(a == b);
  CHECK(a.Length() == 3);
  CHECK(a.DebugString() == "[1, 2, 3]");
  // 1.0 and 1 are the same number.
  CHECK(Value::Set(Type::Number(), {Value::Int(1), Value::Double(1.0)}).Length() == 1);
  Value unknowns =
      Value::Set(Type::String(), {Value::Unknown(Type::String()), Value::Unknown(Type::String()),
                                  Value::String("x"), Value::String("x")});
  CHECK(unknowns.Length() == 3);
  CHECK_FALSE(unknowns.IsWhollyKnown());
  Value objects = Value::Set(
      Type::Object({{"n", Type::String()}}),
      {Value::Object({{"n", Value::String("b")}}), Value::Object({{"n", Value::String("a")}}),
       Value::Object({{"n", Value::String("b")}})});
  CHECK(objects.Length() == 2);
  CHECK(*objects.Elements()[0].GetAttribute("n")->AsString() == "a");
}

TEST_CASE("wholly known looks inside") {
  Value nested = Value::Object(
      {{"spec", Value::Object(
                    {{"items", Value::List(Type::String(), {Value::Unknown(Type::String())})}})}});
  CHECK(nested.IsKnown());
  CHECK_FALSE(nested.IsWhollyKnown());
  CHECK(Value::Object({{"a", Value::Null(Type::String())}}).IsWhollyKnown());
}

TEST_CASE("equality is exact") {
  CHECK(Value::String("x") == Value::String("x"));
  CHECK_FALSE(Value::String("x") == Value::String("y"));
  CHECK_FALSE(Value::Null(Type::String()) == Value::Null(Type::Number()));
  CHECK_FALSE(Value::Null(Type::String()) == Value::Unknown(Type::String()));
  CHECK(Value::Number(*Decimal::Parse("1.50")) == Value::Number(*Decimal::Parse("1.5")));
  CHECK_FALSE(Value::Object({{"a", Value::Int(1)}}) == Value::Object({{"a", Value::Int(2)}}));
}

}  // namespace
}  // namespace fluxcpp::provider::values
