// The apply engine shared by the bootstrap and the reconciler: server-side apply of a set of
// objects in stages, with the whole set validated by server-side dry runs before anything changes,
// only drifted or new objects written, immutable-field changes recreated when forced, and a change
// set describing what happened to each object. Also waiting for a set to become healthy, and
// deleting a set.
//
// Functions here are safe to call from several threads with the same Client; each call uses its own
// bounded pool of worker threads.
#pragma once

#include <atomic>
#include <chrono>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "lib/kube/client.h"

namespace fluxcpp::kube {

enum class Action { kCreated, kConfigured, kUnchanged, kDeleted, kSkipped };

// "created", "configured", "unchanged", "deleted", "skipped".
std::string_view ToString(Action action);

struct Change {
  std::string subject;   // "Deployment/apps/web"
  std::string identity;  // Flux's inventory id, "apps_web_apps_Deployment"
  std::string version;   // the apiVersion's version, for inventories ("v1")
  Action action;
};

struct ChangeSet {
  std::vector<Change> changes;
  int Count(Action action) const;
  // "3 created, 1 configured, 46 unchanged"
  std::string Summary() const;
};

// What a batch operation did, together with why it stopped (OK when it did everything).
struct ApplyResult {
  ChangeSet change_set;
  absl::Status status;
};

struct ApplyAllOptions {
  std::string field_manager = "fluxcpp";
  // Delete and recreate objects whose immutable fields changed. Per object, the label or annotation
  // `kustomize.toolkit.fluxcd.io/force: enabled` asks for the same.
  bool force = false;
  int concurrency = 4;  // objects applied at once within a stage
  // How long to wait for CRDs to be Established (and Namespaces Active) before the stages after
  // them.
  std::chrono::seconds stage_timeout{60};
  // Objects with this annotation or label set to "disabled" are neither validated nor applied;
  // they are reported as skipped (Flux's reconcile opt-out). Empty: none are skipped.
  std::string skip_key = "kustomize.toolkit.fluxcd.io/reconcile";
  // Per object, this annotation picks the apply policy as Flux's: "Override" (the default) and
  // "Merge" apply; "IfNotPresent" creates the object only when it is missing (else skipped);
  // "Ignore" skips it. Empty: every object is applied.
  std::string policy_key = "kustomize.toolkit.fluxcd.io/ssa";
  // When set and it turns true, no further object is applied and no wait goes on: the call
  // returns Cancelled soon after, with the changes made so far (a shutting-down reconciler).
  const std::atomic<bool>* cancel = nullptr;
};

// Applies `objects` in stages: CRDs, Namespaces and ClusterRoles first (then waits until the CRDs
// are Established), then `*Class` kinds, then everything else in a fixed kind order. Before any
// change every object is dry-run on the server; one that fails makes the call apply nothing.
// Objects whose kind or namespace only comes into being with an earlier stage of the same set are
// dry-run just before their own stage, so a failure there leaves only the earlier stages applied.
[[nodiscard]] ApplyResult ApplyAll(Client& client, const std::vector<Object>& objects,
                                   const ApplyAllOptions& options = {});

struct WaitOptions {
  std::chrono::seconds timeout{300};
  std::chrono::milliseconds interval{1000};
  // When set, the wait ends with a Cancelled error soon after this turns true.
  const std::atomic<bool>* cancel = nullptr;
};

// Polls the objects until each is Current (kstatus). On timeout the error lists every object that
// is not, with its status and why; a Failed object ends the wait early; a cancel ends it with
// Cancelled.
[[nodiscard]] absl::Status WaitForSet(Client& client, const std::vector<Object>& objects,
                                      const WaitOptions& options = {});

struct DeleteAllOptions {
  std::string propagation_policy = "Background";
  // Objects with this annotation or label set to "disabled" are kept (Flux's prune opt-out).
  std::string keep_key = "kustomize.toolkit.fluxcd.io/prune";
  int concurrency = 4;
};

// Deletes the objects (objects already gone count as deleted); kept objects are reported as
// skipped. Every failed deletion is in the returned status, none is dropped.
[[nodiscard]] ApplyResult DeleteAll(Client& client, const std::vector<Object>& objects,
                                    const DeleteAllOptions& options = {});

// The stage (0, 1, 2) and the rank within the stage an object is applied in. Exposed for tests.
struct ApplyOrder {
  int stage;
  int rank;
};
ApplyOrder OrderOf(const GroupVersionKind& gvk);

}  // namespace fluxcpp::kube
