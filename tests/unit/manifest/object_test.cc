#include "lib/manifest/object.h"

#include <catch2/catch.hpp>

namespace fluxcpp::manifest {
namespace {

Object Deployment() {
  return Object(Json::parse(R"({"apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "web", "namespace": "apps", "labels": {"app": "web"},
                 "annotations": {"note": "kept", "count": 3}}})"),
                SourceLocation{.file = "apps/web.yaml", .document = 1, .line = 12});
}

TEST_CASE("the group, version and kind come from apiVersion and kind") {
  CHECK(Deployment().Gvk() == GroupVersionKind{"apps", "v1", "Deployment"});
  Object config_map(Json::parse(R"({"apiVersion": "v1", "kind": "ConfigMap"})"));
  CHECK(config_map.Gvk() == GroupVersionKind{"", "v1", "ConfigMap"});
  CHECK(config_map.Gvk().ApiVersion() == "v1");
  CHECK(Deployment().Gvk().ApiVersion() == "apps/v1");
  CHECK(Deployment().Gvk().Describe() == "Deployment.v1.apps");
}

TEST_CASE("the identity is Flux's inventory format") {
  CHECK(Deployment().Identity() == "apps_web_apps_Deployment");
  Object role(Json::parse(
      R"({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "reader"}})"));
  CHECK(role.Identity() == "_reader_rbac.authorization.k8s.io_ClusterRole");
  Object namespace_object(
      Json::parse(R"({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "apps"}})"));
  CHECK(namespace_object.Identity() == "_apps__Namespace");
}

TEST_CASE("labels and annotations read as string maps, ignoring non-strings") {
  Object web = Deployment();
  CHECK(web.Labels() == std::map<std::string, std::string>{{"app", "web"}});
  CHECK(web.Annotations() == std::map<std::string, std::string>{{"note", "kept"}});
  CHECK(web.Label("app") == "web");
  CHECK(web.Label("missing").empty());
  web.SetLabel("tier", "front");
  web.SetAnnotation("fluxcd.io/ignore", "false");
  CHECK(web.Label("tier") == "front");
  CHECK(web.Annotation("fluxcd.io/ignore") == "false");
}

TEST_CASE("missing metadata reads as empty, and setters create it") {
  Object bare(Json::parse(R"({"apiVersion": "v1", "kind": "Secret"})"));
  CHECK(bare.Name().empty());
  CHECK(bare.Namespace().empty());
  CHECK(bare.Labels().empty());
  bare.SetNamespace("vault");
  CHECK(bare.Namespace() == "vault");
  Object not_a_map(Json::array());
  CHECK(not_a_map.Kind().empty());
}

TEST_CASE("descriptions name the object and where it came from") {
  CHECK(Deployment().Describe() == "Deployment/apps/web");
  CHECK(Deployment().source().Describe() == "apps/web.yaml: document 2, line 12");
  CHECK(SourceLocation{.file = "a.yaml", .document = 0, .line = 3, .column = 7}.Describe() ==
        "a.yaml: document 1, line 3, column 7");
}

}  // namespace
}  // namespace fluxcpp::manifest
