// The text `kustomize build` prints. kustomize turns each resource into JSON and writes it with
// sigs.k8s.io/yaml, that is go-yaml v2's encoder: keys sorted (go-yaml's natural order, digits
// compared as numbers), 2-space indentation, sequences not indented under their key, strings
// quoted only when they would read back as another type, long strings folded at column 80, and
// multi-line strings as literal blocks. This writer reproduces that encoder byte for byte for the
// JSON values resources hold; lib/manifest's ToYaml (yaml-cpp) keeps the author's key order
// instead and is not used for build output.
//
// Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "lib/manifest/object.h"

namespace fluxcpp::kustomize {

// One document, ending in a newline, as go-yaml v2's yaml.Marshal writes the value.
std::string WriteYamlDocument(const manifest::Json& value);

// Documents separated by `---` lines, as `kustomize build` prints a build.
std::string WriteYamlStream(const std::vector<manifest::Object>& objects);

// go-yaml v2's order of map keys: letters compare as runes, runs of digits as numbers, and a
// non-letter sorts before a letter.
bool GoYamlKeyLess(std::string_view a, std::string_view b);

// A float64 as it comes out of Go's encoding/json followed by go-yaml v2 (integral values print
// as integers, others in strconv's shortest 'g' form).
std::string FormatGoFloat(double value);

}  // namespace fluxcpp::kustomize
