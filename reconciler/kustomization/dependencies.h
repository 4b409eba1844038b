// Kustomization dependencies (spec.dependsOn): whether each dependency is Ready at its source's
// current revision, and dependency cycles over a set of Kustomizations.
//
// FindDependencyCycle is pure; DependenciesReady reads from the API server. Both thread-safe.
#pragma once

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
