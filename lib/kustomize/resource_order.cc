#include "lib/kustomize/resource_order.h"

#include <algorithm>
#include <array>
#include <string_view>

namespace fluxcpp::kustomize {
namespace {

constexpr std::array<std::string_view, 22> kOrderFirst = {"Namespace",
                                                          "ResourceQuota",
                                                          "StorageClass",
                                                          "CustomResourceDefinition",
                                                          "ServiceAccount",
                                                          "PodSecurityPolicy",
                                                          "Role",
                                                          "ClusterRole",
                                                          "RoleBinding",
                                                          "ClusterRoleBinding",
                                                          "ConfigMap",
                                                          "Secret",
                                                          "Endpoints",
                                                          "Service",
                                                          "LimitRange",
                                                          "PriorityClass",
                                                          "PersistentVolume",
                                                          "PersistentVolumeClaim",
                                                          "Deployment",
                                                          "StatefulSet",
                                                          "CronJob",
                                                          "PodDisruptionBudget"};
constexpr std::array<std::string_view, 2> kOrderLast = {"MutatingWebhookConfiguration",
                                                        "ValidatingWebhookConfiguration"};

int Rank(const std::string& kind) {
  for (size_t i = 0; i < kOrderFirst.size(); ++i) {
    if (kOrderFirst[i] == kind) return static_cast<int>(i) - static_cast<int>(kOrderFirst.size());
  }
  for (size_t i = 0; i < kOrderLast.size(); ++i) {
    if (kOrderLast[i] == kind) return static_cast<int>(i) + 1;
  }
  return 0;
}

std::string GvkSortKey(const manifest::GroupVersionKind& gvk) {
  return (gvk.group.empty() ? "~G" : gvk.group) + "_" + (gvk.version.empty() ? "~V" : gvk.version) +
         "_" + (gvk.kind.empty() ? "~K" : gvk.kind);
}

std::string NameSortKey(const ResourceId& id) {
  return (id.namespace_name.empty() ? "~X" : id.namespace_name) + "|" +
         (id.name.empty() ? "~N" : id.name);
}

}  // namespace

bool LegacyLess(const ResourceId& a, const ResourceId& b) {
  if (!(a.gvk == b.gvk)) {
    int rank_a = Rank(a.gvk.kind), rank_b = Rank(b.gvk.kind);
    if (rank_a != rank_b) return rank_a < rank_b;
    return GvkSortKey(a.gvk) < GvkSortKey(b.gvk);
  }
  return NameSortKey(a) < NameSortKey(b);
}

void SortLegacy(std::vector<Resource>& resources) {
  std::stable_sort(resources.begin(), resources.end(), [](const Resource& a, const Resource& b) {
    return LegacyLess(a.CurrentId(), b.CurrentId());
  });
}

}  // namespace fluxcpp::kustomize
