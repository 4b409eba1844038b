// What the build carries for each resource between its steps: the object, and the identities it
// had before transformers renamed or moved it, which name references are resolved against.
// Private to lib/kustomize.
#pragma once

#include <string>
#include <vector>

#include "lib/manifest/object.h"

namespace fluxcpp::kustomize {

// kustomize's ResId: group, version, kind, name and namespace.
struct ResourceId {
  manifest::GroupVersionKind gvk;
  std::string name;
  std::string namespace_name;

  // "ConfigMap.v1.[noGrp]/cfg.[noNs]", as kustomize names resources in its messages.
  std::string Describe() const;
  friend bool operator==(const ResourceId&, const ResourceId&) = default;
  // The namespace selectors compare with, as kustomize's: a namespaced resource without one is
  // in "default"; a cluster-scoped one is in none (only a pattern matching "" selects it).
  std::string EffectiveNamespace() const;
};

struct Resource {
  manifest::Object object;
  // Every earlier name/namespace, oldest first (the origin id when the resource was read or
  // generated).
  std::vector<ResourceId> previous_ids;
  // Generated ConfigMaps and Secrets get a content-hash suffix when the build finishes.
  bool needs_hash_suffix = false;
  // A generator's behavior ("create", "merge", "replace"); empty for resources read from files.
  std::string generator_behavior;

  ResourceId CurrentId() const;
  // Records the current id before a transformer changes the name or namespace.
  void RememberId();
};

ResourceId IdOf(const manifest::Object& object);

// Kinds that Kubernetes serves cluster-wide; namespace transformers leave them alone.
bool IsClusterScoped(const manifest::GroupVersionKind& gvk);

}  // namespace fluxcpp::kustomize
