// Typing of YAML scalars the way go-yaml v2 (and so kubectl) resolves them. Private to
// lib/manifest.
#pragma once

#include <string_view>

#include "absl/status/statusor.h"
#include "lib/manifest/object.h"

namespace fluxcpp::manifest {

// The JSON value of a plain (unquoted, untagged) scalar: null, bool, integer, number or string.
// Integral numbers written as floats (`1e3`) become integers and integers beyond int64 become
// floats, as they do after kubectl's YAML → JSON → object round trip. Fails only for values JSON
// cannot hold (.nan, .inf).
[[nodiscard]] absl::StatusOr<Json> ResolvePlainScalar(std::string_view text);

// The JSON value of a scalar with an explicit tag (`!!int 3`, `!!str yes`); unknown tags resolve as
// plain scalars. Fails when the text does not fit the tag.
[[nodiscard]] absl::StatusOr<Json> ResolveTaggedScalar(std::string_view tag, std::string_view text);

// True when `text`, written as a plain scalar, would read back as something other than this string.
bool NeedsQuotes(std::string_view text);

}  // namespace fluxcpp::manifest
