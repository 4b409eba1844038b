// CheckSchema, ValidateConfig and ApplyDefaults.
#include <catch2/catch.hpp>

#include "provider/framework/object.h"
#include "provider/framework/rules.h"
#include "tests/unit/provider_framework/schemas.h"

namespace fluxcpp::provider::framework {
namespace {

using namespace testing;  // NOLINT: the test schema

TEST_CASE("the test schema is well formed") { CHECK(CheckSchema({.block = TestBlock()}).ok()); }

TEST_CASE("CheckSchema names the attribute at fault") {
  protocol::Block block = TestBlock();
  SECTION("a default on a required attribute") {
    block.attributes[0].default_value = Value::String("x");
    absl::Status status = CheckSchema({.block = block});
    CHECK(status.code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(std::string(status.message()), Catch::StartsWith(".name: "));
  }
  SECTION("a default of the wrong type") {
    block.attributes[3].default_value = Value::String("three");
    CHECK_THAT(std::string(CheckSchema({.block = block}).message()), Catch::StartsWith(".size: "));
  }
  SECTION("use_state_for_unknown on a non-computed attribute") {
    block.attributes[1].use_state_for_unknown = true;
    CHECK_FALSE(CheckSchema({.block = block}).ok());
  }
  SECTION("neither required, optional nor computed, inside a nested attribute") {
    block.attributes[6].nested_attributes[1].optional = false;
    CHECK_THAT(std::string(CheckSchema({.block = block}).message()),
               Catch::StartsWith(".settings.label: "));
  }
  SECTION("a duplicate name") {
    block.attributes.push_back(block.attributes[1]);
    CHECK_FALSE(CheckSchema({.block = block}).ok());
  }
  SECTION("a bad name") {
    block.attributes[1].name = "Value";
    CHECK_FALSE(CheckSchema({.block = block}).ok());
  }
}

protocol::Block WithValidator() {
  protocol::Block block = TestBlock();
  block.attributes[6].nested_attributes[0].validators = {
      protocol::Validator{.description = "fast or slow", .check = [](const Value& value) {
                            return value == Value::String("fast") || value == Value::String("slow")
                                       ? absl::OkStatus()
                                       : absl::InvalidArgumentError("must be fast or slow");
                          }}};
  return block;
}

Value WithMode(Value mode) {
  return WithAttribute(Config("a"), "settings",
                       *Value::ObjectOf(SettingsType(), {{"mode", std::move(mode)}}));
}

TEST_CASE("validators run on known values and name the nested path") {
  const auto diagnostics = ValidateConfig(WithValidator(), WithMode(Value::String("medium")));
  REQUIRE(diagnostics.size() == 1);
  CHECK(diagnostics[0].attribute == values::Path().Attribute("settings").Attribute("mode"));
  CHECK_THAT(diagnostics[0].detail, Catch::Contains("must be fast or slow"));
  CHECK(ValidateConfig(WithValidator(), WithMode(Value::String("slow"))).empty());
  CHECK(ValidateConfig(WithValidator(), WithMode(Value::Unknown(Type::String()))).empty());
  CHECK(ValidateConfig(WithValidator(), WithMode(Value::Null(Type::String()))).empty());
}

TEST_CASE("a deprecated attribute that is set gets a warning") {
  protocol::Block block = TestBlock();
  block.attributes[1].deprecated = true;
  block.attributes[1].deprecation_message = "Use name.";
  const auto diagnostics = ValidateConfig(block, Config("a", Value::String("x")));
  REQUIRE(diagnostics.size() == 1);
  CHECK(diagnostics[0].severity == protocol::Diagnostic::Severity::kWarning);
  CHECK(diagnostics[0].detail == "Use name.");
  CHECK(ValidateConfig(block, Config("a")).empty());
}

TEST_CASE("ApplyDefaults fills null optional+computed attributes, nested ones too") {
  const Value defaulted = ApplyDefaults(TestBlock(), WithMode(Value::Null(Type::String())));
  CHECK(AttributeOf(defaulted, "size") == Value::Int(3));
  CHECK(AttributeOf(AttributeOf(defaulted, "settings"), "mode") == Value::String("fast"));
  CHECK(AttributeOf(defaulted, "id").IsNull());  // computed-only: no default
  const Value kept = ApplyDefaults(TestBlock(), WithAttribute(Config("a"), "size", Value::Int(9)));
  CHECK(AttributeOf(kept, "size") == Value::Int(9));
}

}  // namespace
}  // namespace fluxcpp::provider::framework
