#include "lib/kustomize/resource.h"

#include <algorithm>
#include <array>
#include <string_view>

namespace fluxcpp::kustomize {

std::string ResourceId::Describe() const {
  std::string group = gvk.group.empty() ? "[noGrp]" : gvk.group;
  std::string version = gvk.version.empty() ? "[noVer]" : gvk.version;
  std::string space = namespace_name.empty() ? "[noNs]" : namespace_name;
  return gvk.kind + "." + version + "." + group + "/" + name + "." + space;
}

std::string ResourceId::EffectiveNamespace() const {
  if (IsClusterScoped(gvk)) return "";
  return namespace_name.empty() ? "default" : namespace_name;
}

ResourceId IdOf(const manifest::Object& object) {
  return ResourceId{
      .gvk = object.Gvk(), .name = object.Name(), .namespace_name = object.Namespace()};
}

ResourceId Resource::CurrentId() const { return IdOf(object); }

void Resource::RememberId() {
  ResourceId id = CurrentId();
  if (previous_ids.empty() || !(previous_ids.back() == id)) previous_ids.push_back(id);
}

bool IsClusterScoped(const manifest::GroupVersionKind& gvk) {
  // The built-in cluster-scoped kinds kustomize's OpenAPI data knows of.
  static constexpr std::array<std::string_view, 24> kKinds = {
      "APIService",
      "CSIDriver",
      "CSINode",
      "CertificateSigningRequest",
      "ClusterRole",
      "ClusterRoleBinding",
      "ComponentStatus",
      "CustomResourceDefinition",
      "IngressClass",
      "MutatingWebhookConfiguration",
      "Namespace",
      "Node",
      "PersistentVolume",
      "PodSecurityPolicy",
      "PriorityClass",
      "RuntimeClass",
      "SelfSubjectAccessReview",
      "SelfSubjectRulesReview",
      "StorageClass",
      "SubjectAccessReview",
      "TokenReview",
      "ValidatingAdmissionPolicy",
      "ValidatingWebhookConfiguration",
      "VolumeAttachment",
  };
  return std::find(kKinds.begin(), kKinds.end(), gvk.kind) != kKinds.end();
}

}  // namespace fluxcpp::kustomize
