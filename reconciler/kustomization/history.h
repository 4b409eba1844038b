// status.history of a Kustomization, as Flux v1 keeps it: one snapshot per distinct build digest
// ({digest, firstReconciled, lastReconciled, lastReconciledDuration, lastReconciledStatus,
// totalReconciliations, metadata: {revision}}), most recent first, at most five.
//
// Pure function; thread-safe.
#pragma once

#include <chrono>
#include <string>

#include "lib/manifest/object.h"

namespace fluxcpp::reconciler::kustomization {

inline constexpr size_t kMaxHistory = 5;

struct HistoryRecord {
  std::string digest;    // "sha256:<hex>" of the applied manifests
  std::string revision;  // the source revision
  std::string status;    // the Ready reason, e.g. "ReconciliationSucceeded"
  std::chrono::system_clock::time_point time;
  std::chrono::milliseconds duration{0};
};

// Counts `record` into `history` (a JSON array, created when null): the entry with the same
// digest is updated and moved to the front, otherwise a new one is added; the oldest beyond five
// are dropped.
void UpdateHistory(manifest::Json& history, const HistoryRecord& record);

}  // namespace fluxcpp::reconciler::kustomization
