// The content-hash suffix kustomize appends to generated ConfigMap and Secret names. Pure,
// thread-safe.
#pragma once

#include <string>

#include "lib/manifest/object.h"

namespace fluxcpp::kustomize {

// JSON as Go's encoding/json writes it: map keys in byte order, no spaces, `<`, `>`, `&`,
// U+2028 and U+2029 escaped as \u003c…, floats in Go's shortest form.
std::string GoJson(const manifest::Json& value);

// The ten characters kustomize appends (after a `-`) to a generated ConfigMap or Secret: the
// SHA-256 of its kind, data (and binaryData / type and stringData) and an always-empty name (a
// quirk of kustomize's field lookup), vowels and look-alike digits replaced so the result cannot
// spell words.
std::string ContentHash(const manifest::Object& object);

}  // namespace fluxcpp::kustomize
