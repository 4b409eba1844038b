// patches, patchesStrategicMerge and patchesJson6902.
#include <regex>

#include "lib/kustomize/engine.h"
#include "lib/kustomize/strategic_merge.h"
#include "lib/manifest/wipe.h"
#include "lib/manifest/yaml.h"

namespace fluxcpp::kustomize {

namespace fs = std::filesystem;
using manifest::Json;

namespace {

constexpr manifest::ParseOptions kKustomizeTyping{.typing = manifest::ScalarTyping::kKustomize};

// A patch's text, from `patch` (inline) or `path` (a file).
struct PatchText {
  std::string text;
  std::string origin;  // the file, or "<kustomization>: inline patch"
};

absl::StatusOr<PatchText> ReadPatch(const Kustomization& kustomization, const Loader& loader,
                                    const Json& entry) {
  std::string where = kustomization.Describe(loader);
  if (entry.contains("path")) {
    auto path = loader.Resolve(kustomization.dir, ScalarText(entry["path"]));
    if (!path.ok()) return Prefixed(path.status(), where);
    auto text = loader.Read(*path);
    if (!text.ok()) return text.status();
    return PatchText{*text, loader.Display(*path)};
  }
  if (entry.contains("patch"))
    return PatchText{ScalarText(entry["patch"]), where + ": inline patch"};
  return absl::InvalidArgumentError(where + ": a patch needs either path or patch");
}

bool FullMatch(const std::string& pattern, const std::string& text) {
  try {
    return std::regex_match(text, std::regex(pattern));
  } catch (const std::regex_error&) {
    return pattern == text;
  }
}

absl::StatusOr<std::vector<size_t>> SelectTargets(const Json& target,
                                                  const std::vector<Resource>& resources) {
  std::vector<size_t> selected;
  for (size_t i = 0; i < resources.size(); ++i) {
    const manifest::Object& object = resources[i].object;
    manifest::GroupVersionKind gvk = object.Gvk();
    auto field = [&](const char* name) {
      return target.contains(name) ? ScalarText(target[name]) : std::string();
    };
    if (!field("group").empty() && field("group") != gvk.group) continue;
    if (!field("version").empty() && field("version") != gvk.version) continue;
    if (!field("kind").empty() && field("kind") != gvk.kind) continue;
    // Names and namespaces match the resource's current id or its original one.
    const ResourceId* original =
        resources[i].previous_ids.empty() ? nullptr : &resources[i].previous_ids.front();
    if (!field("name").empty() && !FullMatch(field("name"), object.Name()) &&
        (original == nullptr || !FullMatch(field("name"), original->name))) {
      continue;
    }
    if (!field("namespace").empty() &&
        !FullMatch(field("namespace"), resources[i].CurrentId().EffectiveNamespace()) &&
        (original == nullptr || !FullMatch(field("namespace"), original->EffectiveNamespace()))) {
      continue;
    }
    if (!field("labelSelector").empty()) {
      auto matches = MatchesSelector(field("labelSelector"), object.Labels());
      if (!matches.ok()) return matches.status();
      if (!*matches) continue;
    }
    if (!field("annotationSelector").empty()) {
      auto matches = MatchesSelector(field("annotationSelector"), object.Annotations());
      if (!matches.ok()) return matches.status();
      if (!*matches) continue;
    }
    selected.push_back(i);
  }
  return selected;
}

absl::Status ApplyJson6902(Resource& resource, const Json& operations, const std::string& origin) {
  try {
    Json patched = resource.object.json().patch(operations);
    // The unpatched Secret is a copy of secret data that would otherwise be freed unwiped.
    if (resource.object.Kind() == "Secret") manifest::WipeJson(resource.object.json());
    resource.object.json() = std::move(patched);
  } catch (const nlohmann::json::exception& error) {
    return absl::InvalidArgumentError(origin + ": JSON patch on " +
                                      resource.CurrentId().Describe() + " failed: " + error.what());
  }
  return absl::OkStatus();
}

// Merges one strategic merge patch into resource `index`; a `$patch: delete` removes it.
absl::Status ApplyStrategicMerge(std::vector<Resource>& resources, size_t index, Json patch,
                                 const std::string& origin) {
  Resource& resource = resources[index];
  Json& json = resource.object.json();
  // The patch describes the target: its identity must not change the target's.
  patch["apiVersion"] = json.value("apiVersion", Json(""));
  patch["kind"] = json.value("kind", Json(""));
  if (patch.contains("metadata") && patch["metadata"].is_object()) {
    patch["metadata"]["name"] = resource.object.Name();
    if (!resource.object.Namespace().empty())
      patch["metadata"]["namespace"] = resource.object.Namespace();
  }
  absl::Status status = StrategicMerge(json, patch);
  if (!status.ok()) {
    return absl::InvalidArgumentError(origin + ": patching " + resource.CurrentId().Describe() +
                                      ": " + std::string(status.message()));
  }
  if (json.is_null()) resources.erase(resources.begin() + static_cast<std::ptrdiff_t>(index));
  return absl::OkStatus();
}

// A patch without a target applies to the one resource it names.
absl::StatusOr<size_t> FindNamedTarget(const Json& patch, const std::vector<Resource>& resources,
                                       const std::string& origin) {
  manifest::Object named(patch);
  std::vector<size_t> matches;
  for (size_t i = 0; i < resources.size(); ++i) {
    const manifest::Object& object = resources[i].object;
    if (object.Kind() != named.Kind() ||
        (!named.ApiVersion().empty() && object.Gvk().group != named.Gvk().group))
      continue;
    bool name_matches = object.Name() == named.Name();
    for (const ResourceId& id : resources[i].previous_ids)
      name_matches = name_matches || id.name == named.Name();
    if (!name_matches) continue;
    if (!named.Namespace().empty() && object.Namespace() != named.Namespace()) {
      bool was = false;
      for (const ResourceId& id : resources[i].previous_ids)
        was = was || id.namespace_name == named.Namespace();
      if (!was) continue;
    }
    matches.push_back(i);
  }
  if (matches.size() != 1) {
    return absl::NotFoundError(
        origin + ": " + (matches.empty() ? "no resource matches" : "several resources match") +
        " the patch for " + named.Kind() + " " + named.Name());
  }
  return matches.front();
}

absl::Status ApplyPatchDocuments(const std::string& text, const std::string& origin,
                                 const Json* target, std::vector<Resource>& resources) {
  auto documents = manifest::ParseYamlDocuments(text, origin, kKustomizeTyping);
  if (!documents.ok()) return documents.status();
  if (documents->empty()) return absl::InvalidArgumentError(origin + ": the patch is empty");
  if (documents->size() == 1 && documents->front().json.is_array()) {
    if (target == nullptr) {
      return absl::InvalidArgumentError(origin + ": a JSON 6902 patch needs a target");
    }
    auto selected = SelectTargets(*target, resources);
    if (!selected.ok()) return selected.status();
    for (size_t index : *selected) {
      absl::Status status = ApplyJson6902(resources[index], documents->front().json, origin);
      if (!status.ok()) return status;
    }
    return absl::OkStatus();
  }
  for (manifest::Document& document : *documents) {
    if (!document.json.is_object()) {
      return absl::InvalidArgumentError(document.source.Describe() + ": a patch must be a mapping");
    }
    if (target != nullptr) {
      auto selected = SelectTargets(*target, resources);
      if (!selected.ok()) return selected.status();
      // Indices shift when a patch deletes a resource: walk backwards.
      for (auto it = selected->rbegin(); it != selected->rend(); ++it) {
        absl::Status status = ApplyStrategicMerge(resources, *it, document.json, origin);
        if (!status.ok()) return status;
      }
    } else {
      auto index = FindNamedTarget(document.json, resources, document.source.Describe());
      if (!index.ok()) return index.status();
      absl::Status status = ApplyStrategicMerge(resources, *index, document.json, origin);
      if (!status.ok()) return status;
    }
  }
  return absl::OkStatus();
}

}  // namespace

// A label or annotation selector, `a=b,c!=d,e,!f,g in (x,y),h notin (z)` against a set of labels or
// annotations.
absl::StatusOr<bool> MatchesSelector(const std::string& selector,
                                     const std::map<std::string, std::string>& values) {
  std::vector<std::string> requirements;
  int depth = 0;
  std::string current;
  for (char c : selector) {
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c == ',' && depth == 0) {
      requirements.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  requirements.push_back(current);
  auto trim = [](std::string text) {
    size_t first = text.find_first_not_of(' ');
    size_t last = text.find_last_not_of(' ');
    return first == std::string::npos ? std::string() : text.substr(first, last - first + 1);
  };
  static const std::regex kSet(R"(^\s*(\S+)\s+(in|notin)\s+\((.*)\)\s*$)");
  for (std::string requirement : requirements) {
    requirement = trim(requirement);
    if (requirement.empty()) continue;
    std::smatch match;
    if (std::regex_match(requirement, match, kSet)) {
      std::string key = match[1], op = match[2];
      bool found = false;
      auto value = values.find(key);
      std::string list = match[3];
      size_t start = 0;
      while (start <= list.size()) {
        size_t end = list.find(',', start);
        if (end == std::string::npos) end = list.size();
        if (value != values.end() && trim(list.substr(start, end - start)) == value->second)
          found = true;
        start = end + 1;
      }
      if ((op == "in") != found) return false;
      continue;
    }
    if (size_t at = requirement.find("!="); at != std::string::npos) {
      auto value = values.find(trim(requirement.substr(0, at)));
      if (value != values.end() && value->second == trim(requirement.substr(at + 2))) return false;
      continue;
    }
    if (size_t at = requirement.find('='); at != std::string::npos) {
      size_t value_start = requirement.compare(at, 2, "==") == 0 ? at + 2 : at + 1;
      auto value = values.find(trim(requirement.substr(0, at)));
      if (value == values.end() || value->second != trim(requirement.substr(value_start)))
        return false;
      continue;
    }
    if (requirement.starts_with("!")) {
      if (values.contains(trim(requirement.substr(1)))) return false;
      continue;
    }
    if (!values.contains(requirement)) return false;
  }
  return true;
}

absl::Status RunPatches(const Kustomization& kustomization, const Loader& loader,
                        std::vector<Resource>& resources) {
  std::string where = kustomization.Describe(loader);
  for (const Json& entry : kustomization.List("patchesStrategicMerge")) {
    std::string value = ScalarText(entry);
    PatchText patch{value, where + ": inline patch"};
    if (value.find('\n') == std::string::npos) {
      auto path = loader.Resolve(kustomization.dir, value);
      if (!path.ok()) return Prefixed(path.status(), where);
      auto text = loader.Read(*path);
      if (!text.ok()) return text.status();
      patch = PatchText{*text, loader.Display(*path)};
    }
    absl::Status status = ApplyPatchDocuments(patch.text, patch.origin, nullptr, resources);
    if (!status.ok()) return status;
  }
  for (const Json& entry : kustomization.List("patches")) {
    if (!entry.is_object())
      return absl::InvalidArgumentError(where + ": patches entries must be mappings");
    auto patch = ReadPatch(kustomization, loader, entry);
    if (!patch.ok()) return patch.status();
    const Json* target =
        entry.contains("target") && entry["target"].is_object() ? &entry["target"] : nullptr;
    absl::Status status = ApplyPatchDocuments(patch->text, patch->origin, target, resources);
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

absl::Status RunJson6902Patches(const Kustomization& kustomization, const Loader& loader,
                                std::vector<Resource>& resources) {
  std::string where = kustomization.Describe(loader);
  for (const Json& entry : kustomization.List("patchesJson6902")) {
    if (!entry.is_object() || !entry.contains("target")) {
      return absl::InvalidArgumentError(where + ": patchesJson6902 entries need a target");
    }
    auto patch = ReadPatch(kustomization, loader, entry);
    if (!patch.ok()) return patch.status();
    auto documents = manifest::ParseYamlDocuments(patch->text, patch->origin, kKustomizeTyping);
    if (!documents.ok()) return documents.status();
    if (documents->size() != 1 || !documents->front().json.is_array()) {
      return absl::InvalidArgumentError(patch->origin +
                                        ": a JSON 6902 patch must be a list of operations");
    }
    auto selected = SelectTargets(entry["target"], resources);
    if (!selected.ok()) return selected.status();
    for (size_t index : *selected) {
      absl::Status status = ApplyJson6902(resources[index], documents->front().json, patch->origin);
      if (!status.ok()) return status;
    }
  }
  return absl::OkStatus();
}

}  // namespace fluxcpp::kustomize
