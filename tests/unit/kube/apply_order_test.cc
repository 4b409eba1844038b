#include <catch2/catch.hpp>

#include "lib/kube/apply.h"

namespace fluxcpp::kube {
namespace {

TEST_CASE("CRDs, Namespaces and ClusterRoles go first, Class kinds second, the rest last") {
  CHECK(OrderOf({"apiextensions.k8s.io", "v1", "CustomResourceDefinition"}).stage == 0);
  CHECK(OrderOf({"", "v1", "Namespace"}).stage == 0);
  CHECK(OrderOf({"rbac.authorization.k8s.io", "v1", "ClusterRole"}).stage == 0);
  CHECK(OrderOf({"storage.k8s.io", "v1", "StorageClass"}).stage == 1);
  CHECK(OrderOf({"networking.k8s.io", "v1", "IngressClass"}).stage == 1);
  CHECK(OrderOf({"apps", "v1", "Deployment"}).stage == 2);
  CHECK(OrderOf({"example.com", "v1", "Namespace"}).stage == 2);  // only the core Namespace
  CHECK(OrderOf({"example.com", "v1", "Class"}).stage == 2);  // "Class" alone is not a *Class kind
}

TEST_CASE("within a stage, kinds others depend on come first and webhooks last") {
  auto rank = [](const char* group, const char* kind) { return OrderOf({group, "v1", kind}).rank; };
  CHECK(rank("", "ServiceAccount") < rank("rbac.authorization.k8s.io", "RoleBinding"));
  CHECK(rank("", "ConfigMap") < rank("apps", "Deployment"));
  CHECK(rank("", "Secret") < rank("apps", "Deployment"));
  CHECK(rank("apps", "Deployment") < rank("example.com", "Widget"));
  CHECK(rank("example.com", "Widget") <
        rank("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"));
}

TEST_CASE("a change set summarises its actions in a fixed order") {
  ChangeSet set;
  CHECK(set.Summary() == "nothing to do");
  set.changes = {{"ConfigMap/a/x", "a_x__ConfigMap", "v1", Action::kUnchanged},
                 {"ConfigMap/a/y", "a_y__ConfigMap", "v1", Action::kCreated},
                 {"ConfigMap/a/z", "a_z__ConfigMap", "v1", Action::kUnchanged}};
  CHECK(set.Summary() == "1 created, 2 unchanged");
  CHECK(set.Count(Action::kDeleted) == 0);
  CHECK(ToString(Action::kConfigured) == "configured");
}

}  // namespace
}  // namespace fluxcpp::kube
