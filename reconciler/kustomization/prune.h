// Garbage collection of what left a Kustomization's inventory, as kustomize-controller prunes:
// only objects that still carry the Kustomization's owner labels are deleted, never ones opted out
// (prune: disabled, reconcile: disabled, ssa: Ignore); a failed deletion stays in the inventory so
// the next reconcile tries again.
//
// Thread-safe: the Client is the only shared state.
#pragma once

#include <atomic>
#include <chrono>
#include <string>

#include "lib/kube/apply.h"
#include "lib/kube/client.h"
#include "reconciler/kustomization/inventory.h"

namespace fluxcpp::reconciler::kustomization {

inline constexpr std::string_view kOwnerNameLabel = "kustomize.toolkit.fluxcd.io/name";
inline constexpr std::string_view kOwnerNamespaceLabel = "kustomize.toolkit.fluxcd.io/namespace";

struct PruneOptions {
  std::string owner_name;       // the Kustomization's name
  std::string owner_namespace;  // and namespace, as in the owner labels
  int concurrency = 4;
  // When positive, waits this long for deleted objects to be gone (WaitForTermination).
  std::chrono::milliseconds wait_for_termination{0};
  // When set and it turns true, the wait for termination ends early; `termination` is then
  // Cancelled.
  const std::atomic<bool>* cancel = nullptr;
};

struct PruneResult {
  kube::ChangeSet change_set;  // deleted and skipped objects
  Inventory failed;            // entries whose deletion failed: they stay in the inventory
  absl::Status status;         // why some failed, naming each object
  // With wait_for_termination: the deleted objects still there when the wait ended (they were
  // deleted; something holds them, e.g. a finalizer), naming each.
  absl::Status termination;
};

[[nodiscard]] PruneResult Prune(kube::Client& client, const Inventory& stale,
                                const PruneOptions& options);

}  // namespace fluxcpp::reconciler::kustomization
