// Building a Kustomization's path from an unpacked artifact with Flux's overlay semantics:
// targetNamespace, namePrefix, nameSuffix, patches, images and components are written into the
// path's kustomization.yaml (generated first, listing the manifests, when the directory has none),
// as Flux's generator does. The shared unpacked tree is neither written nor copied: the edited
// file is handed to the build in place of the one on disk.
//
// Thread-safe: builds share nothing but read-only trees.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/kustomize/build.h"
#include "lib/manifest/object.h"
#include "reconciler/kustomization/spec.h"

namespace fluxcpp::reconciler::kustomization {

// Whether the spec asks for any change to the kustomization at its path.
bool NeedsOverlay(const KustomizationSpec& spec);

// Builds `spec.path` below `tree`. Errors name the file at fault.
[[nodiscard]] absl::StatusOr<std::vector<manifest::Object>> BuildKustomization(
    const std::string& tree, const KustomizationSpec& spec,
    const kustomize::BuildOptions& options = {});

// commonMetadata: labels and annotations added to every object.
void ApplyCommonMetadata(std::vector<manifest::Object>& objects, const KustomizationSpec& spec);

// "sha256:<hex>" of the objects as one YAML stream, the history's digest of a build.
std::string BuildDigest(const std::vector<manifest::Object>& objects);

}  // namespace fluxcpp::reconciler::kustomization
