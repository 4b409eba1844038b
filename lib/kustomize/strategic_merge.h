// Strategic merge patch as kustomize applies it (kyaml's merge): mappings merge field by field,
// null deletes a field, lists of objects merge by their merge key (containers by name, container
// ports by containerPort, volumeMounts by mountPath, …; for kinds without a schema, the first of
// kyaml's associative keys every element has), other lists are replaced. Directives:
// `$patch: delete` / `$patch: replace` on mappings and list elements. Like kyaml, apimachinery's
// `$setElementOrder/<field>`, `$deleteFromPrimitiveList/<field>` and `$retainKeys` are not
// followed but kept as fields; metadata.finalizers of built-in kinds merge as a set.
// Pure, thread-safe.
#pragma once

#include "absl/status/status.h"
#include "lib/manifest/object.h"

namespace fluxcpp::kustomize {

// Merges `patch` into `target`. `target` becomes null when the patch deletes it as a whole.
[[nodiscard]] absl::Status StrategicMerge(manifest::Json& target, const manifest::Json& patch);

}  // namespace fluxcpp::kustomize
