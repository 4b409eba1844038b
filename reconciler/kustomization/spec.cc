#include "reconciler/kustomization/spec.h"

#include <cctype>
#include <set>

#include "reconciler/runtime/status.h"

namespace fluxcpp::reconciler::kustomization {
namespace {

using manifest::Json;

constexpr std::chrono::seconds kTimeoutMargin{30};

absl::Status FieldError(const std::string& field, const std::string& problem) {
  return absl::InvalidArgumentError("spec." + field + ": " + problem);
}

// The string at `key` of `object`, or `fallback` when absent; an error when it is not a string.
absl::StatusOr<std::string> StringField(const Json& object, const std::string& key,
                                        const std::string& field,
                                        const std::string& fallback = "") {
  auto found = object.find(key);
  if (found == object.end() || found->is_null()) return fallback;
  if (!found->is_string()) return FieldError(field, "must be a string");
  return found->get<std::string>();
}

absl::StatusOr<bool> BoolField(const Json& object, const std::string& key,
                               const std::string& field) {
  auto found = object.find(key);
  if (found == object.end() || found->is_null()) return false;
  if (!found->is_boolean()) return FieldError(field, "must be true or false");
  return found->get<bool>();
}

absl::StatusOr<std::map<std::string, std::string>> StringMapField(const Json& object,
                                                                  const std::string& key,
                                                                  const std::string& field) {
  std::map<std::string, std::string> result;
  auto found = object.find(key);
  if (found == object.end() || found->is_null()) return result;
  if (!found->is_object()) return FieldError(field, "must be a map of strings");
  for (const auto& [name, value] : found->items()) {
    if (!value.is_string()) return FieldError(field + "." + name, "must be a string");
    result[name] = value.get<std::string>();
  }
  return result;
}

absl::StatusOr<std::chrono::milliseconds> DurationField(const Json& spec, const std::string& key) {
  auto text = StringField(spec, key, key);
  if (!text.ok()) return text.status();
  auto duration = ParseDuration(*text);
  if (!duration.ok()) return FieldError(key, std::string(duration.status().message()));
  return *duration;
}

absl::StatusOr<CrossNamespaceReference> ParseReference(const Json& json, const std::string& field,
                                                       const std::string& default_namespace,
                                                       bool kind_required) {
  if (!json.is_object()) return FieldError(field, "must be an object");
  CrossNamespaceReference reference;
  for (auto [target, key] :
       {std::pair{&reference.api_version, "apiVersion"}, std::pair{&reference.kind, "kind"},
        std::pair{&reference.name, "name"}, std::pair{&reference.namespace_name, "namespace"}}) {
    auto value = StringField(json, key, field + "." + key);
    if (!value.ok()) return value.status();
    *target = *value;
  }
  if (reference.name.empty()) return FieldError(field + ".name", "is required");
  if (kind_required && reference.kind.empty()) return FieldError(field + ".kind", "is required");
  if (reference.namespace_name.empty()) reference.namespace_name = default_namespace;
  return reference;
}

absl::StatusOr<std::vector<CrossNamespaceReference>> ParseReferences(
    const Json& spec, const std::string& key, const std::string& default_namespace,
    bool kind_required) {
  std::vector<CrossNamespaceReference> references;
  auto found = spec.find(key);
  if (found == spec.end() || found->is_null()) return references;
  if (!found->is_array()) return FieldError(key, "must be a list");
  for (size_t i = 0; i < found->size(); ++i) {
    auto reference = ParseReference((*found)[i], key + "[" + std::to_string(i) + "]",
                                    default_namespace, kind_required);
    if (!reference.ok()) return reference.status();
    references.push_back(std::move(*reference));
  }
  return references;
}

absl::StatusOr<PostBuild> ParsePostBuild(const Json& json) {
  if (!json.is_object()) return FieldError("postBuild", "must be an object");
  PostBuild post_build;
  auto substitute = StringMapField(json, "substitute", "postBuild.substitute");
  if (!substitute.ok()) return substitute.status();
  for (const auto& [name, value] : *substitute) {
    if (!IsValidVariableName(name)) {
      return FieldError("postBuild.substitute." + name,
                        "is not a valid variable name (^[_[:alpha:]][_[:alpha:][:digit:]]*$)");
    }
  }
  post_build.substitute = std::move(*substitute);
  auto from = json.find("substituteFrom");
  if (from != json.end() && !from->is_null()) {
    if (!from->is_array()) return FieldError("postBuild.substituteFrom", "must be a list");
    for (size_t i = 0; i < from->size(); ++i) {
      std::string field = "postBuild.substituteFrom[" + std::to_string(i) + "]";
      const Json& entry = (*from)[i];
      if (!entry.is_object()) return FieldError(field, "must be an object");
      SubstituteReference reference;
      auto kind = StringField(entry, "kind", field + ".kind");
      if (!kind.ok()) return kind.status();
      if (*kind != "ConfigMap" && *kind != "Secret") {
        return FieldError(field + ".kind", "must be ConfigMap or Secret, not \"" + *kind + "\"");
      }
      reference.kind = *kind;
      auto name = StringField(entry, "name", field + ".name");
      if (!name.ok()) return name.status();
      if (name->empty()) return FieldError(field + ".name", "is required");
      reference.name = *name;
      auto optional = BoolField(entry, "optional", field + ".optional");
      if (!optional.ok()) return optional.status();
      reference.optional = *optional;
      post_build.substitute_from.push_back(std::move(reference));
    }
  }
  return post_build;
}

}  // namespace

bool IsValidVariableName(const std::string& name) {
  if (name.empty()) return false;
  auto alpha = [](char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; };
  if (!alpha(name[0])) return false;
  for (char c : name) {
    if (!alpha(c) && !std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

absl::StatusOr<KustomizationSpec> ParseSpec(const manifest::Object& kustomization) {
  const Json& json = kustomization.json();
  auto spec_found = json.find("spec");
  if (spec_found == json.end() || !spec_found->is_object()) {
    return absl::InvalidArgumentError("spec: is required");
  }
  const Json& spec = *spec_found;
  const std::string own_namespace = kustomization.Namespace();
  KustomizationSpec result;

  auto source = spec.find("sourceRef");
  if (source == spec.end()) return FieldError("sourceRef", "is required");
  auto source_ref = ParseReference(*source, "sourceRef", own_namespace, true);
  if (!source_ref.ok()) return source_ref.status();
  static const std::set<std::string> kSourceKinds = {"GitRepository", "OCIRepository", "Bucket",
                                                     "ExternalArtifact"};
  if (!kSourceKinds.contains(source_ref->kind)) {
    return FieldError("sourceRef.kind", "\"" + source_ref->kind +
                                            "\" is not a source kind (GitRepository, "
                                            "OCIRepository, Bucket, ExternalArtifact)");
  }
  result.source_ref = std::move(*source_ref);

  auto path = StringField(spec, "path", "path", "./");
  if (!path.ok()) return path.status();
  result.path = path->empty() ? "./" : *path;
  // A path escaping the artifact is refused by the build, which names the file it reached for.

  if (!spec.contains("interval")) return FieldError("interval", "is required");
  auto interval = DurationField(spec, "interval");
  if (!interval.ok()) return interval.status();
  if (interval->count() <= 0) return FieldError("interval", "must be positive");
  result.interval = *interval;

  result.retry_interval = result.interval;
  if (spec.contains("retryInterval") && !spec["retryInterval"].is_null()) {
    auto retry = DurationField(spec, "retryInterval");
    if (!retry.ok()) return retry.status();
    result.retry_interval = *retry;
  }
  if (spec.contains("timeout") && !spec["timeout"].is_null()) {
    auto timeout = DurationField(spec, "timeout");
    if (!timeout.ok()) return timeout.status();
    result.timeout = *timeout;
  } else {
    result.timeout =
        std::max<std::chrono::milliseconds>(result.interval - kTimeoutMargin, kTimeoutMargin);
  }

  if (!spec.contains("prune")) return FieldError("prune", "is required");
  for (auto [target, key] :
       {std::pair{&result.prune, "prune"}, std::pair{&result.wait, "wait"},
        std::pair{&result.force, "force"}, std::pair{&result.suspend, "suspend"}}) {
    auto value = BoolField(spec, key, key);
    if (!value.ok()) return value.status();
    *target = *value;
  }

  auto policy = StringField(spec, "deletionPolicy", "deletionPolicy", "MirrorPrune");
  if (!policy.ok()) return policy.status();
  if (*policy != "MirrorPrune" && *policy != "Delete" && *policy != "WaitForTermination" &&
      *policy != "Orphan") {
    return FieldError("deletionPolicy", "\"" + *policy +
                                            "\" is not one of MirrorPrune, Delete, "
                                            "WaitForTermination, Orphan");
  }
  result.deletion_policy = *policy;

  auto health_checks = ParseReferences(spec, "healthChecks", own_namespace, true);
  if (!health_checks.ok()) return health_checks.status();
  result.health_checks = std::move(*health_checks);
  auto depends_on = ParseReferences(spec, "dependsOn", own_namespace, false);
  if (!depends_on.ok()) return depends_on.status();
  result.depends_on = std::move(*depends_on);

  for (auto [target, key] :
       {std::pair{&result.target_namespace, "targetNamespace"},
        std::pair{&result.name_prefix, "namePrefix"}, std::pair{&result.name_suffix, "nameSuffix"},
        std::pair{&result.service_account_name, "serviceAccountName"}}) {
    auto value = StringField(spec, key, key);
    if (!value.ok()) return value.status();
    *target = *value;
  }

  for (auto [target, key] :
       {std::pair{&result.patches, "patches"}, std::pair{&result.images, "images"}}) {
    auto found = spec.find(key);
    if (found == spec.end() || found->is_null()) continue;
    if (!found->is_array()) return FieldError(key, "must be a list");
    for (size_t i = 0; i < found->size(); ++i) {
      if (!(*found)[i].is_object()) {
        return FieldError(std::string(key) + "[" + std::to_string(i) + "]", "must be an object");
      }
    }
    *target = *found;
  }
  for (size_t i = 0; i < result.patches.size(); ++i) {
    const Json& patch = result.patches[i];
    if (!patch.contains("patch") && !patch.contains("path")) {
      return FieldError("patches[" + std::to_string(i) + "].patch", "is required");
    }
  }
  for (size_t i = 0; i < result.images.size(); ++i) {
    if (!result.images[i].contains("name") || !result.images[i]["name"].is_string()) {
      return FieldError("images[" + std::to_string(i) + "].name", "is required");
    }
  }

  if (auto found = spec.find("components"); found != spec.end() && !found->is_null()) {
    if (!found->is_array()) return FieldError("components", "must be a list of paths");
    for (size_t i = 0; i < found->size(); ++i) {
      if (!(*found)[i].is_string()) {
        return FieldError("components[" + std::to_string(i) + "]", "must be a string");
      }
      result.components.push_back((*found)[i].get<std::string>());
    }
  }

  if (auto found = spec.find("commonMetadata"); found != spec.end() && !found->is_null()) {
    if (!found->is_object()) return FieldError("commonMetadata", "must be an object");
    auto labels = StringMapField(*found, "labels", "commonMetadata.labels");
    if (!labels.ok()) return labels.status();
    auto annotations = StringMapField(*found, "annotations", "commonMetadata.annotations");
    if (!annotations.ok()) return annotations.status();
    result.common_labels = std::move(*labels);
    result.common_annotations = std::move(*annotations);
  }

  if (auto found = spec.find("postBuild"); found != spec.end() && !found->is_null()) {
    auto post_build = ParsePostBuild(*found);
    if (!post_build.ok()) return post_build.status();
    result.post_build = std::move(*post_build);
  }

  if (auto found = spec.find("kubeConfig"); found != spec.end() && !found->is_null()) {
    if (!found->is_object()) return FieldError("kubeConfig", "must be an object");
    auto secret_ref = found->find("secretRef");
    if (secret_ref == found->end() || !secret_ref->is_object()) {
      return FieldError("kubeConfig.secretRef", "is required");
    }
    SecretKeyReference reference;
    auto name = StringField(*secret_ref, "name", "kubeConfig.secretRef.name");
    if (!name.ok()) return name.status();
    if (name->empty()) return FieldError("kubeConfig.secretRef.name", "is required");
    auto key = StringField(*secret_ref, "key", "kubeConfig.secretRef.key");
    if (!key.ok()) return key.status();
    reference.name = *name;
    reference.key = *key;
    result.kube_config = std::move(reference);
  }

  if (auto found = spec.find("decryption"); found != spec.end() && !found->is_null()) {
    if (!found->is_object()) return FieldError("decryption", "must be an object");
    auto provider = StringField(*found, "provider", "decryption.provider");
    if (!provider.ok()) return provider.status();
    if (*provider != "sops") {
      return FieldError("decryption.provider", "must be \"sops\", not \"" + *provider + "\"");
    }
    result.decryption = true;
    if (auto ref = found->find("secretRef"); ref != found->end() && !ref->is_null()) {
      if (!ref->is_object()) return FieldError("decryption.secretRef", "must be an object");
      auto name = StringField(*ref, "name", "decryption.secretRef.name");
      if (!name.ok()) return name.status();
      if (name->empty()) return FieldError("decryption.secretRef.name", "must not be empty");
      result.decryption_secret = *name;
    }
  }
  return result;
}

}  // namespace fluxcpp::reconciler::kustomization
