#include "provider/protocol/diagnostics.h"

#include <algorithm>
#include <string>
#include <utility>

namespace fluxcpp::provider::protocol {

Diagnostic ErrorDiagnostic(std::string summary, std::string detail, values::Path attribute) {
  return Diagnostic{.severity = Diagnostic::Severity::kError,
                    .summary = std::move(summary),
                    .detail = std::move(detail),
                    .attribute = std::move(attribute)};
}

Diagnostic WarningDiagnostic(std::string summary, std::string detail, values::Path attribute) {
  return Diagnostic{.severity = Diagnostic::Severity::kWarning,
                    .summary = std::move(summary),
                    .detail = std::move(detail),
                    .attribute = std::move(attribute)};
}

Diagnostic ErrorDiagnostic(std::string summary, const absl::Status& cause, values::Path attribute) {
  return ErrorDiagnostic(std::move(summary), std::string(cause.message()), std::move(attribute));
}

bool HasErrors(const Diagnostics& diagnostics) {
  return std::any_of(diagnostics.begin(), diagnostics.end(), [](const Diagnostic& diagnostic) {
    return diagnostic.severity == Diagnostic::Severity::kError;
  });
}

}  // namespace fluxcpp::provider::protocol
