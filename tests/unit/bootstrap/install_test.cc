// GenerateInstall: the golden default install, labels, the reconciler Deployment, options, and the
// embedded CRDs.
#include <catch2/catch.hpp>
#include <set>

#include "absl/strings/match.h"
#include "bootstrap/manifests.h"
#include "lib/manifest/yaml.h"
#include "tests/unit/bootstrap/golden.h"

namespace fluxcpp::bootstrap {
namespace {

using manifest::Json;
using manifest::Object;

std::vector<Object> Install(const InstallOptions& options = {}) {
  auto objects = GenerateInstall(options);
  INFO(objects.status().ToString());
  REQUIRE(objects.ok());
  return *objects;
}

const Object& Find(const std::vector<Object>& objects, const std::string& kind,
                   const std::string& name) {
  for (const Object& object : objects) {
    if (object.Kind() == kind && object.Name() == name) return object;
  }
  FAIL("no " << kind << "/" << name);
  throw std::logic_error("unreachable");
}

int Count(const std::vector<Object>& objects, const std::string& kind) {
  int count = 0;
  for (const Object& object : objects) count += object.Kind() == kind;
  return count;
}

TEST_CASE("the default install matches its golden file", "[golden]") {
  fluxcpp::testing::CheckGolden("install-default.yaml", manifest::ToYaml(Install()));
}

TEST_CASE("the same options give byte-identical output") {
  InstallOptions options;
  options.toleration_keys = {"zeta", "alpha", "mid"};
  options.image_pull_secret = "regcred";
  std::string first = manifest::ToYaml(Install(options));
  for (int i = 0; i < 3; ++i) CHECK(manifest::ToYaml(Install(options)) == first);
}

TEST_CASE("the install set holds every object of the bootstrap layout") {
  std::vector<Object> objects = Install();
  std::vector<std::string> kinds;
  for (const Object& object : objects) kinds.push_back(object.Kind() + "/" + object.Name());
  CHECK(kinds == std::vector<std::string>{
                     "Namespace/flux-system",
                     "ResourceQuota/critical-pods-flux-system",
                     "NetworkPolicy/allow-egress",
                     "NetworkPolicy/allow-scraping",
                     "NetworkPolicy/allow-webhooks",
                     "CustomResourceDefinition/gitrepositories.source.toolkit.fluxcd.io",
                     "CustomResourceDefinition/kustomizations.kustomize.toolkit.fluxcd.io",
                     "ServiceAccount/flux-reconciler",
                     "ClusterRole/crd-controller-flux-system",
                     "ClusterRoleBinding/crd-controller-flux-system",
                     "ClusterRoleBinding/cluster-reconciler-flux-system",
                     "ClusterRole/flux-edit-flux-system",
                     "ClusterRole/flux-view-flux-system",
                     "Service/flux-reconciler",
                     "Deployment/flux-reconciler",
                 });
}

TEST_CASE("every object carries the common labels, and namespaced ones the namespace") {
  InstallOptions options;
  options.namespace_name = "gitops";
  options.version = "v0.2.0-rc.1";
  for (const Object& object : Install(options)) {
    INFO(object.Describe());
    CHECK(object.Label("app.kubernetes.io/part-of") == "flux");
    CHECK(object.Label("app.kubernetes.io/instance") == "gitops");
    CHECK(object.Label("app.kubernetes.io/version") == "v0.2.0-rc.1");
    bool cluster_scoped = object.Kind() == "Namespace" || object.Kind() == "ClusterRole" ||
                          object.Kind() == "ClusterRoleBinding" ||
                          object.Kind() == "CustomResourceDefinition";
    CHECK(object.Namespace() == (cluster_scoped ? "" : "gitops"));
  }
}

TEST_CASE("the namespace warns about pods that are not restricted") {
  std::vector<Object> objects = Install();
  const Object& ns = Find(objects, "Namespace", "flux-system");
  CHECK(ns.Label("pod-security.kubernetes.io/warn") == "restricted");
  CHECK(ns.Label("pod-security.kubernetes.io/warn-version") == "latest");
}

TEST_CASE("flux-edit and flux-view aggregate into the built-in roles as Flux's do") {
  InstallOptions options;
  options.namespace_name = "tenant-a";
  std::vector<Object> objects = Install(options);
  const Json groups = {"notification.toolkit.fluxcd.io", "source.toolkit.fluxcd.io",
                       "source.extensions.fluxcd.io",    "helm.toolkit.fluxcd.io",
                       "image.toolkit.fluxcd.io",        "kustomize.toolkit.fluxcd.io"};
  struct Expected {
    const char* name;
    std::vector<std::string> aggregate_to;
    Json verbs;
  };
  for (const Expected& expected :
       {Expected{"flux-edit-tenant-a",
                 {"admin", "edit"},
                 {"create", "delete", "deletecollection", "patch", "update"}},
        Expected{"flux-view-tenant-a", {"admin", "edit", "view"}, {"get", "list", "watch"}}}) {
    INFO(expected.name);
    const Object& role = Find(objects, "ClusterRole", expected.name);
    std::vector<std::string> aggregated;
    for (const auto& [key, value] : role.Labels()) {
      if (absl::StartsWith(key, "rbac.authorization.k8s.io/aggregate-to-")) {
        CHECK(value == "true");
        aggregated.push_back(
            key.substr(std::string("rbac.authorization.k8s.io/aggregate-to-").size()));
      }
    }
    CHECK(aggregated == expected.aggregate_to);  // Labels() is a sorted map
    CHECK(role.Label(kInstanceLabel) == "tenant-a");
    REQUIRE(role.json()["rules"].size() == 1);
    const Json& rule = role.json()["rules"][0];
    CHECK(rule["apiGroups"] == groups);
    CHECK(rule["resources"] == Json::array({"*"}));
    CHECK(rule["verbs"] == expected.verbs);
  }
}

TEST_CASE("cluster-scoped names carry the namespace so two installs do not collide") {
  InstallOptions options;
  options.namespace_name = "tenant-a";
  std::vector<Object> objects = Install(options);
  const Object& role = Find(objects, "ClusterRole", "crd-controller-tenant-a");
  const Object& binding = Find(objects, "ClusterRoleBinding", "crd-controller-tenant-a");
  CHECK(binding.json()["roleRef"]["name"] == "crd-controller-tenant-a");
  CHECK(binding.json()["subjects"][0] ==
        Json{{"kind", "ServiceAccount"}, {"name", "flux-reconciler"}, {"namespace", "tenant-a"}});
  const Object& admin = Find(objects, "ClusterRoleBinding", "cluster-reconciler-tenant-a");
  CHECK(admin.json()["roleRef"]["name"] == "cluster-admin");
  Find(objects, "ResourceQuota", "critical-pods-tenant-a");

  std::set<std::string> granted;
  for (const Json& rule : role.json()["rules"]) {
    for (const Json& group : rule["apiGroups"]) {
      for (const Json& resource : rule["resources"]) {
        for (const Json& verb : rule["verbs"]) {
          granted.insert(group.get<std::string>() + "/" + resource.get<std::string>() + ":" +
                         verb.get<std::string>());
        }
      }
    }
  }
  for (const char* expected :
       {"source.toolkit.fluxcd.io/gitrepositories:*",
        "source.toolkit.fluxcd.io/gitrepositories/status:*",
        "source.toolkit.fluxcd.io/gitrepositories/finalizers:*",
        "kustomize.toolkit.fluxcd.io/kustomizations:*",
        "kustomize.toolkit.fluxcd.io/kustomizations/status:*",
        "kustomize.toolkit.fluxcd.io/kustomizations/finalizers:*", "/namespaces:watch",
        "/secrets:list", "/configmaps:get", "/serviceaccounts:watch", "/events:create",
        "/events:patch", "coordination.k8s.io/leases:update", "/serviceaccounts/token:create"}) {
    INFO(expected);
    CHECK(granted.contains(expected));
  }
}

TEST_CASE("the reconciler Deployment runs restricted with probes, ports and resources") {
  std::vector<Object> objects = Install();
  const Object& deployment = Find(objects, "Deployment", "flux-reconciler");
  const Json& pod = deployment.json()["spec"]["template"]["spec"];
  CHECK(pod["serviceAccountName"] == "flux-reconciler");
  CHECK(pod["priorityClassName"] == "system-cluster-critical");
  CHECK_FALSE(pod.contains("tolerations"));
  CHECK_FALSE(pod.contains("imagePullSecrets"));
  REQUIRE(pod["containers"].size() == 1);
  const Json& container = pod["containers"][0];
  CHECK(container["image"] == "ghcr.io/fluxcpp/flux-reconciler:v0.1.0");
  CHECK(container["args"] == Json::array({"--log-level=info", "--watch-all-namespaces=true",
                                          "--cluster-domain=cluster.local"}));
  const Json& security = container["securityContext"];
  CHECK(security["runAsNonRoot"] == true);
  CHECK(security["readOnlyRootFilesystem"] == true);
  CHECK(security["allowPrivilegeEscalation"] == false);
  CHECK(security["capabilities"]["drop"] == Json::array({"ALL"}));
  CHECK(security["seccompProfile"]["type"] == "RuntimeDefault");
  CHECK(container["livenessProbe"]["httpGet"] == Json{{"path", "/healthz"}, {"port", "healthz"}});
  CHECK(container["readinessProbe"]["httpGet"] == Json{{"path", "/readyz"}, {"port", "healthz"}});
  std::map<std::string, int> ports;
  for (const Json& port : container["ports"]) ports[port["name"]] = port["containerPort"];
  CHECK(ports ==
        std::map<std::string, int>{{"healthz", 9440}, {"http", 9090}, {"http-prom", 8080}});
  CHECK(container["resources"]["requests"] == Json{{"cpu", "50m"}, {"memory", "32Mi"}});
  CHECK(container["resources"]["limits"] == Json{{"cpu", "1000m"}, {"memory", "256Mi"}});
  CHECK(deployment.json()["spec"]["selector"]["matchLabels"] ==
        deployment.json()["spec"]["template"]["metadata"]["labels"]);
}

TEST_CASE("install options reach the Deployment") {
  InstallOptions options;
  options.registry = "registry.example.com/mirror";
  options.version = "v0.3.1";
  options.log_level = "debug";
  options.watch_all_namespaces = false;
  options.cluster_domain = "corp.internal";
  options.image_pull_secret = "regcred";
  options.toleration_keys = {"dedicated", "CriticalAddonsOnly"};
  std::vector<Object> objects = Install(options);
  const Object& deployment = Find(objects, "Deployment", "flux-reconciler");
  const Json& pod = deployment.json()["spec"]["template"]["spec"];
  const Json& container = pod["containers"][0];
  CHECK(container["image"] == "registry.example.com/mirror/flux-reconciler:v0.3.1");
  CHECK(container["args"] == Json::array({"--log-level=debug", "--watch-all-namespaces=false",
                                          "--cluster-domain=corp.internal"}));
  CHECK(pod["imagePullSecrets"] == Json::array({{{"name", "regcred"}}}));
  CHECK(pod["tolerations"] == Json::array({{{"key", "CriticalAddonsOnly"}, {"operator", "Exists"}},
                                           {{"key", "dedicated"}, {"operator", "Exists"}}}));
}

TEST_CASE("the artifact Service forwards port 80 to the artifact server") {
  std::vector<Object> objects = Install();
  const Object& service = Find(objects, "Service", "flux-reconciler");
  CHECK(service.json()["spec"]["selector"] == Json{{"app", "flux-reconciler"}});
  CHECK(service.json()["spec"]["ports"][0]["port"] == 80);
  CHECK(service.json()["spec"]["ports"][0]["targetPort"] == "http");
}

TEST_CASE("network policies follow network_policy") {
  std::vector<Object> with = Install();
  CHECK(Count(with, "NetworkPolicy") == 3);
  CHECK(Find(with, "NetworkPolicy", "allow-scraping")
            .json()["spec"]["ingress"][0]["ports"][0]["port"] == 8080);
  CHECK(Find(with, "NetworkPolicy", "allow-webhooks")
            .json()["spec"]["ingress"][0]["ports"][0]["port"] == 9292);
  InstallOptions options;
  options.network_policy = false;
  CHECK(Count(Install(options), "NetworkPolicy") == 0);
}

// Every schema node must say its type (a structural schema), and every property must say what it
// is, so that the API server validates and `kubectl explain` explains.
void CheckStructural(const Json& schema, const std::string& path, int& checked) {
  INFO(path);
  ++checked;
  bool typed = schema.contains("type") || schema.value("x-kubernetes-int-or-string", false);
  CHECK(typed);
  if (schema.contains("properties")) {
    for (const auto& [name, property] : schema["properties"].items()) {
      if (name != "metadata") {
        INFO(path + "." + name);
        CHECK(property.contains("description"));
      }
      CheckStructural(property, path + "." + name, checked);
    }
  }
  if (schema.contains("items")) CheckStructural(schema["items"], path + "[]", checked);
  if (schema.contains("additionalProperties")) {
    REQUIRE(schema["additionalProperties"].contains("type"));
  }
  if (schema.contains("required")) {
    for (const Json& required : schema["required"]) {
      CHECK(schema["properties"].contains(required.get<std::string>()));
    }
  }
}

TEST_CASE("the CRDs are structural, described, and shaped like Flux's") {
  std::vector<Object> objects = Install();
  struct Expected {
    const char* name;
    const char* short_name;
    std::vector<std::string> required;
  };
  for (const Expected& expected :
       {Expected{"gitrepositories.source.toolkit.fluxcd.io", "gitrepo", {"interval", "url"}},
        Expected{"kustomizations.kustomize.toolkit.fluxcd.io",
                 "ks",
                 {"interval", "prune", "sourceRef"}}}) {
    INFO(expected.name);
    const Object& crd = Find(objects, "CustomResourceDefinition", expected.name);
    const Json& spec = crd.json()["spec"];
    CHECK(spec["scope"] == "Namespaced");
    CHECK(spec["names"]["shortNames"] == Json::array({expected.short_name}));
    REQUIRE(spec["versions"].size() == 1);
    const Json& version = spec["versions"][0];
    CHECK(version["name"] == "v1");
    CHECK(version["served"] == true);
    CHECK(version["storage"] == true);
    CHECK(version["subresources"] == Json{{"status", Json::object()}});
    std::set<std::string> columns;
    for (const Json& column : version["additionalPrinterColumns"]) columns.insert(column["name"]);
    CHECK(columns.contains("Ready"));
    CHECK(columns.contains("Status"));
    CHECK(columns.contains("Age"));
    const Json& schema = version["schema"]["openAPIV3Schema"];
    CHECK(schema["properties"]["spec"]["required"].get<std::vector<std::string>>() ==
          expected.required);
    int checked = 0;
    CheckStructural(schema, "", checked);
    CHECK(checked > 60);
  }
}

TEST_CASE("the CRD schemas carry Flux's patterns, enums and defaults") {
  std::vector<Object> objects = Install();
  const Json& git =
      Find(objects, "CustomResourceDefinition", "gitrepositories.source.toolkit.fluxcd.io")
          .json()["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"];
  const Json& git_spec = git["spec"]["properties"];
  CHECK(git_spec["url"]["pattern"] == "^(http|https|ssh)://.*$");
  CHECK(git_spec["interval"]["pattern"] == "^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$");
  CHECK(git_spec["timeout"]["default"] == "60s");
  CHECK(git_spec["provider"]["enum"] == Json::array({"generic", "aws", "azure", "github"}));
  CHECK(git_spec["verify"]["properties"]["mode"]["enum"] ==
        Json::array({"head", "HEAD", "Tag", "TagAndHEAD"}));
  for (const char* ref : {"branch", "tag", "semver", "name", "commit"}) {
    CHECK(git_spec["ref"]["properties"].contains(ref));
  }
  for (const char* field :
       {"observedGeneration", "conditions", "artifact", "includedArtifacts", "observedIgnore",
        "observedRecurseSubmodules", "observedInclude", "observedSparseCheckout",
        "sourceVerificationMode", "lastHandledReconcileAt"}) {
    INFO(field);
    CHECK(git["status"]["properties"].contains(field));
  }
  CHECK(git["status"]["default"] == Json{{"observedGeneration", -1}});

  const Json& ks =
      Find(objects, "CustomResourceDefinition", "kustomizations.kustomize.toolkit.fluxcd.io")
          .json()["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"];
  const Json& ks_spec = ks["spec"]["properties"];
  CHECK(ks_spec["sourceRef"]["properties"]["kind"]["enum"] ==
        Json::array({"OCIRepository", "GitRepository", "Bucket", "ExternalArtifact"}));
  CHECK(ks_spec["deletionPolicy"]["enum"] ==
        Json::array({"MirrorPrune", "Delete", "WaitForTermination", "Orphan"}));
  CHECK(
      ks_spec["postBuild"]["properties"]["substituteFrom"]["items"]["properties"]["kind"]["enum"] ==
      Json::array({"Secret", "ConfigMap"}));
  CHECK(ks_spec["decryption"]["properties"]["provider"]["enum"] == Json::array({"sops"}));
  CHECK(ks_spec["targetNamespace"]["maxLength"] == 63);
  for (const char* field : {"sourceRef",
                            "path",
                            "interval",
                            "retryInterval",
                            "timeout",
                            "prune",
                            "deletionPolicy",
                            "wait",
                            "healthChecks",
                            "healthCheckExprs",
                            "dependsOn",
                            "force",
                            "targetNamespace",
                            "namePrefix",
                            "nameSuffix",
                            "patches",
                            "images",
                            "components",
                            "ignoreMissingComponents",
                            "commonMetadata",
                            "buildMetadata",
                            "postBuild",
                            "decryption",
                            "serviceAccountName",
                            "kubeConfig",
                            "suspend",
                            "ignore"}) {
    INFO(field);
    CHECK(ks_spec.contains(field));
  }
  for (const char* field :
       {"observedGeneration", "conditions", "lastAppliedRevision", "lastAppliedOriginRevision",
        "lastAttemptedRevision", "lastHandledReconcileAt", "history", "inventory"}) {
    INFO(field);
    CHECK(ks["status"]["properties"].contains(field));
  }
  CHECK(ks["status"]["properties"]["inventory"]["properties"]["entries"]["items"]["required"] ==
        Json::array({"id", "v"}));
}

}  // namespace
}  // namespace fluxcpp::bootstrap
