// The JSON encoding of values: DynamicValue.json and the RawState Terraform keeps in its state file
// (ctyjson's format, driven by the schema type).
//
//   null → null; string, bool → themselves; number → a JSON number with every digit kept;
//   list/set/tuple → array; map/object → object; dynamic → {"value": ..., "type": <type JSON>}.
//
// Like ctyjson, decoding is lenient where state written by older schemas needs it: a string
// attribute accepts a number or bool (taking its text), a number accepts decimal text, a bool
// accepts "true"/"false", and object attributes missing from the JSON are null. Unknown values
// cannot be written in JSON.
//
// The functions are pure and thread-safe. Numbers keep arbitrary precision; magnitudes beyond
// about 1e4932 (long double's range, which the JSON tokenizer uses) are refused.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "provider/values/type.h"
#include "provider/values/value.h"

namespace fluxcpp::provider::values {

// Nesting deeper than this is refused when decoding.
inline constexpr int kMaxJsonDepth = 128;

struct JsonDecodeOptions {
  // Skip object keys the type does not have, instead of failing. UpgradeResourceState needs this:
  // state is written with the old schema, and attributes that were removed are still in it.
  bool ignore_unknown_attributes = false;
};

// Decodes JSON written for `type`. Errors name the attribute path
// (".spec.items[2].name: expected string, got array").
[[nodiscard]] absl::StatusOr<Value> DecodeJson(std::string_view json, const Type& type,
                                               const JsonDecodeOptions& options = {});

// Decodes UpgradeResourceState's raw_state.json against the current schema type: keys the type no
// longer has are ignored, attributes it has gained are null.
[[nodiscard]] absl::StatusOr<Value> DecodeRawState(std::string_view json, const Type& type);

// Encodes a wholly known `value` as `type` expects; fails, naming the path, on unknown values,
// infinities (JSON has none) and values that do not fit the type.
[[nodiscard]] absl::StatusOr<std::string> EncodeJson(const Value& value, const Type& type);

}  // namespace fluxcpp::provider::values
