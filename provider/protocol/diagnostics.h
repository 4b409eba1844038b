// Diagnostics: how a provider tells the user about problems. Every user-facing problem (a bad
// configuration, an unknown resource type, a failed API call) travels as a diagnostic in the
// response, never as a gRPC error, so Terraform shows it with its summary, detail and the
// attribute it concerns.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "provider/values/path.h"

namespace fluxcpp::provider::protocol {

struct Diagnostic {
  enum class Severity { kError, kWarning };
  Severity severity = Severity::kError;
  // One line; Terraform prints it after "Error: ".
  std::string summary;
  std::string detail;
  // The attribute the problem is about, if any; Terraform then points at it in the configuration.
  values::Path attribute;
};

using Diagnostics = std::vector<Diagnostic>;

[[nodiscard]] Diagnostic ErrorDiagnostic(std::string summary, std::string detail = "",
                                         values::Path attribute = {});
[[nodiscard]] Diagnostic WarningDiagnostic(std::string summary, std::string detail = "",
                                           values::Path attribute = {});
// An error whose detail is the status message.
[[nodiscard]] Diagnostic ErrorDiagnostic(std::string summary, const absl::Status& cause,
                                         values::Path attribute = {});

bool HasErrors(const Diagnostics& diagnostics);

}  // namespace fluxcpp::provider::protocol
