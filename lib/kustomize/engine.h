// The steps of a build, shared by build.cc and the files implementing each step. Private to
// lib/kustomize.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "lib/kustomize/loader.h"
#include "lib/kustomize/resource.h"

namespace fluxcpp::kustomize {

// A kustomization file as read: its JSON and where it lives.
struct Kustomization {
  manifest::Json json;
  std::filesystem::path dir;
  std::filesystem::path file;
  bool is_component = false;

  // A string field, "" when absent.
  std::string String(const char* field) const;
  // A list field; empty when absent.
  const manifest::Json& List(const char* field) const;
  // A string → string map field (scalars as their text), empty when absent.
  std::vector<std::pair<std::string, std::string>> StringMap(const char* field) const;
  // "overlays/prod/kustomization.yaml", for messages.
  std::string Describe(const Loader& loader) const;
};

// `status` with "<prefix>: " before its message, same code.
absl::Status Prefixed(const absl::Status& status, const std::string& prefix);

// The text of a scalar as kustomize reads it into a string field.
std::string ScalarText(const manifest::Json& value);

// schema.cc: every field of a kustomization file is one this engine builds and has the type
// kustomize decodes it into; the error names the file and the field ("labels[0].pairs.app").
[[nodiscard]] absl::Status CheckKustomizationShape(const manifest::Json& json,
                                                   const std::string& file);

// Appends, refusing a second resource with the same id.
[[nodiscard]] absl::Status AddResource(std::vector<Resource>& resources, Resource resource,
                                       const std::string& origin);

// generators.cc: configMapGenerator and secretGenerator.
[[nodiscard]] absl::Status RunGenerators(const Kustomization& kustomization, const Loader& loader,
                                         std::vector<Resource>& resources);

// transformers.cc.
void TransformNamespace(const std::string& namespace_name, std::vector<Resource>& resources);
void TransformNamePrefixSuffix(const std::string& prefix, const std::string& suffix,
                               std::vector<Resource>& resources);
[[nodiscard]] absl::Status TransformLabels(const Kustomization& kustomization,
                                           std::vector<Resource>& resources);
void TransformAnnotations(const std::vector<std::pair<std::string, std::string>>& annotations,
                          std::vector<Resource>& resources);
[[nodiscard]] absl::Status TransformImages(const manifest::Json& images,
                                           std::vector<Resource>& resources);
[[nodiscard]] absl::Status TransformReplicas(const manifest::Json& replicas,
                                             std::vector<Resource>& resources);
// After every name is final: rewrites references (volumes, envFrom, roleRef, …) to renamed
// resources.
void FixNameReferences(std::vector<Resource>& resources);
// Appends the content hash to generated ConfigMaps and Secrets that want one.
void AddHashSuffixes(std::vector<Resource>& resources);

// patches.cc: whether `values` (labels or annotations) satisfy a selector such as
// `a=b,c!=d,e,!f,g in (x,y),h notin (z)`.
[[nodiscard]] absl::StatusOr<bool> MatchesSelector(
    const std::string& selector, const std::map<std::string, std::string>& values);

// replacements.cc: copies fields from one resource into others.
[[nodiscard]] absl::Status RunReplacements(const Kustomization& kustomization, const Loader& loader,
                                           std::vector<Resource>& resources);

// patches.cc: patches, patchesStrategicMerge, patchesJson6902.
[[nodiscard]] absl::Status RunPatches(const Kustomization& kustomization, const Loader& loader,
                                      std::vector<Resource>& resources);
[[nodiscard]] absl::Status RunJson6902Patches(const Kustomization& kustomization,
                                              const Loader& loader,
                                              std::vector<Resource>& resources);

}  // namespace fluxcpp::kustomize
