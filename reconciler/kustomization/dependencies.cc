#include "reconciler/kustomization/dependencies.h"

#include <functional>
#include <map>
#include <set>

#include "lib/kube/errors.h"
#include "reconciler/kustomization/kustomization_reconciler.h"
#include "reconciler/runtime/status.h"

namespace fluxcpp::reconciler::kustomization {

using manifest::Json;

std::vector<ObjectKey> DependencyKeys(const manifest::Object& kustomization) {
  std::vector<ObjectKey> keys;
  // Runs for every Kustomization on every event: look, never copy.
  auto spec = kustomization.json().find("spec");
  if (spec == kustomization.json().end() || !spec->is_object()) return keys;
  auto depends_on = spec->find("dependsOn");
  if (depends_on == spec->end() || !depends_on->is_array()) return keys;
  for (const Json& entry : *depends_on) {
    if (!entry.is_object() || !entry.contains("name") || !entry["name"].is_string()) continue;
    std::string namespace_name = kustomization.Namespace();
    if (entry.contains("namespace") && entry["namespace"].is_string() &&
        !entry["namespace"].get<std::string>().empty()) {
      namespace_name = entry["namespace"].get<std::string>();
    }
    keys.push_back({namespace_name, entry["name"].get<std::string>()});
  }
  return keys;
}

void DependencyIndex::Observe(const kube::WatchEvent& event) {
  ObjectKey key{event.object.Namespace(), event.object.Name()};
  std::vector<ObjectKey> now;
  if (event.type != kube::WatchEventType::kDeleted) now = DependencyKeys(event.object);
  std::lock_guard lock(mutex_);
  auto before = dependencies_.find(key);
  if (before != dependencies_.end()) {
    if (before->second == now) return;  // status writes, mostly: nothing to re-index
    for (const ObjectKey& dependency : before->second) {
      auto entry = dependents_.find(dependency);
      if (entry == dependents_.end()) continue;
      entry->second.erase(key);
      if (entry->second.empty()) dependents_.erase(entry);
    }
    dependencies_.erase(before);
  }
  if (now.empty()) return;
  for (const ObjectKey& dependency : now) dependents_[dependency].insert(key);
  dependencies_.emplace(key, std::move(now));
}

std::vector<ObjectKey> DependencyIndex::DependentsOf(const ObjectKey& dependency) const {
  std::lock_guard lock(mutex_);
  auto entry = dependents_.find(dependency);
  if (entry == dependents_.end()) return {};
  return {entry->second.begin(), entry->second.end()};
}

std::vector<ObjectKey> FindDependencyCycle(const std::vector<manifest::Object>& kustomizations,
                                           const ObjectKey& start) {
  std::map<ObjectKey, std::vector<ObjectKey>> edges;
  for (const manifest::Object& kustomization : kustomizations) {
    edges[{kustomization.Namespace(), kustomization.Name()}] = DependencyKeys(kustomization);
  }
  // Depth-first search from `start` for a path back to `start`; nodes that cannot reach it are
  // remembered so each is explored once.
  std::set<ObjectKey> dead_ends;
  std::vector<ObjectKey> path{start};
  std::set<ObjectKey> on_path{start};
  std::function<bool(const ObjectKey&)> reaches_start = [&](const ObjectKey& node) -> bool {
    auto found = edges.find(node);
    if (found == edges.end()) return false;
    for (const ObjectKey& next : found->second) {
      if (next == start) {
        path.push_back(next);
        return true;
      }
      if (dead_ends.contains(next) || on_path.contains(next)) continue;
      path.push_back(next);
      on_path.insert(next);
      if (reaches_start(next)) return true;
      on_path.erase(next);
      path.pop_back();
      dead_ends.insert(next);
    }
    return false;
  };
  if (reaches_start(start)) return path;
  return {};
}

std::string DescribeCycle(const std::vector<ObjectKey>& cycle) {
  std::string text;
  for (const ObjectKey& key : cycle) {
    if (!text.empty()) text += " -> ";
    text += key.ToString();
  }
  return text;
}

absl::Status DependenciesReady(kube::Client& client,
                               const std::vector<CrossNamespaceReference>& depends_on) {
  for (const CrossNamespaceReference& reference : depends_on) {
    std::string name = reference.namespace_name + "/" + reference.name;
    auto dependency = client.Get(kKustomizationKind, reference.namespace_name, reference.name);
    if (!dependency.ok()) {
      if (kube::IsNotFoundError(dependency.status()) ||
          dependency.status().code() == absl::StatusCode::kNotFound) {
        return absl::FailedPreconditionError("dependency '" + name + "' not found");
      }
      return dependency.status();
    }
    const Json& json = dependency->json();
    const Json& status = json.value("status", Json::object());
    int64_t generation = json["metadata"].value("generation", int64_t{0});
    if (status.value("observedGeneration", int64_t{-1}) != generation ||
        !IsConditionTrue(status.value("conditions", Json::array()), kReadyCondition)) {
      return absl::FailedPreconditionError("dependency '" + name + "' is not ready");
    }
    // Ready is not enough: the dependency must have applied what its source offers now.
    const Json& source_ref = json.value("spec", Json::object()).value("sourceRef", Json::object());
    std::string source_kind = source_ref.value("kind", "");
    if (source_kind != "GitRepository") continue;
    std::string source_namespace = source_ref.value("namespace", "");
    if (source_namespace.empty()) source_namespace = reference.namespace_name;
    auto source = client.Get({"source.toolkit.fluxcd.io", "v1", "GitRepository"}, source_namespace,
                             source_ref.value("name", ""));
    if (!source.ok()) continue;  // the dependency's own reconcile reports its source
    std::string revision = source->json()
                               .value("status", Json::object())
                               .value("artifact", Json::object())
                               .value("revision", "");
    if (!revision.empty() && status.value("lastAppliedRevision", "") != revision) {
      return absl::FailedPreconditionError("dependency '" + name + "' is not ready: revision " +
                                           revision + " is not applied yet");
    }
  }
  return absl::OkStatus();
}

}  // namespace fluxcpp::reconciler::kustomization
