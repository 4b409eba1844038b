// The msgpack encoding of values that Terraform's plugin protocol uses for DynamicValue.msgpack:
// cty's encoding, driven by the schema type (reference: terraform-plugin-protocol.md, "msgpack").
//
//   string → str, bool → bool, null → nil, unknown → an extension (we write d4 00 00);
//   number → compact int if it fits int64, else float64 if exact, else decimal text (str);
//   list/set/tuple → array; map/object → map with string keys (objects hold every attribute);
//   dynamic → [type JSON as bin, value encoded by that type], or bare nil/extension when the type
//   itself is unknown.
//
// The functions are pure and thread-safe. The decoder accepts any input without crashing: lengths
// are checked against the input and nesting is limited to kMaxMsgpackDepth.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "provider/values/type.h"
#include "provider/values/value.h"

namespace fluxcpp::provider::values {

// Nesting deeper than this is refused when decoding (a dynamic value can nest without bound).
inline constexpr int kMaxMsgpackDepth = 128;

// Refinements larger than this are refused, as cty does.
inline constexpr size_t kMaxRefinementBytes = 1024;

struct MsgpackEncodeOptions {
  // Write the refinements of unknown values as extension type 12, as cty does. Off by default:
  // the reference asks providers to send the unrefined d4 00 00, and a refinement in a plan is a
  // promise the apply must keep.
  bool write_refinements = false;
};

// Encodes `value` as the schema type `type` expects. Fails, naming the attribute path, when the
// value does not fit the type (".spec.name: expected string, got bool").
[[nodiscard]] absl::StatusOr<std::string> EncodeMsgpack(const Value& value, const Type& type,
                                                        const MsgpackEncodeOptions& options = {});

// Decodes msgpack written for the schema type `type`. Where the schema says dynamic, the value
// gets the concrete type from the wire. Refinements of unknown values are kept. Errors name the
// attribute path (".spec.items[2].name: expected string, got bool"); trailing bytes are an error.
[[nodiscard]] absl::StatusOr<Value> DecodeMsgpack(std::string_view bytes, const Type& type);

}  // namespace fluxcpp::provider::values
