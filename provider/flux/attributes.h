// Short builders for the attribute shapes the flux_* schemas use again and again. Private to
// provider/flux.
#pragma once

#include <string>
#include <utility>

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

}  // namespace fluxcpp::provider::flux
