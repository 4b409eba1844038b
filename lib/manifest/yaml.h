// YAML ⇄ JSON for Kubernetes manifests. Reading follows the typing Kubernetes tooling applies
// (kubectl and the API machinery read YAML through go-yaml v2): plain `yes`/`on` are booleans,
// `0755` is an octal integer, `1e3` a number; quoted and block scalars are strings. Anchors,
// aliases and `<<` merge keys are resolved; empty documents are skipped.
//
// All functions are pure and thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/manifest/object.h"

namespace fluxcpp::manifest {

// How plain (unquoted, untagged) scalars are typed.
enum class ScalarTyping {
  // go-yaml v2 (YAML 1.1), as kubectl and the API machinery read manifests: `yes`/`on`/`y` are
  // booleans.
  kKubectl,
  // go-yaml v3, as kustomize's kyaml decodes resources: only true/false (any case variant of
  // True/TRUE) are booleans, so `yes` and `on` stay strings, and dates such as `2001-12-14`
  // become RFC 3339 timestamp strings (`"2001-12-14T00:00:00Z"`).
  kKustomize,
};

struct ParseOptions {
  ScalarTyping typing = ScalarTyping::kKubectl;
};

// One YAML document as JSON, with where it starts.
struct Document {
  Json json;
  SourceLocation source;
};

// Where the first byte that does not belong to well-formed UTF-8 is (overlong forms, surrogates and
// code points past U+10FFFF count as malformed, as in Go's utf8.Valid), or npos. YAML streams are
// Unicode text: go-yaml, and so kubectl and kustomize, refuse anything else; ParseYamlDocuments
// does too.
size_t FirstInvalidUtf8(std::string_view text);

// Parses every non-empty document of a multi-document stream. `file_name` only labels errors and
// sources. A syntax error is InvalidArgument naming the file, the document and the line and column.
[[nodiscard]] absl::StatusOr<std::vector<Document>> ParseYamlDocuments(
    std::string_view text, std::string_view file_name, const ParseOptions& options = {});

// Parses a stream of Kubernetes objects: every document must be a mapping with a string
// `apiVersion` and `kind`; an error names the file and the document that is not.
[[nodiscard]] absl::StatusOr<std::vector<Object>> ReadObjects(std::string_view text,
                                                              std::string_view file_name,
                                                              const ParseOptions& options = {});

// Block-style YAML for one JSON value. Strings that would read back as another type are quoted, so
// ParseYamlDocuments(ToYaml(x)) gives x back.
std::string ToYaml(const Json& value);

// Objects as one multi-document stream, each document introduced by `---`.
std::string ToYaml(const std::vector<Object>& objects);

}  // namespace fluxcpp::manifest
