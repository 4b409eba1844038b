// Flux's post-build variable substitution (postBuild): bash-style `${var}`, `${var:=default}` and
// `${var:-default}` in each built object's YAML, `$${var}` for a literal `${var}`, undefined
// variables without a default becoming empty. Objects labelled or annotated
// `kustomize.toolkit.fluxcd.io/substitute: disabled` are left alone.
//
// Pure functions; thread-safe.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/manifest/object.h"

namespace fluxcpp::reconciler::kustomization {

using Variables = std::map<std::string, std::string>;

// Replaces the variables in `text`; an unterminated `${` or a bad variable name is an error
// quoting the expression.
[[nodiscard]] absl::StatusOr<std::string> SubstituteText(const std::string& text,
                                                         const Variables& variables);

// Substitutes every object (through its YAML form) in place. Nothing changes when an error
// occurs; the error names the object and its source file.
[[nodiscard]] absl::Status SubstituteObjects(std::vector<manifest::Object>& objects,
                                             const Variables& variables);

// The variables of one substituteFrom source: a ConfigMap's `data`, or a Secret's `data`
// (base64-decoded) and `stringData`. The error names the object and key.
[[nodiscard]] absl::StatusOr<Variables> VariablesOf(const manifest::Object& source);

// Layers the variables as Flux does: the substituteFrom sources in order, later ones overriding
// earlier ones, and the inline `substitute` map over all of them.
Variables MergeVariables(const std::vector<Variables>& from_sources, const Variables& inline_map);

}  // namespace fluxcpp::reconciler::kustomization
