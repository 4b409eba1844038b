#include "lib/kube/errors.h"

#include "absl/strings/cord.h"
#include "lib/manifest/object.h"

namespace fluxcpp::kube {
namespace {

// Debian's abseil has its own string_view type, so the payload key is spelled in it.
constexpr absl::string_view kReasonPayload = "type.fluxcpp.dev/kubernetes-reason";

// The reason Kubernetes would give a bare HTTP status, for bodies that are not a Status.
std::string ReasonForHttpStatus(long http_status) {
  switch (http_status) {
    case 400:
      return "BadRequest";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "NotFound";
    case 405:
      return "MethodNotAllowed";
    case 406:
      return "NotAcceptable";
    case 409:
      return "Conflict";
    case 410:
      return "Expired";
    case 413:
      return "RequestEntityTooLarge";
    case 415:
      return "UnsupportedMediaType";
    case 422:
      return "Invalid";
    case 429:
      return "TooManyRequests";
    case 500:
      return "InternalError";
    case 503:
      return "ServiceUnavailable";
    case 504:
      return "Timeout";
    default:
      return "Unknown";
  }
}

absl::StatusCode CodeForReason(const std::string& reason, long http_status) {
  if (reason == "NotFound") return absl::StatusCode::kNotFound;
  if (reason == "AlreadyExists") return absl::StatusCode::kAlreadyExists;
  if (reason == "Conflict") return absl::StatusCode::kAborted;
  if (reason == "Invalid" || reason == "BadRequest") return absl::StatusCode::kInvalidArgument;
  if (reason == "Forbidden") return absl::StatusCode::kPermissionDenied;
  if (reason == "Unauthorized") return absl::StatusCode::kUnauthenticated;
  if (reason == "TooManyRequests") return absl::StatusCode::kResourceExhausted;
  if (reason == "Timeout" || reason == "ServerTimeout") return absl::StatusCode::kDeadlineExceeded;
  if (reason == "Expired" || reason == "Gone") return absl::StatusCode::kOutOfRange;
  if (reason == "MethodNotAllowed") return absl::StatusCode::kUnimplemented;
  if (http_status >= 500) return absl::StatusCode::kUnavailable;
  return absl::StatusCode::kUnknown;
}

}  // namespace

absl::Status ErrorFromResponse(long http_status, std::string_view body, std::string_view what) {
  std::string reason;
  std::string message;
  auto status_body = manifest::Json::parse(body, nullptr, false);
  if (!status_body.is_discarded() && status_body.is_object() &&
      status_body.value("kind", "") == "Status") {
    reason = status_body.value("reason", "");
    message = status_body.value("message", "");
  }
  if (reason.empty()) reason = ReasonForHttpStatus(http_status);
  if (message.empty()) {
    std::string excerpt(body.substr(0, 300));
    message = "the server answered HTTP " + std::to_string(http_status) +
              (excerpt.empty() ? "" : ": " + excerpt);
  }
  std::string text = std::string(what) + ": " + reason + ": " + message;
  absl::Status status(CodeForReason(reason, http_status), text);
  status.SetPayload(kReasonPayload, absl::Cord(reason));
  return status;
}

std::string KubernetesReason(const absl::Status& status) {
  auto payload = status.GetPayload(kReasonPayload);
  return payload ? std::string(*payload) : std::string();
}

absl::Status WithContext(const absl::Status& status, std::string_view context) {
  if (status.ok()) return status;
  absl::Status wrapped(status.code(), std::string(context) + ": " + std::string(status.message()));
  status.ForEachPayload([&wrapped](absl::string_view type_url, const absl::Cord& payload) {
    wrapped.SetPayload(type_url, payload);
  });
  return wrapped;
}

}  // namespace fluxcpp::kube
