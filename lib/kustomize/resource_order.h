// kustomize's legacy output order (`sortOptions.order: legacy`, the default of `kustomize build`):
// Namespaces, quotas, storage classes, CRDs, service accounts, RBAC, ConfigMaps, Secrets,
// Services … first, webhook configurations last, everything else in between by group, version and
// kind, then by namespace and name. Pure, thread-safe.
#pragma once

#include <vector>

#include "lib/kustomize/resource.h"

namespace fluxcpp::kustomize {

bool LegacyLess(const ResourceId& a, const ResourceId& b);

// Sorts in place (ids are unique in a build, so the order is total).
void SortLegacy(std::vector<Resource>& resources);

}  // namespace fluxcpp::kustomize
