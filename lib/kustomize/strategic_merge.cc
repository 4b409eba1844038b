#include "lib/kustomize/strategic_merge.h"

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace fluxcpp::kustomize {
namespace {

using manifest::Json;

constexpr std::string_view kPatch = "$patch";
constexpr std::string_view kDeleteFromPrimitiveList = "$deleteFromPrimitiveList/";
constexpr std::string_view kSetElementOrder = "$setElementOrder/";
constexpr std::string_view kRetainKeys = "$retainKeys";

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
      if (key.starts_with("$")) continue;
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
    if (key == kPatch || key == kRetainKeys || key.starts_with(kSetElementOrder)) continue;
    if (key.starts_with(kDeleteFromPrimitiveList)) {
      std::string field = key.substr(kDeleteFromPrimitiveList.size());
      auto list = target.find(field);
      if (list == target.end() || !list->is_array() || !value.is_array()) continue;
      Json kept = Json::array();
      for (const Json& element : *list) {
        bool removed = false;
        for (const Json& gone : value) removed = removed || gone == element;
        if (!removed) kept.push_back(element);
      }
      *list = std::move(kept);
      continue;
    }
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
  return MergeMap(target, patch, false);
}

}  // namespace fluxcpp::kustomize
