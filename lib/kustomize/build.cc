#include "lib/kustomize/build.h"

#include <algorithm>
#include <set>

#include "lib/kustomize/engine.h"
#include "lib/kustomize/resource_order.h"
#include "lib/kustomize/yaml_output.h"
#include "lib/manifest/yaml.h"

namespace fluxcpp::kustomize {

namespace fs = std::filesystem;
using manifest::Json;

namespace {

constexpr const char* kKustomizationFileNames[] = {"kustomization.yaml", "kustomization.yml",
                                                   "Kustomization"};

class Builder {
 public:
  explicit Builder(Loader loader) : loader_(std::move(loader)) {}

  absl::StatusOr<std::vector<Resource>> BuildTop(const fs::path& dir) {
    absl::StatusOr<Kustomization> kustomization = LoadOrGenerate(dir);
    if (!kustomization.ok()) return kustomization.status();
    if (kustomization->is_component) {
      return absl::InvalidArgumentError(kustomization->Describe(loader_) +
                                        ": a Component cannot be built on its own");
    }
    std::vector<Resource> resources;
    absl::Status status = Accumulate(*kustomization, resources);
    if (!status.ok()) return status;
    AddHashSuffixes(resources);
    FixNameReferences(resources);
    SortLegacy(resources);
    return resources;
  }

 private:
  absl::StatusOr<Kustomization> Load(const fs::path& dir) {
    for (const char* name : kKustomizationFileNames) {
      fs::path file = dir / name;
      if (!loader_.Exists(file)) continue;
      absl::StatusOr<std::string> text = loader_.Read(file);
      if (!text.ok()) return text.status();
      auto documents = manifest::ParseYamlDocuments(*text, loader_.Display(file),
                                                    {.typing = manifest::ScalarTyping::kKustomize});
      if (!documents.ok()) return documents.status();
      Kustomization kustomization{.json = Json::object(), .dir = dir, .file = file};
      if (!documents->empty()) kustomization.json = std::move(documents->front().json);
      if (!kustomization.json.is_object()) {
        return absl::InvalidArgumentError(loader_.Display(file) + ": not a mapping");
      }
      absl::Status shape = CheckKustomizationShape(kustomization.json, loader_.Display(file));
      if (!shape.ok()) return shape;
      kustomization.is_component = kustomization.String("kind") == "Component";
      return kustomization;
    }
    return absl::NotFoundError(
        "unable to find one of 'kustomization.yaml', 'kustomization.yml' "
        "or 'Kustomization' in directory " +
        loader_.Display(dir));
  }

  // Flux builds a directory without a kustomization as if it listed every manifest below it.
  absl::StatusOr<Kustomization> LoadOrGenerate(const fs::path& dir) {
    absl::StatusOr<Kustomization> loaded = Load(dir);
    if (loaded.ok() || !absl::IsNotFound(loaded.status())) return loaded;
    Kustomization generated{.json = Json::object(), .dir = dir, .file = dir / "kustomization.yaml"};
    Json resources = Json::array();
    absl::Status status = CollectManifests(dir, dir, resources);
    if (!status.ok()) return status;
    generated.json["resources"] = std::move(resources);
    return generated;
  }

  absl::Status CollectManifests(const fs::path& top, const fs::path& dir, Json& resources) {
    std::vector<fs::path> entries;
    for (const auto& entry : fs::directory_iterator(dir)) entries.push_back(entry.path());
    std::sort(entries.begin(), entries.end());
    for (const fs::path& entry : entries) {
      if (entry.filename().string().starts_with(".")) continue;
      if (fs::is_directory(entry)) {
        bool has_kustomization = false;
        for (const char* name : kKustomizationFileNames) {
          has_kustomization = has_kustomization || loader_.Exists(entry / name);
        }
        if (has_kustomization) {
          resources.push_back(entry.lexically_relative(top).string());
        } else {
          absl::Status status = CollectManifests(top, entry, resources);
          if (!status.ok()) return status;
        }
      } else if (entry.extension() == ".yaml" || entry.extension() == ".yml") {
        resources.push_back(entry.lexically_relative(top).string());
      }
    }
    return absl::OkStatus();
  }

  absl::Status Accumulate(const Kustomization& kustomization, std::vector<Resource>& resources) {
    std::string key = kustomization.dir.string();
    if (std::find(stack_.begin(), stack_.end(), key) != stack_.end()) {
      return absl::InvalidArgumentError("cycle detected: " + kustomization.Describe(loader_) +
                                        " includes itself through its resources");
    }
    stack_.push_back(key);
    absl::Status status = AccumulateUnchecked(kustomization, resources);
    stack_.pop_back();
    return status;
  }

  absl::Status AccumulateUnchecked(const Kustomization& kustomization,
                                   std::vector<Resource>& resources) {
    std::string where = kustomization.Describe(loader_);
    for (const char* field : {"bases", "resources"}) {
      for (const Json& entry : kustomization.List(field)) {
        if (!entry.is_string()) {
          return absl::InvalidArgumentError(where + ": " + field + " entries must be strings");
        }
        absl::Status status = AddReference(kustomization, entry.get<std::string>(), resources);
        if (!status.ok()) return status;
      }
    }
    for (const Json& entry : kustomization.List("components")) {
      if (!entry.is_string()) {
        return absl::InvalidArgumentError(where + ": components entries must be strings");
      }
      auto dir = loader_.Resolve(kustomization.dir, entry.get<std::string>());
      if (!dir.ok()) return Prefixed(dir.status(), where);
      auto component = Load(*dir);
      if (!component.ok()) return component.status();
      if (!component->is_component) {
        return absl::InvalidArgumentError(component->Describe(loader_) +
                                          ": a component must have kind Component");
      }
      absl::Status status = Accumulate(*component, resources);
      if (!status.ok()) return status;
    }
    absl::Status status = RunGenerators(kustomization, loader_, resources);
    if (!status.ok()) return status;
    return RunTransformers(kustomization, resources);
  }

  absl::Status AddReference(const Kustomization& kustomization, const std::string& reference,
                            std::vector<Resource>& resources) {
    std::string where = kustomization.Describe(loader_);
    auto path = loader_.Resolve(kustomization.dir, reference);
    if (!path.ok()) return Prefixed(path.status(), where);
    if (fs::is_directory(*path)) {
      auto child = Load(*path);
      if (!child.ok()) return Prefixed(child.status(), where);
      if (child->is_component) {
        return absl::InvalidArgumentError(where + ": " + reference +
                                          " is a Component; list it under components");
      }
      std::vector<Resource> built;
      absl::Status status = Accumulate(*child, built);
      if (!status.ok()) return status;
      for (Resource& resource : built) {
        status = AddResource(resources, std::move(resource), where);
        if (!status.ok()) return status;
      }
      return absl::OkStatus();
    }
    auto text = loader_.Read(*path);
    if (!text.ok()) return text.status();
    auto objects = manifest::ReadObjects(*text, loader_.Display(*path),
                                         {.typing = manifest::ScalarTyping::kKustomize});
    if (!objects.ok()) return objects.status();
    std::vector<manifest::Object> flat;
    for (manifest::Object& object : *objects) {
      absl::Status status = FlattenLists(std::move(object), flat);
      if (!status.ok()) return status;
    }
    for (manifest::Object& object : flat) {
      const manifest::Json* name = NameOf(object.json());
      if (name == nullptr || !name->is_string() || name->get<std::string>().empty()) {
        return absl::InvalidArgumentError(
            object.source().Describe() + ": missing metadata.name in " + object.Kind() + " object");
      }
      Resource resource{.object = std::move(object)};
      resource.RememberId();
      absl::Status status = AddResource(resources, std::move(resource), loader_.Display(*path));
      if (!status.ok()) return status;
    }
    return absl::OkStatus();
  }

  static const manifest::Json* NameOf(const manifest::Json& json) {
    auto metadata = json.find("metadata");
    if (metadata == json.end() || !metadata->is_object()) return nullptr;
    auto name = metadata->find("name");
    return name == metadata->end() ? nullptr : &*name;
  }

  // As kustomize reads them, an object whose kind ends in "List" and that has `items` (v1 List,
  // ConfigMapList, ...) stands for its items, nested lists included; other objects for themselves.
  static absl::Status FlattenLists(manifest::Object object, std::vector<manifest::Object>& out) {
    auto items = object.json().find("items");
    if (!object.Kind().ends_with("List") || items == object.json().end()) {
      out.push_back(std::move(object));
      return absl::OkStatus();
    }
    if (!items->is_array()) {
      return absl::InvalidArgumentError(object.source().Describe() + ": the items of " +
                                        object.Kind() + " must be a list of objects");
    }
    for (const manifest::Json& item : *items) {
      if (!item.is_object() || !item.contains("kind") || !item["kind"].is_string()) {
        return absl::InvalidArgumentError(object.source().Describe() + ": an item of " +
                                          object.Kind() + " is not an object with a kind");
      }
      absl::Status status = FlattenLists(manifest::Object(item, object.source()), out);
      if (!status.ok()) return status;
    }
    return absl::OkStatus();
  }

  // kustomize's order of built-in transformers.
  absl::Status RunTransformers(const Kustomization& kustomization,
                               std::vector<Resource>& resources) {
    absl::Status status = RunPatches(kustomization, loader_, resources);
    if (!status.ok()) return status;
    if (std::string ns = kustomization.String("namespace"); !ns.empty()) {
      TransformNamespace(ns, resources);
    }
    std::string prefix = kustomization.String("namePrefix");
    std::string suffix = kustomization.String("nameSuffix");
    if (!prefix.empty() || !suffix.empty()) TransformNamePrefixSuffix(prefix, suffix, resources);
    status = TransformLabels(kustomization, resources);
    if (!status.ok()) return status;
    auto annotations = kustomization.StringMap("commonAnnotations");
    if (!annotations.empty()) TransformAnnotations(annotations, resources);
    status = RunJson6902Patches(kustomization, loader_, resources);
    if (!status.ok()) return status;
    status = TransformReplicas(kustomization.List("replicas"), resources);
    if (!status.ok()) return status;
    status = TransformImages(kustomization.List("images"), resources);
    if (!status.ok()) return status;
    return RunReplacements(kustomization, loader_, resources);
  }

  Loader loader_;
  std::vector<std::string> stack_;
};

}  // namespace

absl::Status Prefixed(const absl::Status& status, const std::string& prefix) {
  return absl::Status(status.code(), prefix + ": " + std::string(status.message()));
}

std::string ScalarText(const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return "";
  return value.dump();
}

std::string Kustomization::String(const char* field) const {
  auto found = json.find(field);
  return found == json.end() ? "" : ScalarText(*found);
}

const Json& Kustomization::List(const char* field) const {
  static const Json kEmpty = Json::array();
  auto found = json.find(field);
  return found == json.end() || !found->is_array() ? kEmpty : *found;
}

std::vector<std::pair<std::string, std::string>> Kustomization::StringMap(const char* field) const {
  std::vector<std::pair<std::string, std::string>> result;
  auto found = json.find(field);
  if (found == json.end() || !found->is_object()) return result;
  for (const auto& [key, value] : found->items()) result.emplace_back(key, ScalarText(value));
  return result;
}

std::string Kustomization::Describe(const Loader& loader) const { return loader.Display(file); }

absl::Status AddResource(std::vector<Resource>& resources, Resource resource,
                         const std::string& origin) {
  ResourceId id = resource.CurrentId();
  for (const Resource& existing : resources) {
    if (existing.CurrentId() == id) {
      return absl::AlreadyExistsError(
          origin + ": may not add resource with an already registered id: " + id.Describe());
    }
  }
  resources.push_back(std::move(resource));
  return absl::OkStatus();
}

absl::StatusOr<std::vector<manifest::Object>> Build(const std::string& root,
                                                    const std::string& path) {
  return Build(root, path, BuildOptions{});
}

absl::StatusOr<std::vector<manifest::Object>> Build(const std::string& root,
                                                    const std::string& path,
                                                    const BuildOptions& options) {
  auto loader = Loader::Create(root, options);
  if (!loader.ok()) return loader.status();
  auto dir = loader->Resolve(loader->root(), path);
  if (!dir.ok()) return dir.status();
  if (!fs::is_directory(*dir)) {
    return absl::InvalidArgumentError(loader->Display(*dir) + " is not a directory");
  }
  Builder builder(*std::move(loader));
  auto resources = builder.BuildTop(*dir);
  if (!resources.ok()) return resources.status();
  std::vector<manifest::Object> objects;
  objects.reserve(resources->size());
  for (Resource& resource : *resources) objects.push_back(std::move(resource.object));
  return objects;
}

absl::StatusOr<std::string> BuildYaml(const std::string& root, const std::string& path) {
  auto objects = Build(root, path);
  if (!objects.ok()) return objects.status();
  return WriteYamlStream(*objects);
}

}  // namespace fluxcpp::kustomize
