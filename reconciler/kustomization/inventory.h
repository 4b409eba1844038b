// Flux's inventory of what a Kustomization applied (status.inventory.entries[] of
// {id: "<namespace>_<name>_<group>_<kind>", v: "<version>"}), and the difference between two
// inventories that prune deletes.
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/kube/apply.h"
#include "lib/manifest/object.h"

namespace fluxcpp::reconciler::kustomization {

struct InventoryEntry {
  std::string id;       // "apps_web_apps_Deployment"; cluster-scoped:
                        // "_reader_rbac.authorization.k8s.io_ClusterRole"
  std::string version;  // "v1"

  friend bool operator==(const InventoryEntry&, const InventoryEntry&) = default;
};

// Entries sorted by id, as Flux writes them.
using Inventory = std::vector<InventoryEntry>;

// The inventory of a set of objects.
Inventory InventoryOf(const std::vector<manifest::Object>& objects);
// From an apply's change set: every object of the set, skipped ones too (as Flux records them, so
// an opted-out object is not pruned).
Inventory InventoryOf(const kube::ChangeSet& change_set);

// status.inventory ⇄ JSON ({"entries": [...]}); a missing or null inventory reads as empty.
manifest::Json InventoryToJson(const Inventory& inventory);
[[nodiscard]] absl::StatusOr<Inventory> InventoryFromJson(const manifest::Json& status_inventory);

// The entries of `old_inventory` that are not in `new_inventory` (matched by id; a changed version
// is the same object), in reverse apply order so dependents go before what they depend on.
Inventory InventoryDiff(const Inventory& old_inventory, const Inventory& new_inventory);

// An object skeleton (apiVersion, kind, name, namespace) naming an entry; the error names the id.
[[nodiscard]] absl::StatusOr<manifest::Object> ObjectOf(const InventoryEntry& entry);

// Merges `extra` into `inventory` (no duplicate ids) and sorts it.
Inventory Union(const Inventory& inventory, const Inventory& extra);

}  // namespace fluxcpp::reconciler::kustomization
