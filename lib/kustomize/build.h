// The kustomize build engine: `kustomize build` in C++, with output identical to kustomize's
// (v5). Builds read files only below `root` (a repository checkout); remote resources are refused.
//
// Supported: resources (files, kustomization directories, directories without a kustomization,
// which get one made of their YAML files recursively, as Flux does), components, namespace,
// namePrefix/nameSuffix with name references, commonLabels, labels, commonAnnotations, images,
// replicas, configMapGenerator/secretGenerator with generatorOptions and content-hash suffixes,
// patches, patchesStrategicMerge, patchesJson6902 and replacements; crds are accepted and
// their schemas not read (kustomize v5 draws no name references from them either). List objects
// (v1 List, ConfigMapList, ...) stand for their items. Fields beyond these, and fields of the
// wrong type, are an error naming the field, not silently ignored.
//
// Functions are thread-safe: a build shares no state with another.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/manifest/object.h"

namespace fluxcpp::kustomize {

// Builds the kustomization at `path` (a directory, relative to `root` or absolute below it) and
// returns its resources in kustomize's output order. Errors name the file at fault.
[[nodiscard]] absl::StatusOr<std::vector<manifest::Object>> Build(const std::string& root,
                                                                  const std::string& path);

// Sees the content of every secretGenerator source (env files and files) as read, with its path
// relative to the root, and returns what the generator uses instead: Flux decrypts SOPS-encrypted
// sources here, in memory.
using SecretSourceFilter =
    std::function<absl::StatusOr<std::string>(const std::string& path, std::string content)>;

struct BuildOptions {
  SecretSourceFilter secret_source_filter;  // unset: sources are used as read
  // Files (relative to the root) read with this content instead of theirs, and as existing when
  // they do not: an edited or generated kustomization.yaml without writing into a shared tree.
  std::map<std::string, std::string> replaced_files;
};

[[nodiscard]] absl::StatusOr<std::vector<manifest::Object>> Build(const std::string& root,
                                                                  const std::string& path,
                                                                  const BuildOptions& options);

// The same build as the text `kustomize build` prints.
[[nodiscard]] absl::StatusOr<std::string> BuildYaml(const std::string& root,
                                                    const std::string& path);

}  // namespace fluxcpp::kustomize
