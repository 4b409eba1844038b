// Kustomization dependencies (spec.dependsOn): whether each dependency is Ready at its source's
// current revision, and dependency cycles over a set of Kustomizations.
//
// FindDependencyCycle is pure; DependenciesReady reads from the API server; DependencyIndex locks.
// All thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "lib/kube/client.h"
#include "reconciler/kustomization/spec.h"
#include "reconciler/runtime/controller.h"

namespace fluxcpp::reconciler::kustomization {

// The dependsOn keys of a Kustomization object (namespace defaulting to its own); unreadable
// entries are left out.
std::vector<ObjectKey> DependencyKeys(const manifest::Object& kustomization);

// Who depends on whom, kept in step with the Kustomization informer's events, so a Kustomization
// that turns Ready wakes its dependents without a scan of every Kustomization (at 1,000 of them,
// a scan per Ready event made the dependency lookup a tenth of the reconciler's CPU).
class DependencyIndex {
 public:
  // Records the dependsOn of an added or modified Kustomization, or forgets a deleted one.
  void Observe(const kube::WatchEvent& event);
  // The Kustomizations whose dependsOn names `dependency`, in key order.
  std::vector<ObjectKey> DependentsOf(const ObjectKey& dependency) const;

 private:
  mutable std::mutex mutex_;
  std::map<ObjectKey, std::vector<ObjectKey>> dependencies_;  // by dependent
  std::map<ObjectKey, std::set<ObjectKey>> dependents_;       // by dependency
};

// A cycle through `start` among `kustomizations` following dependsOn, as the keys along it
// ending with `start` again ("a → b → a"); empty when there is none.
std::vector<ObjectKey> FindDependencyCycle(const std::vector<manifest::Object>& kustomizations,
                                           const ObjectKey& start);

// "ns/a -> ns/b -> ns/a"
std::string DescribeCycle(const std::vector<ObjectKey>& cycle);

// OK when every dependency exists, is Ready for its current generation, and has applied the
// revision its source now offers; otherwise FailedPrecondition naming the first one that is not
// and why. Other errors are the API server's.
[[nodiscard]] absl::Status DependenciesReady(
    kube::Client& client, const std::vector<CrossNamespaceReference>& depends_on);

}  // namespace fluxcpp::reconciler::kustomization
