// Writing status the way Flux's controllers do: metav1.Condition entries (type, status, reason,
// message, observedGeneration, lastTransitionTime), Go durations for spec intervals, RFC 3339
// times, and one merge patch of the status subresource per reconcile.
//
// Pure functions, except PatchStatus which talks to the API server; all are thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "lib/kube/client.h"

namespace fluxcpp::reconciler {

// Condition types and reasons shared by every Flux kind (fluxcd/pkg/apis/meta).
inline constexpr std::string_view kReadyCondition = "Ready";
inline constexpr std::string_view kReconcilingCondition = "Reconciling";
inline constexpr std::string_view kStalledCondition = "Stalled";
inline constexpr std::string_view kSucceededReason = "Succeeded";
inline constexpr std::string_view kProgressingReason = "Progressing";
inline constexpr std::string_view kProgressingWithRetryReason = "ProgressingWithRetry";
inline constexpr std::string_view kFailedReason = "Failed";
inline constexpr std::string_view kDependencyNotReadyReason = "DependencyNotReady";
inline constexpr std::string_view kInvalidSpecReason = "InvalidSpec";

// Flux's annotation for a manual reconcile, and its finalizer.
inline constexpr std::string_view kRequestedAtAnnotation = "reconcile.fluxcd.io/requestedAt";
inline constexpr std::string_view kFinalizer = "finalizers.fluxcd.io";

struct Condition {
  std::string type;
  std::string status;  // "True", "False" or "Unknown"
  std::string reason;
  std::string message;
  int64_t observed_generation = 0;
};

// Sets `condition` in `conditions` (a JSON array, created when null). lastTransitionTime becomes
// `now` when the condition is new or its status changed, and is kept otherwise.
void SetCondition(manifest::Json& conditions, const Condition& condition,
                  std::chrono::system_clock::time_point now);
void RemoveCondition(manifest::Json& conditions, std::string_view type);
// The condition of that type, or nullptr.
const manifest::Json* FindCondition(const manifest::Json& conditions, std::string_view type);
// Whether the condition of that type has status "True".
bool IsConditionTrue(const manifest::Json& conditions, std::string_view type);

// "2026-11-29T13:40:00Z": RFC 3339 in UTC, whole seconds, as metav1.Time marshals.
std::string FormatTime(std::chrono::system_clock::time_point time);

// Go's time.ParseDuration for the units Flux's interval pattern allows and more ("1m30s",
// "500ms", "1.5h", "10m"); the error names the text. Negative durations are refused.
[[nodiscard]] absl::StatusOr<std::chrono::milliseconds> ParseDuration(std::string_view text);
// Go's Duration.String: "1m0s", "10m0s", "1h0m0s", "500ms".
std::string FormatDuration(std::chrono::milliseconds duration);

// Writes `status` as a merge patch of the object's status subresource (so fields written by
// others stay), naming the object in the error. NotFound means the object was deleted meanwhile.
[[nodiscard]] absl::Status PatchStatus(kube::Client& client, const manifest::GroupVersionKind& kind,
                                       const std::string& namespace_name, const std::string& name,
                                       const manifest::Json& status);
// The same as the field manager `field_manager` (Flux's controllers write status as their own
// manager, e.g. gotk-kustomize-controller); returns the object as written.
[[nodiscard]] absl::StatusOr<manifest::Object> PatchStatus(
    kube::Client& client, const manifest::GroupVersionKind& kind, const std::string& namespace_name,
    const std::string& name, const manifest::Json& status, const std::string& field_manager);

}  // namespace fluxcpp::reconciler
