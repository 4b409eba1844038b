// Reading and rewriting the object values of resource and data source states: an attribute of an
// object, the object with one attribute replaced, typed reads of optional attributes.
//
// Values are immutable; these functions return new values and are thread-safe.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "provider/values/value.h"

namespace fluxcpp::provider::framework {

// Attribute `name` of `object`; null (of dynamic type) when `object` is null, not an object or has
// no such attribute, unknown when `object` is unknown.
values::Value AttributeOf(const values::Value& object, std::string_view name);

// `object` with attribute `name` set to `value`. Precondition: `object` is a known object that
// has the attribute; otherwise `object` is returned unchanged.
values::Value WithAttribute(const values::Value& object, std::string_view name,
                            values::Value value);

// The string, bool or string-set value of attribute `name`; nullopt when it is null or unknown.
std::optional<std::string> StringAttribute(const values::Value& object, std::string_view name);
std::optional<bool> BoolAttribute(const values::Value& object, std::string_view name);
std::optional<std::set<std::string>> StringSetAttribute(const values::Value& object,
                                                        std::string_view name);

// A set(string) value.
values::Value StringSet(const std::set<std::string>& strings);

}  // namespace fluxcpp::provider::framework
