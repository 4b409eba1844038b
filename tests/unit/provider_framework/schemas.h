// A small schema for the framework tests: every kind of attribute the rules treat differently.
#pragma once

#include "provider/protocol/schema.h"
#include "provider/values/value.h"

namespace fluxcpp::provider::framework::testing {

using protocol::Attribute;
using values::Type;
using values::Value;

inline protocol::Block TestBlock() {
  protocol::Block block;
  block.attributes = {
      Attribute{.name = "name", .type = Type::String(), .required = true, .requires_replace = true},
      Attribute{.name = "value", .type = Type::String(), .optional = true},
      Attribute{.name = "secret", .type = Type::String(), .optional = true, .sensitive = true},
      Attribute{.name = "size",
                .type = Type::Number(),
                .optional = true,
                .computed = true,
                .default_value = Value::Int(3)},
      Attribute{
          .name = "id", .type = Type::String(), .computed = true, .use_state_for_unknown = true},
      Attribute{.name = "digest", .type = Type::String(), .computed = true},
      Attribute{
          .name = "settings",
          .nested_attributes = {Attribute{.name = "mode",
                                          .type = Type::String(),
                                          .optional = true,
                                          .computed = true,
                                          .default_value = Value::String("fast")},
                                Attribute{
                                    .name = "label", .type = Type::String(), .optional = true}},
          .optional = true},
  };
  block.block_types = {protocol::NestedBlock{
      .type_name = "rule",
      .block = protocol::Block{.attributes = {Attribute{
                                   .name = "key", .type = Type::String(), .required = true}}},
      .nesting = protocol::Nesting::kList}};
  return block;
}

inline Type TestType() { return protocol::ImpliedType(TestBlock()); }

inline Type SettingsType() {
  return Type::Object({{"mode", Type::String()}, {"label", Type::String()}});
}

inline Type RuleType() { return Type::Object({{"key", Type::String()}}); }

// A configuration: name and value set, the rest null, no rules.
inline Value Config(const std::string& name, Value value = Value::Null(Type::String())) {
  return *Value::ObjectOf(TestType(), {{"name", Value::String(name)},
                                       {"value", std::move(value)},
                                       {"rule", Value::List(RuleType(), {})}});
}

}  // namespace fluxcpp::provider::framework::testing
