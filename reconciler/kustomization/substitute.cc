#include "reconciler/kustomization/substitute.h"

#include "absl/strings/escaping.h"
#include "lib/manifest/yaml.h"
#include "reconciler/kustomization/spec.h"

namespace fluxcpp::reconciler::kustomization {
namespace {

constexpr std::string_view kSubstituteKey = "kustomize.toolkit.fluxcd.io/substitute";

absl::Status ExpressionError(const std::string& expression, const std::string& problem) {
  return absl::InvalidArgumentError("variable substitution of \"" + expression + "\": " + problem);
}

// Evaluates the inside of `${...}`.
absl::StatusOr<std::string> Evaluate(const std::string& body, const Variables& variables) {
  size_t operator_at = body.find(':');
  std::string name = body.substr(0, operator_at);
  if (!IsValidVariableName(name)) {
    return ExpressionError("${" + body + "}", "\"" + name + "\" is not a valid variable name");
  }
  auto found = variables.find(name);
  if (operator_at == std::string::npos) {
    return found == variables.end() ? std::string() : found->second;
  }
  if (operator_at + 1 >= body.size() ||
      (body[operator_at + 1] != '=' && body[operator_at + 1] != '-')) {
    return ExpressionError("${" + body + "}",
                           "only ${name:=default} and ${name:-default} are "
                           "supported");
  }
  // Both forms use the default when the variable is unset or empty; `:=` would also assign it,
  // which has no effect beyond this expression here.
  std::string fallback = body.substr(operator_at + 2);
  if (found != variables.end() && !found->second.empty()) return found->second;
  // The default may itself refer to variables.
  return SubstituteText(fallback, variables);
}

}  // namespace

absl::StatusOr<std::string> SubstituteText(const std::string& text, const Variables& variables) {
  std::string result;
  result.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    if (text[i] != '$') {
      result += text[i++];
      continue;
    }
    // `$${` escapes the expression: it stays, with one `$` less.
    if (text.compare(i, 3, "$${") == 0) {
      result += "${";
      i += 3;
      continue;
    }
    if (text.compare(i, 2, "${") != 0) {
      result += text[i++];
      continue;
    }
    // Find the closing brace, allowing nested `${...}` in a default.
    size_t depth = 1;
    size_t end = i + 2;
    for (; end < text.size() && depth > 0; ++end) {
      if (text.compare(end, 2, "${") == 0) {
        ++depth;
        ++end;
      } else if (text[end] == '}') {
        --depth;
      }
    }
    if (depth != 0) {
      return ExpressionError(text.substr(i, std::min<size_t>(40, text.size() - i)),
                             "missing closing brace");
    }
    std::string body = text.substr(i + 2, end - i - 3);
    auto value = Evaluate(body, variables);
    if (!value.ok()) return value.status();
    result += *value;
    i = end;
  }
  return result;
}

absl::Status SubstituteObjects(std::vector<manifest::Object>& objects, const Variables& variables) {
  std::vector<manifest::Object> substituted;
  substituted.reserve(objects.size());
  for (const manifest::Object& object : objects) {
    if (object.Label(kSubstituteKey) == "disabled" ||
        object.Annotation(kSubstituteKey) == "disabled") {
      substituted.push_back(object);
      continue;
    }
    std::string where =
        object.Describe() +
        (object.source().file.empty() ? "" : " (" + object.source().Describe() + ")");
    std::string yaml = manifest::ToYaml(object.json());
    if (yaml.find("${") == std::string::npos) {
      substituted.push_back(object);
      continue;
    }
    auto text = SubstituteText(yaml, variables);
    if (!text.ok()) {
      return absl::InvalidArgumentError(where + ": " + std::string(text.status().message()));
    }
    auto parsed = manifest::ReadObjects(*text, object.source().file);
    if (!parsed.ok()) {
      return absl::InvalidArgumentError(where + ": the substituted object is not valid YAML: " +
                                        std::string(parsed.status().message()));
    }
    if (parsed->size() != 1) {
      return absl::InvalidArgumentError(where + ": substitution turned one object into " +
                                        std::to_string(parsed->size()));
    }
    substituted.emplace_back(std::move((*parsed)[0].json()), object.source());
  }
  objects = std::move(substituted);
  return absl::OkStatus();
}

absl::StatusOr<Variables> VariablesOf(const manifest::Object& source) {
  Variables variables;
  const manifest::Json& json = source.json();
  bool is_secret = source.Kind() == "Secret";
  auto read = [&](const char* field, bool base64) -> absl::Status {
    auto found = json.find(field);
    if (found == json.end() || !found->is_object()) return absl::OkStatus();
    for (const auto& [key, value] : found->items()) {
      if (!value.is_string()) continue;
      if (!IsValidVariableName(key)) {
        return absl::InvalidArgumentError(source.Describe() + ": key \"" + key +
                                          "\" is not a valid variable name");
      }
      std::string text = value.get<std::string>();
      if (base64) {
        std::string decoded;
        if (!absl::Base64Unescape(text, &decoded)) {
          return absl::InvalidArgumentError(source.Describe() + ": data." + key + " is not base64");
        }
        text = std::move(decoded);
      }
      variables[key] = std::move(text);
    }
    return absl::OkStatus();
  };
  if (absl::Status status = read("data", is_secret); !status.ok()) return status;
  if (is_secret) {
    if (absl::Status status = read("stringData", false); !status.ok()) return status;
  }
  return variables;
}

Variables MergeVariables(const std::vector<Variables>& from_sources, const Variables& inline_map) {
  Variables merged;
  for (const Variables& source : from_sources) {
    for (const auto& [name, value] : source) merged[name] = value;
  }
  // Flux drops newlines from inline values so they cannot break the YAML they land in.
  for (const auto& [name, value] : inline_map) {
    std::string flat;
    for (char c : value) {
      if (c != '\n') flat += c;
    }
    merged[name] = flat;
  }
  return merged;
}

}  // namespace fluxcpp::reconciler::kustomization
