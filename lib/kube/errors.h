// Errors from the API server as values. A Kubernetes `Status` body becomes an absl::Status whose
// code fits its reason and whose message says what failed and why; the exact Kubernetes reason
// travels along as a payload, so callers can tell Conflict from AlreadyExists.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace fluxcpp::kube {

// Builds the error for a non-2xx response. `what` names the object or call ("Deployment/apps/web").
absl::Status ErrorFromResponse(long http_status, std::string_view body, std::string_view what);

// The Kubernetes reason ("NotFound", "Conflict", "Invalid", ...), or empty when the error did not
// come from the API server.
std::string KubernetesReason(const absl::Status& status);

// Adds context in front of an error's message, keeping its code and reason: "apply: <message>".
absl::Status WithContext(const absl::Status& status, std::string_view context);

inline bool IsNotFoundError(const absl::Status& status) {
  return KubernetesReason(status) == "NotFound";
}
inline bool IsAlreadyExistsError(const absl::Status& status) {
  return KubernetesReason(status) == "AlreadyExists";
}
inline bool IsConflictError(const absl::Status& status) {
  return KubernetesReason(status) == "Conflict";
}
inline bool IsInvalidError(const absl::Status& status) {
  return KubernetesReason(status) == "Invalid";
}
inline bool IsForbiddenError(const absl::Status& status) {
  return KubernetesReason(status) == "Forbidden";
}
inline bool IsUnauthorizedError(const absl::Status& status) {
  return KubernetesReason(status) == "Unauthorized";
}
inline bool IsGoneError(const absl::Status& status) {
  return KubernetesReason(status) == "Expired" || KubernetesReason(status) == "Gone";
}

}  // namespace fluxcpp::kube
