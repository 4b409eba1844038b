#include "lib/kustomize/strategic_merge.h"

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace fluxcpp::kustomize {
namespace {

using manifest::Json;

// The one directive kyaml's merge follows; apimachinery's others ($setElementOrder/...,
// $deleteFromPrimitiveList/..., $retainKeys) are ordinary fields to it and are kept as written.
constexpr std::string_view kPatch = "$patch";

// kyaml's keys for lists it knows nothing about, tried in this order.
constexpr std::array<std::string_view, 7> kAssociativeKeys = {
    "mountPath", "devicePath", "ip", "type", "topologyKey", "name", "containerPort"};

bool AllHave(const Json& list, std::string_view key) {
  for (const Json& element : list) {
    if (!element.is_object() || !element.contains(key)) return false;
  }
  return true;
}

// The merge key of the list `field` of a mapping, or nullopt for an atomic list.
std::optional<std::string> MergeKey(std::string_view field, const Json& target, const Json& patch,
                                    bool in_container) {
  if (field == "ports") return in_container ? "containerPort" : "port";
  if (field == "containers" || field == "initContainers" || field == "ephemeralContainers" ||
      field == "volumes" || field == "env" || field == "imagePullSecrets" ||
      field == "resourceClaims") {
    return "name";
  }
  if (field == "volumeMounts") return "mountPath";
  if (field == "volumeDevices") return "devicePath";
  if (field == "hostAliases") return "ip";
  if (field == "topologySpreadConstraints") return "topologyKey";
  if (field == "args" || field == "command" || field == "tolerations" || field == "envFrom") {
    return std::nullopt;
  }
  bool objects = !patch.empty() || !target.empty();
  for (const Json& element : patch) objects = objects && element.is_object();
  for (const Json& element : target) objects = objects && element.is_object();
  if (!objects) return std::nullopt;
  for (std::string_view key : kAssociativeKeys) {
    if (AllHave(target, key) && AllHave(patch, key)) return std::string(key);
  }
  return std::nullopt;
}

// A patch without its directives, for fields the target does not have yet.
Json WithoutDirectives(const Json& patch) {
  if (patch.is_object()) {
    Json result = Json::object();
    for (const auto& [key, value] : patch.items()) {
      if (key == kPatch) continue;
      result[key] = WithoutDirectives(value);
    }
    return result;
  }
  if (patch.is_array()) {
    Json result = Json::array();
    for (const Json& element : patch) {
      if (element.is_object() && element.contains(kPatch)) continue;
      result.push_back(WithoutDirectives(element));
    }
    return result;
  }
  return patch;
}

absl::Status MergeMap(Json& target, const Json& patch, bool in_container);

const Json* FinalizersOf(const Json& object) {
  auto metadata = object.find("metadata");
  if (metadata == object.end() || !metadata->is_object()) return nullptr;
  auto finalizers = metadata->find("finalizers");
  return finalizers != metadata->end() && finalizers->is_array() ? &*finalizers : nullptr;
}

// Whether kustomize's built-in OpenAPI schema describes the object's kind: the core and
// Kubernetes API groups, not custom resources, which kyaml merges by its heuristics alone.
bool HasBuiltInSchema(const Json& object) {
  auto api_version = object.find("apiVersion");
  if (api_version == object.end() || !api_version->is_string()) return false;
  const std::string& text = api_version->get_ref<const std::string&>();
  size_t slash = text.find('/');
  if (slash == std::string::npos) return true;  // "v1"
  std::string_view group = std::string_view(text).substr(0, slash);
  if (group.find('.') == std::string_view::npos) return true;  // apps, batch, policy, ...
  static constexpr std::array<std::string_view, 15> kGroups = {"admissionregistration.k8s.io",
                                                               "apiextensions.k8s.io",
                                                               "apiregistration.k8s.io",
                                                               "certificates.k8s.io",
                                                               "coordination.k8s.io",
                                                               "discovery.k8s.io",
                                                               "events.k8s.io",
                                                               "flowcontrol.apiserver.k8s.io",
                                                               "internal.apiserver.k8s.io",
                                                               "networking.k8s.io",
                                                               "node.k8s.io",
                                                               "rbac.authorization.k8s.io",
                                                               "resource.k8s.io",
                                                               "scheduling.k8s.io",
                                                               "storage.k8s.io"};
  return std::find(kGroups.begin(), kGroups.end(), group) != kGroups.end();
}

absl::Status MergeList(Json& target, const Json& patch, std::string_view field, bool in_container) {
  std::optional<std::string> key = MergeKey(field, target, patch, in_container);
  if (!key) {
    target = WithoutDirectives(patch);
    return absl::OkStatus();
  }
  bool children_in_container =
      field == "containers" || field == "initContainers" || field == "ephemeralContainers";
  // kyaml's order: the patch's elements first (merged with their match), then the target's
  // elements the patch did not mention.
  Json merged = Json::array();
  std::vector<bool> used(target.size(), false);
  for (const Json& element : patch) {
    if (!element.is_object() || !element.contains(*key)) {
      return absl::InvalidArgumentError("an element of the patched list " + std::string(field) +
                                        " has no merge key " + *key);
    }
    const Json& key_value = element[*key];
    size_t found = target.size();
    for (size_t i = 0; i < target.size(); ++i) {
      if (!used[i] && target[i].is_object() && target[i].contains(*key) &&
          target[i][*key] == key_value) {
        found = i;
        break;
      }
    }
    std::string directive = element.contains(kPatch) && element[kPatch].is_string()
                                ? element[kPatch].get<std::string>()
                                : "";
    if (found < target.size()) used[found] = true;
    if (directive == "delete") continue;
    if (found == target.size() || directive == "replace") {
      merged.push_back(WithoutDirectives(element));
      continue;
    }
    Json item = target[found];
    absl::Status status = MergeMap(item, element, children_in_container);
    if (!status.ok()) return status;
    merged.push_back(std::move(item));
  }
  for (size_t i = 0; i < target.size(); ++i) {
    if (!used[i]) merged.push_back(target[i]);
  }
  target = std::move(merged);
  return absl::OkStatus();
}

absl::Status MergeMap(Json& target, const Json& patch, bool in_container) {
  if (patch.contains(kPatch)) {
    std::string directive = patch[kPatch].is_string() ? patch[kPatch].get<std::string>() : "";
    if (directive == "delete") {
      target = nullptr;
      return absl::OkStatus();
    }
    if (directive == "replace") {
      target = WithoutDirectives(patch);
      return absl::OkStatus();
    }
    if (directive != "merge") {
      return absl::InvalidArgumentError("unknown $patch directive \"" + directive + "\"");
    }
  }
  if (!target.is_object()) target = Json::object();
  for (const auto& [key, value] : patch.items()) {
    if (key == kPatch) continue;
    if (value.is_null()) {
      target.erase(key);
      continue;
    }
    auto existing = target.find(key);
    if (existing == target.end() || existing->is_null()) {
      if (value.is_object() && value.contains(kPatch) && value[kPatch] == "delete") continue;
      target[key] = WithoutDirectives(value);
      continue;
    }
    if (value.is_object() && existing->is_object()) {
      absl::Status status = MergeMap(*existing, value, false);
      if (!status.ok()) return status;
      if (existing->is_null()) target.erase(key);
    } else if (value.is_array() && existing->is_array()) {
      absl::Status status = MergeList(*existing, value, key, in_container);
      if (!status.ok()) return status;
    } else {
      *existing = WithoutDirectives(value);
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status StrategicMerge(Json& target, const Json& patch) {
  if (!patch.is_object()) {
    return absl::InvalidArgumentError("a strategic merge patch must be a mapping");
  }
  const Json* target_finalizers = FinalizersOf(target);
  const Json* patch_finalizers = FinalizersOf(patch);
  if (target_finalizers == nullptr || patch_finalizers == nullptr || !HasBuiltInSchema(target)) {
    return MergeMap(target, patch, false);
  }
  // metadata.finalizers is a merged list of strings in the Kubernetes schema: the patch's values
  // first, then the target's others, each once.
  Json merged = Json::array();
  auto add = [&merged](const Json& value) {
    if (std::find(merged.begin(), merged.end(), value) == merged.end()) merged.push_back(value);
  };
  for (const Json& value : *patch_finalizers) add(value);
  for (const Json& value : *target_finalizers) add(value);
  Json with_union = patch;
  with_union["metadata"]["finalizers"] = std::move(merged);
  return MergeMap(target, with_union, false);
}

}  // namespace fluxcpp::kustomize
