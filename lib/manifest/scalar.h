// Typing of YAML scalars the way go-yaml v2 (kubectl) and v3 (kustomize) resolve them. Private to
// lib/manifest, and to lib/kustomize's writer, which quotes strings the way go-yaml v2 does.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "lib/manifest/object.h"
#include "lib/manifest/yaml.h"

namespace fluxcpp::manifest {

// The JSON value of a plain (unquoted, untagged) scalar: null, bool, integer, number or string.
// Integral numbers written as floats (`1e3`) become integers and integers beyond int64 become
// floats, as they do after kubectl's YAML → JSON → object round trip. Fails only for values JSON
// cannot hold (.nan, .inf).
[[nodiscard]] absl::StatusOr<Json> ResolvePlainScalar(std::string_view text,
                                                      ScalarTyping typing = ScalarTyping::kKubectl);

// The JSON value of a scalar with an explicit tag (`!!int 3`, `!!str yes`); unknown tags resolve as
// plain scalars. Fails when the text does not fit the tag.
[[nodiscard]] absl::StatusOr<Json> ResolveTaggedScalar(
    std::string_view tag, std::string_view text, ScalarTyping typing = ScalarTyping::kKubectl);

// go-yaml's timestamp forms (`2001-12-14`, `2001-12-14T21:59:43.10-05:00`, `2001-12-14t...`,
// `2001-12-14 21:59:43.10`) as Go's encoding/json writes the time.Time they decode to (RFC 3339
// with the shortest fraction; `Z` for UTC). nullopt when `text` is not such a timestamp.
std::optional<std::string> YamlTimestampAsRfc3339(std::string_view text);

// True when `text`, written as a plain scalar, would read back as something other than this string.
bool NeedsQuotes(std::string_view text);

}  // namespace fluxcpp::manifest
