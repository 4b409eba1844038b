#include <array>
#include <string_view>

#include "lib/kube/apply.h"

namespace fluxcpp::kube {
namespace {

// Kinds that others depend on go first, webhooks last, so that a webhook never rejects the objects
// applied with it (the order kustomize-controller uses).
constexpr std::array<std::string_view, 22> kKindOrder = {"CustomResourceDefinition",
                                                         "Namespace",
                                                         "ClusterRole",
                                                         "ClusterRoleBinding",
                                                         "ResourceQuota",
                                                         "ServiceAccount",
                                                         "Role",
                                                         "RoleBinding",
                                                         "ConfigMap",
                                                         "Secret",
                                                         "Service",
                                                         "LimitRange",
                                                         "PriorityClass",
                                                         "Deployment",
                                                         "StatefulSet",
                                                         "DaemonSet",
                                                         "Job",
                                                         "CronJob",
                                                         "Ingress",
                                                         "PodDisruptionBudget",
                                                         "APIService",
                                                         "HorizontalPodAutoscaler"};
constexpr std::array<std::string_view, 2> kLastKinds = {"MutatingWebhookConfiguration",
                                                        "ValidatingWebhookConfiguration"};

int RankOf(std::string_view kind) {
  for (size_t i = 0; i < kKindOrder.size(); ++i) {
    if (kKindOrder[i] == kind) return static_cast<int>(i);
  }
  for (size_t i = 0; i < kLastKinds.size(); ++i) {
    if (kLastKinds[i] == kind) return 1000 + static_cast<int>(i);
  }
  return static_cast<int>(kKindOrder.size());  // other kinds, custom resources among them
}

}  // namespace

ApplyOrder OrderOf(const GroupVersionKind& gvk) {
  const std::string& kind = gvk.kind;
  bool first_stage = (kind == "CustomResourceDefinition" && gvk.group == "apiextensions.k8s.io") ||
                     (kind == "Namespace" && gvk.group.empty()) ||
                     (kind == "ClusterRole" && gvk.group == "rbac.authorization.k8s.io");
  if (first_stage) return {0, RankOf(kind)};
  if (kind.size() > 5 && kind.ends_with("Class")) return {1, RankOf(kind)};
  return {2, RankOf(kind)};
}

}  // namespace fluxcpp::kube
