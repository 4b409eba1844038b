#include "reconciler/kustomization/inventory.h"

#include <algorithm>
#include <set>

namespace fluxcpp::reconciler::kustomization {
namespace {

using manifest::Json;

void SortById(Inventory& inventory) {
  std::sort(inventory.begin(), inventory.end(),
            [](const InventoryEntry& a, const InventoryEntry& b) { return a.id < b.id; });
  inventory.erase(
      std::unique(inventory.begin(), inventory.end(),
                  [](const InventoryEntry& a, const InventoryEntry& b) { return a.id == b.id; }),
      inventory.end());
}

struct ParsedId {
  std::string namespace_name, name, group, kind;
};

// Ids split on '_' into exactly four parts; names, namespaces, groups and kinds never contain '_'.
absl::StatusOr<ParsedId> ParseId(const std::string& id) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    size_t end = id.find('_', start);
    parts.push_back(id.substr(start, end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  if (parts.size() != 4 || parts[1].empty() || parts[3].empty()) {
    return absl::InvalidArgumentError("inventory entry \"" + id +
                                      "\" is not <namespace>_<name>_<group>_<kind>");
  }
  return ParsedId{parts[0], parts[1], parts[2], parts[3]};
}

}  // namespace

Inventory InventoryOf(const std::vector<manifest::Object>& objects) {
  Inventory inventory;
  for (const manifest::Object& object : objects) {
    inventory.push_back({object.Identity(), object.Gvk().version});
  }
  SortById(inventory);
  return inventory;
}

Inventory InventoryOf(const kube::ChangeSet& change_set) {
  Inventory inventory;
  for (const kube::Change& change : change_set.changes) {
    if (change.action == kube::Action::kDeleted) continue;
    inventory.push_back({change.identity, change.version});
  }
  SortById(inventory);
  return inventory;
}

Json InventoryToJson(const Inventory& inventory) {
  Json entries = Json::array();
  for (const InventoryEntry& entry : inventory) {
    entries.push_back(Json{{"id", entry.id}, {"v", entry.version}});
  }
  return Json{{"entries", entries}};
}

absl::StatusOr<Inventory> InventoryFromJson(const Json& status_inventory) {
  Inventory inventory;
  if (status_inventory.is_null()) return inventory;
  if (!status_inventory.is_object()) {
    return absl::InvalidArgumentError("status.inventory: must be an object");
  }
  auto entries = status_inventory.find("entries");
  if (entries == status_inventory.end() || entries->is_null()) return inventory;
  if (!entries->is_array()) {
    return absl::InvalidArgumentError("status.inventory.entries: must be a list");
  }
  for (size_t i = 0; i < entries->size(); ++i) {
    const Json& entry = (*entries)[i];
    if (!entry.is_object() || !entry.contains("id") || !entry["id"].is_string()) {
      return absl::InvalidArgumentError("status.inventory.entries[" + std::to_string(i) +
                                        "].id: is required");
    }
    inventory.push_back({entry["id"].get<std::string>(), entry.value("v", "")});
  }
  SortById(inventory);
  return inventory;
}

Inventory InventoryDiff(const Inventory& old_inventory, const Inventory& new_inventory) {
  std::set<std::string> kept;
  for (const InventoryEntry& entry : new_inventory) kept.insert(entry.id);
  std::vector<std::pair<kube::ApplyOrder, InventoryEntry>> stale;
  for (const InventoryEntry& entry : old_inventory) {
    if (kept.contains(entry.id)) continue;
    auto parsed = ParseId(entry.id);
    kube::ApplyOrder order{3, 0};  // unreadable ids go first; ObjectOf reports them
    if (parsed.ok()) order = kube::OrderOf({parsed->group, entry.version, parsed->kind});
    stale.emplace_back(order, entry);
  }
  std::stable_sort(stale.begin(), stale.end(), [](const auto& a, const auto& b) {
    return std::tie(b.first.stage, b.first.rank) < std::tie(a.first.stage, a.first.rank);
  });
  Inventory result;
  for (auto& [order, entry] : stale) result.push_back(std::move(entry));
  return result;
}

absl::StatusOr<manifest::Object> ObjectOf(const InventoryEntry& entry) {
  auto parsed = ParseId(entry.id);
  if (!parsed.ok()) return parsed.status();
  if (entry.version.empty()) {
    return absl::InvalidArgumentError("inventory entry \"" + entry.id + "\" has no version");
  }
  manifest::GroupVersionKind gvk{parsed->group, entry.version, parsed->kind};
  Json json{{"apiVersion", gvk.ApiVersion()},
            {"kind", gvk.kind},
            {"metadata", Json{{"name", parsed->name}}}};
  if (!parsed->namespace_name.empty()) json["metadata"]["namespace"] = parsed->namespace_name;
  return manifest::Object(std::move(json));
}

Inventory Union(const Inventory& inventory, const Inventory& extra) {
  Inventory merged = inventory;
  merged.insert(merged.end(), extra.begin(), extra.end());
  SortById(merged);
  return merged;
}

}  // namespace fluxcpp::reconciler::kustomization
