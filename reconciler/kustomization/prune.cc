#include "reconciler/kustomization/prune.h"

#include <set>
#include <thread>

#include "lib/kube/errors.h"

namespace fluxcpp::reconciler::kustomization {
namespace {

constexpr std::string_view kPruneKey = "kustomize.toolkit.fluxcd.io/prune";
constexpr std::string_view kReconcileKey = "kustomize.toolkit.fluxcd.io/reconcile";
constexpr std::string_view kPolicyKey = "kustomize.toolkit.fluxcd.io/ssa";

bool IsMissing(const absl::Status& status) {
  return kube::IsNotFoundError(status) || status.code() == absl::StatusCode::kNotFound;
}

bool OptedOut(const manifest::Object& live) {
  for (std::string_view key : {kPruneKey, kReconcileKey}) {
    if (live.Annotation(key) == "disabled" || live.Label(key) == "disabled") return true;
  }
  return live.Annotation(kPolicyKey) == "Ignore";
}

}  // namespace

PruneResult Prune(kube::Client& client, const Inventory& stale, const PruneOptions& options) {
  PruneResult result;
  std::vector<manifest::Object> doomed;
  std::vector<InventoryEntry> doomed_entries;
  std::vector<std::string> failures;
  for (const InventoryEntry& entry : stale) {
    auto skeleton = ObjectOf(entry);
    if (!skeleton.ok()) {
      // An entry nobody can name cannot be deleted either; it is dropped, not kept forever.
      failures.emplace_back(skeleton.status().message());
      continue;
    }
    auto live = client.Get(skeleton->Gvk(), skeleton->Namespace(), skeleton->Name());
    if (!live.ok()) {
      if (IsMissing(live.status())) {
        result.change_set.changes.push_back(
            {skeleton->Describe(), entry.id, entry.version, kube::Action::kDeleted});
        continue;
      }
      failures.push_back(skeleton->Describe() + ": " + std::string(live.status().message()));
      result.failed.push_back(entry);
      continue;
    }
    // Someone else took the object over (or it was re-created by hand): not ours to delete.
    bool ours = live->Label(kOwnerNameLabel) == options.owner_name &&
                live->Label(kOwnerNamespaceLabel) == options.owner_namespace;
    if (!ours || OptedOut(*live)) {
      result.change_set.changes.push_back(
          {skeleton->Describe(), entry.id, entry.version, kube::Action::kSkipped});
      continue;
    }
    doomed.push_back(std::move(*live));
    doomed_entries.push_back(entry);
  }

  kube::ApplyResult deleted = kube::DeleteAll(
      client, doomed, {.keep_key = std::string(kPruneKey), .concurrency = options.concurrency});
  std::set<std::string> done;
  for (const kube::Change& change : deleted.change_set.changes) {
    done.insert(change.identity);
    result.change_set.changes.push_back(change);
  }
  for (const InventoryEntry& entry : doomed_entries) {
    if (!done.contains(entry.id)) result.failed.push_back(entry);
  }
  if (!deleted.status.ok()) failures.emplace_back(deleted.status.message());

  if (options.wait_for_termination.count() > 0 && deleted.status.ok()) {
    auto deadline = std::chrono::steady_clock::now() + options.wait_for_termination;
    std::string terminating;
    auto cancelled = [&] { return options.cancel != nullptr && options.cancel->load(); };
    for (const manifest::Object& object : doomed) {
      while (!cancelled() && client.Get(object.Gvk(), object.Namespace(), object.Name()).ok()) {
        if (std::chrono::steady_clock::now() > deadline) {
          terminating += "\n  " + object.Describe();
          break;
        }
        // Short slices, so a cancel is seen soon.
        for (int slice = 0; slice < 5 && !cancelled(); ++slice) {
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
      }
    }
    if (cancelled()) {
      result.termination = absl::CancelledError("the wait for termination was cancelled");
    } else if (!terminating.empty()) {
      result.termination = absl::DeadlineExceededError(
          "still terminating after " + std::to_string(options.wait_for_termination.count() / 1000) +
          "s:" + terminating);
    }
  }

  if (!failures.empty()) {
    std::string message = "prune failed:";
    for (const std::string& failure : failures) message += "\n  " + failure;
    result.status = absl::UnavailableError(message);
  }
  return result;
}

}  // namespace fluxcpp::reconciler::kustomization
