#include "lib/kustomize/resource_order.h"

#include <catch2/catch.hpp>

namespace fluxcpp::kustomize {
namespace {

ResourceId Id(std::string group, std::string kind, std::string name, std::string ns = "") {
  return ResourceId{.gvk = {.group = std::move(group), .version = "v1", .kind = std::move(kind)},
                    .name = std::move(name),
                    .namespace_name = std::move(ns)};
}

TEST_CASE("Namespaces come first and webhook configurations last") {
  CHECK(LegacyLess(Id("", "Namespace", "z"), Id("", "ServiceAccount", "a")));
  CHECK(LegacyLess(Id("apps", "Deployment", "a"), Id("example.com", "Widget", "a")));
  CHECK(LegacyLess(Id("example.com", "Widget", "a"),
                   Id("admissionregistration.k8s.io", "MutatingWebhookConfiguration", "a")));
  CHECK(LegacyLess(Id("admissionregistration.k8s.io", "MutatingWebhookConfiguration", "z"),
                   Id("admissionregistration.k8s.io", "ValidatingWebhookConfiguration", "a")));
}

TEST_CASE("kinds outside the fixed lists sort by group, version and kind") {
  // "~G" (the core group) sorts after every named group.
  CHECK(LegacyLess(Id("batch", "Job", "a"), Id("", "Pod", "a")));
  CHECK(LegacyLess(Id("apps", "DaemonSet", "a"), Id("batch", "Job", "a")));
}

TEST_CASE("resources of one kind sort by namespace, then name") {
  CHECK(LegacyLess(Id("", "ConfigMap", "b", "apps"), Id("", "ConfigMap", "a", "zeta")));
  // No namespace is "~X", after every lower-case namespace.
  CHECK(LegacyLess(Id("", "ConfigMap", "z", "apps"), Id("", "ConfigMap", "a")));
}

}  // namespace
}  // namespace fluxcpp::kustomize
