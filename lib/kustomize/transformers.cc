// The built-in transformers that rename, relabel and retarget resources, and the fix-up of name
// references once names are final.
#include <map>

#include "lib/kustomize/engine.h"
#include "lib/kustomize/field_spec.h"
#include "lib/kustomize/hash.h"

namespace fluxcpp::kustomize {

using manifest::Json;

namespace {

// A string field of an object from a resource, or "" when it is missing or not a string:
// resources are arbitrary YAML, and `name: 5` in a subject must not end the build.
std::string StringField(const Json& object, const char* key) {
  auto found = object.find(key);
  return found != object.end() && found->is_string() ? found->get<std::string>() : std::string();
}

void ApplySpecs(const std::vector<FieldSpec>& specs, std::vector<Resource>& resources,
                const std::function<void(Json&)>& visit) {
  for (Resource& resource : resources) {
    manifest::GroupVersionKind gvk = resource.object.Gvk();
    for (const FieldSpec& spec : specs) {
      if (spec.Selects(gvk))
        VisitField(resource.object.json(), SplitFieldPath(spec.path), spec.create, visit);
    }
  }
}

void SetPairs(Json& field, const std::vector<std::pair<std::string, std::string>>& pairs) {
  if (!field.is_object()) field = Json::object();
  for (const auto& [key, value] : pairs) field[key] = value;
}

// Where commonLabels (and labels with includeSelectors) go beyond metadata/labels.
std::vector<FieldSpec> SelectorSpecs() {
  std::vector<FieldSpec> specs = {
      {.version = "v1", .kind = "Service", .path = "spec/selector", .create = true},
      {.version = "v1", .kind = "ReplicationController", .path = "spec/selector", .create = true},
      {.kind = "Deployment", .path = "spec/selector/matchLabels", .create = true},
      {.kind = "ReplicaSet", .path = "spec/selector/matchLabels", .create = true},
      {.kind = "DaemonSet", .path = "spec/selector/matchLabels", .create = true},
      {.group = "apps", .kind = "StatefulSet", .path = "spec/selector/matchLabels", .create = true},
      {.group = "batch", .kind = "Job", .path = "spec/selector/matchLabels"},
      {.group = "batch", .kind = "CronJob", .path = "spec/jobTemplate/spec/selector/matchLabels"},
      {.group = "policy", .kind = "PodDisruptionBudget", .path = "spec/selector/matchLabels"},
      {.group = "networking.k8s.io",
       .kind = "NetworkPolicy",
       .path = "spec/podSelector/matchLabels"},
      {.group = "networking.k8s.io",
       .kind = "NetworkPolicy",
       .path = "spec/ingress/from/podSelector/matchLabels"},
      {.group = "networking.k8s.io",
       .kind = "NetworkPolicy",
       .path = "spec/egress/to/podSelector/matchLabels"},
  };
  for (const char* kind : {"Deployment", "StatefulSet"}) {
    for (const char* path :
         {"spec/template/spec/affinity/podAffinity/preferredDuringSchedulingIgnoredDuringExecution/"
          "podAffinityTerm/labelSelector/matchLabels",
          "spec/template/spec/affinity/podAffinity/requiredDuringSchedulingIgnoredDuringExecution/"
          "labelSelector/matchLabels",
          "spec/template/spec/affinity/podAntiAffinity/"
          "preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/"
          "matchLabels",
          "spec/template/spec/affinity/podAntiAffinity/"
          "requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels",
          "spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels"}) {
      specs.push_back({.group = "apps", .kind = kind, .path = path});
    }
  }
  return specs;
}

std::vector<FieldSpec> TemplateLabelSpecs() {
  std::vector<FieldSpec> specs = PodTemplateSpecs("metadata/labels", true);
  specs.push_back({.group = "apps",
                   .kind = "StatefulSet",
                   .path = "spec/volumeClaimTemplates[]/metadata/labels",
                   .create = true});
  return specs;
}

const FieldSpec kMetadataLabels{.path = "metadata/labels", .create = true};

const std::vector<FieldSpec>& ServiceNamespaceSpecs() {
  static const std::vector<FieldSpec> kSpecs = {
      {.group = "apiregistration.k8s.io",
       .kind = "APIService",
       .path = "spec/service/namespace",
       .create = true},
      {.group = "apiextensions.k8s.io",
       .kind = "CustomResourceDefinition",
       .path = "spec/conversion/webhook/clientConfig/service/namespace"},
  };
  return kSpecs;
}

}  // namespace

void TransformNamespace(const std::string& namespace_name, std::vector<Resource>& resources) {
  for (Resource& resource : resources) {
    manifest::GroupVersionKind gvk = resource.object.Gvk();
    Json& json = resource.object.json();
    if (gvk.kind == "RoleBinding" || gvk.kind == "ClusterRoleBinding") {
      // The "default" service account of a binding follows the move; other subjects follow their
      // ServiceAccount through the name references.
      if (json.contains("subjects") && json["subjects"].is_array()) {
        for (Json& subject : json["subjects"]) {
          if (subject.is_object() && StringField(subject, "name") == "default") {
            subject["namespace"] = namespace_name;
          }
        }
      }
    }
    // Cluster-scoped kinds that name a Service: the Service moves with the namespace, so the
    // reference does too (kustomize creates the APIService field even without a service).
    for (const FieldSpec& spec : ServiceNamespaceSpecs()) {
      if (!spec.Selects(gvk)) continue;
      VisitField(json, SplitFieldPath(spec.path), spec.create,
                 [&](Json& field) { field = namespace_name; });
    }
    if (IsClusterScoped(gvk)) continue;
    if (resource.object.Namespace() == namespace_name) continue;
    resource.RememberId();
    resource.object.SetNamespace(namespace_name);
  }
}

void TransformNamePrefixSuffix(const std::string& prefix, const std::string& suffix,
                               std::vector<Resource>& resources) {
  for (Resource& resource : resources) {
    std::string kind = resource.object.Kind();
    // kustomize leaves these names alone: they are fixed by what they define.
    if (kind == "CustomResourceDefinition" || kind == "Namespace" || kind == "APIService") continue;
    resource.RememberId();
    resource.object.json()["metadata"]["name"] = prefix + resource.object.Name() + suffix;
  }
}

absl::Status TransformLabels(const Kustomization& kustomization, std::vector<Resource>& resources) {
  auto common = kustomization.StringMap("commonLabels");
  if (!common.empty()) {
    std::vector<FieldSpec> specs = SelectorSpecs();
    for (const FieldSpec& spec : TemplateLabelSpecs()) specs.push_back(spec);
    specs.push_back(kMetadataLabels);
    ApplySpecs(specs, resources, [&](Json& field) { SetPairs(field, common); });
  }
  for (const Json& entry : kustomization.List("labels")) {
    if (!entry.is_object()) {
      return absl::InvalidArgumentError(kustomization.file.string() +
                                        ": labels entries must be mappings");
    }
    std::vector<std::pair<std::string, std::string>> pairs;
    if (entry.contains("pairs") && entry["pairs"].is_object()) {
      for (const auto& [key, value] : entry["pairs"].items())
        pairs.emplace_back(key, ScalarText(value));
    }
    if (pairs.empty()) continue;
    bool selectors = entry.value("includeSelectors", false);
    bool templates = entry.value("includeTemplates", false);
    std::vector<FieldSpec> specs = {kMetadataLabels};
    if (selectors) {
      for (const FieldSpec& spec : SelectorSpecs()) specs.push_back(spec);
    }
    if (selectors || templates) {
      for (const FieldSpec& spec : TemplateLabelSpecs()) specs.push_back(spec);
    }
    // Fields of the entry's own, besides the defaults.
    for (const Json& field : entry.value("fields", Json::array())) {
      if (!field.is_object() || !field.contains("path")) {
        return absl::InvalidArgumentError(kustomization.file.string() +
                                          ": labels fields entries need a path");
      }
      auto text = [&](const char* name) {
        return field.contains(name) ? ScalarText(field[name]) : std::string();
      };
      specs.push_back({.group = text("group"),
                       .version = text("version"),
                       .kind = text("kind"),
                       .path = text("path"),
                       .create = field.value("create", false)});
    }
    ApplySpecs(specs, resources, [&](Json& field) { SetPairs(field, pairs); });
  }
  return absl::OkStatus();
}

void TransformAnnotations(const std::vector<std::pair<std::string, std::string>>& annotations,
                          std::vector<Resource>& resources) {
  std::vector<FieldSpec> specs = PodTemplateSpecs("metadata/annotations", true);
  specs.push_back({.path = "metadata/annotations", .create = true});
  ApplySpecs(specs, resources, [&](Json& field) { SetPairs(field, annotations); });
}

namespace {

struct ImageReference {
  std::string name;
  std::string tag;     // with its ':'
  std::string digest;  // with its '@'
};

ImageReference SplitImage(const std::string& image) {
  ImageReference ref;
  std::string rest = image;
  if (size_t at = rest.find('@'); at != std::string::npos) {
    ref.digest = rest.substr(at);
    rest.resize(at);
  }
  size_t slash = rest.rfind('/');
  size_t colon = rest.rfind(':');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) {
    ref.tag = rest.substr(colon);
    rest.resize(colon);
  }
  ref.name = rest;
  return ref;
}

void UpdateContainers(Json& node, const Json& images) {
  if (node.is_array()) {
    for (Json& element : node) UpdateContainers(element, images);
    return;
  }
  if (!node.is_object()) return;
  for (auto& [key, value] : node.items()) {
    if ((key == "containers" || key == "initContainers") && value.is_array()) {
      for (Json& container : value) {
        if (!container.is_object() || !container.contains("image") ||
            !container["image"].is_string()) {
          continue;
        }
        ImageReference ref = SplitImage(container["image"].get<std::string>());
        for (const Json& image : images) {
          if (ScalarText(image.value("name", Json(""))) != ref.name) continue;
          std::string name = image.contains("newName") ? ScalarText(image["newName"]) : ref.name;
          std::string tag = ref.tag, digest = ref.digest;
          // A new tag drops the digest and a new digest the tag, unless both are given.
          if (image.contains("newTag")) {
            tag = ":" + ScalarText(image["newTag"]);
            digest.clear();
          }
          if (image.contains("digest")) {
            digest = "@" + ScalarText(image["digest"]);
            if (!image.contains("newTag")) tag.clear();
          }
          container["image"] = name + tag + digest;
          break;
        }
      }
    }
    UpdateContainers(value, images);
  }
}

}  // namespace

absl::Status TransformImages(const Json& images, std::vector<Resource>& resources) {
  if (images.empty()) return absl::OkStatus();
  for (Resource& resource : resources) UpdateContainers(resource.object.json(), images);
  return absl::OkStatus();
}

absl::Status TransformReplicas(const Json& replicas, std::vector<Resource>& resources) {
  for (const Json& entry : replicas) {
    std::string name = ScalarText(entry.value("name", Json("")));
    if (!entry.contains("count") || !entry["count"].is_number_integer()) {
      return absl::InvalidArgumentError("replicas: " + name + " needs an integer count");
    }
    for (Resource& resource : resources) {
      std::string kind = resource.object.Kind();
      if (kind != "Deployment" && kind != "ReplicationController" && kind != "ReplicaSet" &&
          kind != "StatefulSet") {
        continue;
      }
      bool named = resource.object.Name() == name;
      for (const ResourceId& id : resource.previous_ids) named = named || id.name == name;
      if (named) resource.object.json()["spec"]["replicas"] = entry["count"];
    }
  }
  return absl::OkStatus();
}

void AddHashSuffixes(std::vector<Resource>& resources) {
  for (Resource& resource : resources) {
    if (!resource.needs_hash_suffix) continue;
    std::string hash = ContentHash(resource.object);
    resource.RememberId();
    resource.object.json()["metadata"]["name"] = resource.object.Name() + "-" + hash;
  }
}

namespace {

struct Reference {
  const char* kind;  // the kind referred to
  std::vector<FieldSpec> referrers;
};

std::vector<FieldSpec> PodSpecReferrers(const std::vector<std::string>& paths) {
  std::vector<FieldSpec> specs;
  for (const std::string& path : paths) {
    specs.push_back({.version = "v1", .kind = "Pod", .path = "spec/" + path});
    specs.push_back({.kind = "PodTemplate", .path = "template/spec/" + path});
    for (const FieldSpec& spec : PodTemplateSpecs("spec/" + path, false)) {
      if (spec.path.starts_with("spec/jobTemplate/spec/template") ||
          !spec.path.starts_with("spec/jobTemplate")) {
        specs.push_back(spec);
      }
    }
  }
  return specs;
}

const std::vector<Reference>& References() {
  static const std::vector<Reference> kReferences = [] {
    std::vector<Reference> references;
    references.push_back(
        {"ConfigMap",
         PodSpecReferrers(
             {"volumes/configMap/name", "containers/env/valueFrom/configMapKeyRef/name",
              "initContainers/env/valueFrom/configMapKeyRef/name",
              "containers/envFrom/configMapRef/name", "initContainers/envFrom/configMapRef/name",
              "volumes/projected/sources/configMap/name"})});
    Reference secret{
        "Secret", PodSpecReferrers(
                      {"volumes/secret/secretName", "containers/env/valueFrom/secretKeyRef/name",
                       "initContainers/env/valueFrom/secretKeyRef/name",
                       "containers/envFrom/secretRef/name", "initContainers/envFrom/secretRef/name",
                       "imagePullSecrets/name", "volumes/projected/sources/secret/name"})};
    secret.referrers.push_back({.kind = "Ingress", .path = "spec/tls/secretName"});
    secret.referrers.push_back({.kind = "ServiceAccount", .path = "imagePullSecrets/name"});
    references.push_back(std::move(secret));
    Reference service_account{"ServiceAccount", PodSpecReferrers({"serviceAccountName"})};
    references.push_back(std::move(service_account));
    references.push_back(
        {"PersistentVolumeClaim", PodSpecReferrers({"volumes/persistentVolumeClaim/claimName"})});
    references.push_back({"PriorityClass", PodSpecReferrers({"priorityClassName"})});
    references.push_back(
        {"Service",
         {{.group = "apps", .kind = "StatefulSet", .path = "spec/serviceName"},
          {.kind = "Ingress", .path = "spec/rules/http/paths/backend/service/name"},
          {.kind = "Ingress", .path = "spec/defaultBackend/service/name"},
          {.kind = "Ingress", .path = "spec/rules/http/paths/backend/serviceName"},
          {.kind = "Ingress", .path = "spec/backend/serviceName"}}});
    for (const char* kind : {"Deployment", "ReplicaSet", "StatefulSet", "ReplicationController"}) {
      references.push_back(
          {kind, {{.kind = "HorizontalPodAutoscaler", .path = "spec/scaleTargetRef/name"}}});
    }
    references.push_back(
        {"PersistentVolume", {{.kind = "PersistentVolumeClaim", .path = "spec/volumeName"}}});
    references.push_back(
        {"StorageClass",
         {{.kind = "PersistentVolume", .path = "spec/storageClassName"},
          {.kind = "PersistentVolumeClaim", .path = "spec/storageClassName"},
          {.kind = "StatefulSet", .path = "spec/volumeClaimTemplates/spec/storageClassName"}}});
    // kustomize (v5.8) has no reference from an Ingress to its IngressClass: a renamed class
    // leaves spec.ingressClassName as written.
    return references;
  }();
  return kReferences;
}

// The current name of the resource of `kind` that was once called `name`, seen from a referrer
// in `referrer_namespace`; nullopt when none or several match.
std::optional<std::string> Referral(const std::vector<Resource>& resources, const std::string& kind,
                                    const std::string& name, const std::string& referrer_namespace,
                                    bool referrer_cluster_scoped) {
  std::vector<const Resource*> candidates;
  for (const Resource& resource : resources) {
    if (resource.object.Kind() != kind) continue;
    bool had_name = resource.object.Name() == name;
    for (const ResourceId& id : resource.previous_ids) had_name = had_name || id.name == name;
    if (!had_name) continue;
    if (!referrer_cluster_scoped && !IsClusterScoped(resource.object.Gvk()) &&
        resource.object.Namespace() != referrer_namespace) {
      continue;
    }
    candidates.push_back(&resource);
  }
  if (candidates.size() != 1) return std::nullopt;
  return candidates.front()->object.Name();
}

// The ServiceAccount a binding subject names: by any name it had, in the subject's namespace
// ("" and "default" being the same) when the subject gives one.
const Resource* SubjectAccount(const std::vector<Resource>& resources, const Json& subject) {
  auto normalize = [](const std::string& name) {
    return name.empty() ? std::string("default") : name;
  };
  std::string name = subject["name"].get<std::string>();
  bool any_namespace = !subject.contains("namespace");
  std::string wanted = normalize(StringField(subject, "namespace"));
  std::vector<const Resource*> candidates;
  for (const Resource& resource : resources) {
    if (resource.object.Kind() != "ServiceAccount") continue;
    std::vector<ResourceId> ids = resource.previous_ids;
    ids.push_back(resource.CurrentId());
    bool matches = false;
    for (const ResourceId& id : ids) {
      matches =
          matches || (id.name == name && (any_namespace || normalize(id.namespace_name) == wanted));
    }
    if (matches) candidates.push_back(&resource);
  }
  return candidates.size() == 1 ? candidates.front() : nullptr;
}

// The Service once named `name` (in `namespace_name`, when given): the one match, or nullptr.
const Resource* ServiceByAnyId(const std::vector<Resource>& resources, const std::string& name,
                               const std::string& namespace_name) {
  std::vector<const Resource*> candidates;
  for (const Resource& resource : resources) {
    if (resource.object.Kind() != "Service") continue;
    std::vector<ResourceId> ids = resource.previous_ids;
    ids.push_back(resource.CurrentId());
    bool matches = false;
    for (const ResourceId& id : ids) {
      matches = matches ||
                (id.name == name &&
                 (namespace_name.empty() ||
                  (id.namespace_name.empty() ? "default" : id.namespace_name) == namespace_name));
    }
    if (matches) candidates.push_back(&resource);
  }
  return candidates.size() == 1 ? candidates.front() : nullptr;
}

}  // namespace

void FixNameReferences(std::vector<Resource>& resources) {
  // Values are computed against a snapshot so that one rename cannot feed another.
  const std::vector<Resource> snapshot = resources;
  for (Resource& resource : resources) {
    manifest::GroupVersionKind gvk = resource.object.Gvk();
    std::string referrer_namespace = resource.object.Namespace();
    bool cluster_scoped = IsClusterScoped(gvk);
    for (const Reference& reference : References()) {
      for (const FieldSpec& spec : reference.referrers) {
        if (!spec.Selects(gvk)) continue;
        VisitField(resource.object.json(), SplitFieldPath(spec.path), false, [&](Json& field) {
          if (!field.is_string()) return;
          auto renamed = Referral(snapshot, reference.kind, field.get<std::string>(),
                                  referrer_namespace, cluster_scoped);
          if (renamed) field = *renamed;
        });
      }
    }
    // RBAC: roleRef names a Role or ClusterRole; subjects name service accounts.
    Json& json = resource.object.json();
    if ((gvk.kind == "RoleBinding" || gvk.kind == "ClusterRoleBinding") &&
        json.contains("roleRef") && json["roleRef"].is_object()) {
      Json& role_ref = json["roleRef"];
      std::string kind = StringField(role_ref, "kind");
      if ((kind == "Role" || kind == "ClusterRole") && role_ref.contains("name") &&
          role_ref["name"].is_string()) {
        auto renamed = Referral(snapshot, kind, role_ref["name"].get<std::string>(),
                                referrer_namespace, kind == "ClusterRole" || cluster_scoped);
        if (renamed) role_ref["name"] = *renamed;
      }
    }
    // A rule's resourceNames name ConfigMaps or Secrets when the rule is about them.
    if ((gvk.kind == "Role" || gvk.kind == "ClusterRole") && json.contains("rules") &&
        json["rules"].is_array()) {
      for (Json& rule : json["rules"]) {
        if (!rule.is_object() || !rule.contains("resourceNames") ||
            !rule["resourceNames"].is_array() || !rule.contains("resources") ||
            !rule["resources"].is_array()) {
          continue;
        }
        for (const auto& [kind, plural] :
             {std::pair{"ConfigMap", "configmaps"}, std::pair{"Secret", "secrets"}}) {
          bool about = false;
          for (const Json& resource_type : rule["resources"]) {
            about = about || (resource_type.is_string() && resource_type == plural);
          }
          if (!about) continue;
          for (Json& name : rule["resourceNames"]) {
            if (!name.is_string()) continue;
            auto renamed = Referral(snapshot, kind, name.get<std::string>(), referrer_namespace,
                                    cluster_scoped);
            if (renamed) name = *renamed;
          }
        }
      }
    }
    // Webhooks and APIServices name their Service by name and namespace; both follow it.
    auto follow_service = [&](Json& service) {
      if (!service.is_object() || !service.contains("name") || !service["name"].is_string()) {
        return;
      }
      const Resource* found =
          ServiceByAnyId(snapshot, service["name"].get<std::string>(),
                         service.contains("namespace") ? ScalarText(service["namespace"]) : "");
      if (found == nullptr) return;
      service["name"] = found->object.Name();
      if (service.contains("namespace") && !found->object.Namespace().empty()) {
        service["namespace"] = found->object.Namespace();
      }
    };
    if (gvk.group == "admissionregistration.k8s.io" &&
        (gvk.kind == "ValidatingWebhookConfiguration" ||
         gvk.kind == "MutatingWebhookConfiguration") &&
        json.contains("webhooks") && json["webhooks"].is_array()) {
      for (Json& webhook : json["webhooks"]) {
        if (webhook.is_object() && webhook.contains("clientConfig") &&
            webhook["clientConfig"].is_object() && webhook["clientConfig"].contains("service")) {
          follow_service(webhook["clientConfig"]["service"]);
        }
      }
    }
    if (gvk.group == "apiregistration.k8s.io" && gvk.kind == "APIService" &&
        json.contains("spec") && json["spec"].is_object() && json["spec"].contains("service")) {
      follow_service(json["spec"]["service"]);
    }
    if ((gvk.kind == "RoleBinding" || gvk.kind == "ClusterRoleBinding") &&
        json.contains("subjects") && json["subjects"].is_array()) {
      for (Json& subject : json["subjects"]) {
        if (!subject.is_object() || StringField(subject, "kind") != "ServiceAccount" ||
            !subject.contains("name") || !subject["name"].is_string()) {
          continue;
        }
        const Resource* account = SubjectAccount(snapshot, subject);
        if (account == nullptr) continue;
        subject["name"] = account->object.Name();
        if (!account->object.Namespace().empty()) {
          subject["namespace"] = account->object.Namespace();
        }
      }
    }
  }
}

}  // namespace fluxcpp::kustomize
