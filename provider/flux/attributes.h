// Short builders for the attribute shapes the flux_* schemas use again and again, and readers of
// configuration values with a fallback. Private to provider/flux.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "provider/framework/object.h"
#include "provider/protocol/schema.h"
#include "provider/values/value.h"

namespace fluxcpp::provider::flux {

// An optional attribute without a default.
inline protocol::Attribute OptionalAttribute(std::string name, values::Type type,
                                             std::string description) {
  return protocol::Attribute{.name = std::move(name),
                             .type = std::move(type),
                             .description = std::move(description),
                             .optional = true};
}

// An optional attribute that takes `default_value` (and so is computed) when the configuration
// leaves it out.
inline protocol::Attribute DefaultedAttribute(std::string name, values::Value default_value,
                                              std::string description) {
  values::Type type = default_value.type();
  return protocol::Attribute{.name = std::move(name),
                             .type = std::move(type),
                             .description = std::move(description),
                             .optional = true,
                             .computed = true,
                             .default_value = std::move(default_value)};
}

// An attribute's value, or the fallback when it is null (or not a string, bool or set of strings).
inline std::string String(const values::Value& object, std::string_view name) {
  return framework::StringAttribute(object, name).value_or("");
}

inline bool Bool(const values::Value& object, std::string_view name, bool fallback) {
  return framework::BoolAttribute(object, name).value_or(fallback);
}

inline std::set<std::string> Strings(const values::Value& object, std::string_view name) {
  return framework::StringSetAttribute(object, name).value_or(std::set<std::string>{});
}

}  // namespace fluxcpp::provider::flux
