// The spec of a kustomize.toolkit.fluxcd.io/v1 Kustomization as typed values, with Flux's defaults
// applied (retryInterval = interval, timeout = interval − 30s but at least 30s, sourceRef namespace
// = the Kustomization's) and every field validated; an error names the field at fault.
//
// Pure functions; thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/manifest/object.h"

namespace fluxcpp::reconciler::kustomization {

struct CrossNamespaceReference {
  std::string api_version;
  std::string kind;
  std::string name;
  std::string namespace_name;
};

struct SubstituteReference {
  std::string kind;  // "ConfigMap" or "Secret"
  std::string name;
  bool optional = false;
};

struct PostBuild {
  std::map<std::string, std::string> substitute;
  std::vector<SubstituteReference> substitute_from;
};

struct SecretKeyReference {
  std::string name;
  std::string key;  // empty: "value", else "value.yaml" as Flux tries them
};

struct KustomizationSpec {
  CrossNamespaceReference source_ref;
  std::string path = "./";
  std::chrono::milliseconds interval{0};
  std::chrono::milliseconds retry_interval{0};
  std::chrono::milliseconds timeout{0};
  bool prune = false;
  std::string deletion_policy = "MirrorPrune";  // MirrorPrune, Delete, WaitForTermination, Orphan
  bool wait = false;
  std::vector<CrossNamespaceReference> health_checks;
  std::vector<CrossNamespaceReference> depends_on;  // name and namespace only
  bool force = false;
  std::string target_namespace;
  std::string name_prefix;
  std::string name_suffix;
  manifest::Json patches = manifest::Json::array();  // kustomize `patches` entries, as written
  manifest::Json images = manifest::Json::array();   // kustomize `images` entries, as written
  std::vector<std::string> components;
  std::map<std::string, std::string> common_labels;
  std::map<std::string, std::string> common_annotations;
  std::optional<PostBuild> post_build;
  std::string service_account_name;
  std::optional<SecretKeyReference> kube_config;
  bool decryption = false;  // spec.decryption is set
  std::string
      decryption_secret;  // spec.decryption.secretRef.name (empty: the controller's default keys)
  bool suspend = false;
};

// Reads the spec of `kustomization` (its namespace fills in reference defaults).
[[nodiscard]] absl::StatusOr<KustomizationSpec> ParseSpec(const manifest::Object& kustomization);

// Whether a postBuild variable name is valid: ^[_[:alpha:]][_[:alpha:][:digit:]]*$.
bool IsValidVariableName(const std::string& name);

}  // namespace fluxcpp::reconciler::kustomization
