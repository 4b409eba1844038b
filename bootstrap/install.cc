// GenerateInstall: the objects of gotk-components.yaml.
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "bootstrap/embedded_files.h"
#include "bootstrap/manifests.h"
#include "lib/manifest/yaml.h"

namespace fluxcpp::bootstrap {
namespace {

using manifest::Json;
using manifest::Object;

constexpr char kReconcilerName[] = "flux-reconciler";
constexpr char kPriorityClass[] = "system-cluster-critical";
constexpr int kArtifactPort = 9090;
constexpr int kMetricsPort = 8080;
constexpr int kHealthPort = 9440;
constexpr int kWebhookPort = 9292;
const char* const kFluxApiGroups[] = {"source.toolkit.fluxcd.io", "kustomize.toolkit.fluxcd.io"};

// The labels every install object carries, then `extra`.
Json Labels(const InstallOptions& options, const Json& extra = Json::object()) {
  Json labels = {{kPartOfLabel, "flux"},
                 {kInstanceLabel, options.namespace_name},
                 {kVersionLabel, options.ResolvedVersion()}};
  for (const auto& [key, value] : extra.items()) labels[key] = value;
  return labels;
}

// Labels of the objects that belong to the reconciler itself (its Deployment, Service, account).
Json ReconcilerLabels(const InstallOptions& options) {
  return Labels(
      options, {{"app.kubernetes.io/component", kReconcilerName}, {"control-plane", "controller"}});
}

Json Metadata(const std::string& name, const std::string& namespace_name, Json labels) {
  Json metadata = {{"name", name}};
  if (!namespace_name.empty()) metadata["namespace"] = namespace_name;
  metadata["labels"] = std::move(labels);
  return metadata;
}

Object NamespaceObject(const InstallOptions& options) {
  return Object(
      Json{{"apiVersion", "v1"},
           {"kind", "Namespace"},
           {"metadata",
            Metadata(options.namespace_name, "",
                     Labels(options, {{"pod-security.kubernetes.io/warn", "restricted"},
                                      {"pod-security.kubernetes.io/warn-version", "latest"}}))}});
}

// Pods of a critical priority class outside kube-system need a quota that admits them.
Object CriticalPodsQuota(const InstallOptions& options) {
  return Object(Json{
      {"apiVersion", "v1"},
      {"kind", "ResourceQuota"},
      {"metadata", Metadata("critical-pods-" + options.namespace_name, options.namespace_name,
                            Labels(options))},
      {"spec",
       {{"hard", {{"pods", "1000"}}},
        {"scopeSelector",
         {{"matchExpressions", Json::array({{{"operator", "In"},
                                             {"scopeName", "PriorityClass"},
                                             {"values", Json::array({"system-node-critical",
                                                                     kPriorityClass})}}})}}}}}});
}

Object NetworkPolicy(const InstallOptions& options, const std::string& name, Json spec) {
  return Object(Json{{"apiVersion", "networking.k8s.io/v1"},
                     {"kind", "NetworkPolicy"},
                     {"metadata", Metadata(name, options.namespace_name, Labels(options))},
                     {"spec", std::move(spec)}});
}

std::vector<Object> NetworkPolicies(const InstallOptions& options) {
  Json any_namespace = Json::array({{{"namespaceSelector", Json::object()}}});
  auto tcp = [](int port) { return Json::array({{{"port", port}, {"protocol", "TCP"}}}); };
  return {
      // Pods of the namespace talk to each other (artifact downloads) and to anything outside.
      NetworkPolicy(
          options, "allow-egress",
          {{"podSelector", Json::object()},
           {"policyTypes", Json::array({"Ingress", "Egress"})},
           {"ingress", Json::array({{{"from", Json::array({{{"podSelector", Json::object()}}})}}})},
           {"egress", Json::array({Json::object()})}}),
      // Prometheus, wherever it runs, reads the metrics port.
      NetworkPolicy(
          options, "allow-scraping",
          {{"podSelector", Json::object()},
           {"policyTypes", Json::array({"Ingress"})},
           {"ingress", Json::array({{{"from", any_namespace}, {"ports", tcp(kMetricsPort)}}})}}),
      // Webhook receivers reach the reconciler from any namespace.
      NetworkPolicy(
          options, "allow-webhooks",
          {{"podSelector", {{"matchLabels", {{"app", kReconcilerName}}}}},
           {"policyTypes", Json::array({"Ingress"})},
           {"ingress", Json::array({{{"from", any_namespace}, {"ports", tcp(kWebhookPort)}}})}}),
  };
}

absl::StatusOr<std::vector<Object>> CustomResourceDefinitions(const InstallOptions& options) {
  const Json labels = Labels(options);
  std::vector<Object> crds;
  for (const EmbeddedFile& file : EmbeddedCrdFiles()) {
    auto objects = manifest::ReadObjects(file.content, "bootstrap/crds/" + std::string(file.name));
    if (!objects.ok()) return objects.status();
    for (Object& crd : *objects) {
      for (const auto& [key, value] : labels.items()) {
        crd.SetLabel(key, value.get<std::string>());
      }
      crds.push_back(std::move(crd));
    }
  }
  return crds;
}

Object ServiceAccount(const InstallOptions& options) {
  return Object(Json{
      {"apiVersion", "v1"},
      {"kind", "ServiceAccount"},
      {"metadata", Metadata(kReconcilerName, options.namespace_name, ReconcilerLabels(options))}});
}

Json Rule(const Json& api_groups, const Json& resources, const Json& verbs) {
  return {{"apiGroups", api_groups}, {"resources", resources}, {"verbs", verbs}};
}

Object ControllerClusterRole(const InstallOptions& options) {
  Json rules = Json::array();
  rules.push_back(Rule({kFluxApiGroups[0]},
                       {"gitrepositories", "gitrepositories/status", "gitrepositories/finalizers"},
                       {"*"}));
  rules.push_back(Rule({kFluxApiGroups[1]},
                       {"kustomizations", "kustomizations/status", "kustomizations/finalizers"},
                       {"*"}));
  rules.push_back(Rule({""}, {"namespaces", "secrets", "configmaps", "serviceaccounts"},
                       {"get", "list", "watch"}));
  rules.push_back(Rule({""}, {"events"}, {"create", "patch"}));
  rules.push_back(Rule({"events.k8s.io"}, {"events"}, {"create", "patch"}));
  rules.push_back(Rule({"coordination.k8s.io"}, {"leases"},
                       {"get", "list", "watch", "create", "update", "patch", "delete"}));
  rules.push_back(Rule({""}, {"serviceaccounts/token"}, {"create"}));
  return Object(
      Json{{"apiVersion", "rbac.authorization.k8s.io/v1"},
           {"kind", "ClusterRole"},
           {"metadata", Metadata("crd-controller-" + options.namespace_name, "", Labels(options))},
           {"rules", std::move(rules)}});
}

// Flux's aggregated roles: the built-in admin, edit and view roles include these, so whoever may
// edit or view a namespace may do the same with its Flux objects. Flux lists every toolkit API
// group, served or not, so the roles keep working as kinds are added.
Object AggregatedClusterRole(const InstallOptions& options, const std::string& name,
                             const Json& aggregate_to, const Json& verbs) {
  Json labels = Json::object();
  for (const Json& role : aggregate_to) {
    labels["rbac.authorization.k8s.io/aggregate-to-" + role.get<std::string>()] = "true";
  }
  const Json api_groups = {"notification.toolkit.fluxcd.io", "source.toolkit.fluxcd.io",
                           "source.extensions.fluxcd.io",    "helm.toolkit.fluxcd.io",
                           "image.toolkit.fluxcd.io",        "kustomize.toolkit.fluxcd.io"};
  return Object(
      Json{{"apiVersion", "rbac.authorization.k8s.io/v1"},
           {"kind", "ClusterRole"},
           {"metadata", Metadata(name + "-" + options.namespace_name, "", Labels(options, labels))},
           {"rules", Json::array({Rule(api_groups, {"*"}, verbs)})}});
}

Object ClusterRoleBinding(const InstallOptions& options, const std::string& name,
                          const std::string& role) {
  return Object(
      Json{{"apiVersion", "rbac.authorization.k8s.io/v1"},
           {"kind", "ClusterRoleBinding"},
           {"metadata", Metadata(name, "", Labels(options))},
           {"roleRef",
            {{"apiGroup", "rbac.authorization.k8s.io"}, {"kind", "ClusterRole"}, {"name", role}}},
           {"subjects", Json::array({{{"kind", "ServiceAccount"},
                                      {"name", kReconcilerName},
                                      {"namespace", options.namespace_name}}})}});
}

Object ArtifactService(const InstallOptions& options) {
  return Object(Json{
      {"apiVersion", "v1"},
      {"kind", "Service"},
      {"metadata", Metadata(kReconcilerName, options.namespace_name, ReconcilerLabels(options))},
      {"spec",
       {{"type", "ClusterIP"},
        {"selector", {{"app", kReconcilerName}}},
        {"ports",
         Json::array(
             {{{"name", "http"}, {"port", 80}, {"protocol", "TCP"}, {"targetPort", "http"}}})}}}});
}

Json Probe(const std::string& path) { return {{"httpGet", {{"path", path}, {"port", "healthz"}}}}; }

Object Deployment(const InstallOptions& options) {
  Json args = Json::array(
      {absl::StrCat("--log-level=", options.log_level),
       absl::StrCat("--watch-all-namespaces=", options.watch_all_namespaces ? "true" : "false"),
       absl::StrCat("--cluster-domain=", options.cluster_domain)});
  Json container = {
      {"name", "manager"},
      {"image",
       absl::StrCat(options.registry, "/", kReconcilerName, ":", options.ResolvedVersion())},
      {"imagePullPolicy", "IfNotPresent"},
      {"args", std::move(args)},
      // The reconciler learns its own namespace (for artifact URLs and leader election) here.
      {"env",
       Json::array({{{"name", "RUNTIME_NAMESPACE"},
                     {"valueFrom", {{"fieldRef", {{"fieldPath", "metadata.namespace"}}}}}}})},
      {"ports",
       Json::array({{{"containerPort", kArtifactPort}, {"name", "http"}, {"protocol", "TCP"}},
                    {{"containerPort", kMetricsPort}, {"name", "http-prom"}, {"protocol", "TCP"}},
                    {{"containerPort", kHealthPort}, {"name", "healthz"}, {"protocol", "TCP"}}})},
      {"livenessProbe", Probe("/healthz")},
      {"readinessProbe", Probe("/readyz")},
      {"resources",
       {{"limits", {{"cpu", "1000m"}, {"memory", "256Mi"}}},
        {"requests", {{"cpu", "50m"}, {"memory", "32Mi"}}}}},
      {"securityContext",
       {{"allowPrivilegeEscalation", false},
        {"capabilities", {{"drop", Json::array({"ALL"})}}},
        {"readOnlyRootFilesystem", true},
        {"runAsNonRoot", true},
        {"seccompProfile", {{"type", "RuntimeDefault"}}}}},
      // The root file system is read-only: artifacts and clones live on these.
      {"volumeMounts", Json::array({{{"name", "data"}, {"mountPath", "/data"}},
                                    {{"name", "tmp"}, {"mountPath", "/tmp"}}})}};

  Json pod_spec = {{"serviceAccountName", kReconcilerName},
                   {"priorityClassName", kPriorityClass},
                   {"terminationGracePeriodSeconds", 10},
                   {"nodeSelector", {{"kubernetes.io/os", "linux"}}},
                   {"securityContext", {{"fsGroup", 1337}}},
                   {"containers", Json::array({std::move(container)})},
                   {"volumes", Json::array({{{"name", "data"}, {"emptyDir", Json::object()}},
                                            {{"name", "tmp"}, {"emptyDir", Json::object()}}})}};
  if (!options.image_pull_secret.empty()) {
    pod_spec["imagePullSecrets"] = Json::array({{{"name", options.image_pull_secret}}});
  }
  if (!options.toleration_keys.empty()) {
    Json tolerations = Json::array();
    for (const std::string& key : options.toleration_keys) {  // a std::set: sorted
      tolerations.push_back({{"key", key}, {"operator", "Exists"}});
    }
    pod_spec["tolerations"] = std::move(tolerations);
  }

  return Object(Json{
      {"apiVersion", "apps/v1"},
      {"kind", "Deployment"},
      {"metadata", Metadata(kReconcilerName, options.namespace_name, ReconcilerLabels(options))},
      {"spec",
       {{"replicas", 1},
        {"selector", {{"matchLabels", {{"app", kReconcilerName}}}}},
        {"template",
         {{"metadata",
           {{"labels", {{"app", kReconcilerName}}},
            {"annotations",
             {{"prometheus.io/port", std::to_string(kMetricsPort)},
              {"prometheus.io/scrape", "true"}}}}},
          {"spec", std::move(pod_spec)}}}}}});
}

}  // namespace

absl::StatusOr<std::vector<Object>> GenerateInstall(const InstallOptions& options) {
  if (absl::Status status = options.Validate(); !status.ok()) return status;
  std::vector<Object> objects;
  objects.push_back(NamespaceObject(options));
  objects.push_back(CriticalPodsQuota(options));
  if (options.network_policy) {
    for (Object& policy : NetworkPolicies(options)) objects.push_back(std::move(policy));
  }
  auto crds = CustomResourceDefinitions(options);
  if (!crds.ok()) return crds.status();
  for (Object& crd : *crds) objects.push_back(std::move(crd));
  objects.push_back(ServiceAccount(options));
  objects.push_back(ControllerClusterRole(options));
  objects.push_back(ClusterRoleBinding(options, "crd-controller-" + options.namespace_name,
                                       "crd-controller-" + options.namespace_name));
  objects.push_back(
      ClusterRoleBinding(options, "cluster-reconciler-" + options.namespace_name, "cluster-admin"));
  objects.push_back(
      AggregatedClusterRole(options, "flux-edit", {"admin", "edit"},
                            {"create", "delete", "deletecollection", "patch", "update"}));
  objects.push_back(AggregatedClusterRole(options, "flux-view", {"admin", "edit", "view"},
                                          {"get", "list", "watch"}));
  objects.push_back(ArtifactService(options));
  objects.push_back(Deployment(options));
  return objects;
}

absl::StatusOr<Object> GenerateImagePullSecret(const InstallOptions& options) {
  if (absl::Status status = options.Validate(); !status.ok()) return status;
  if (options.registry_credentials.empty()) {
    return absl::InvalidArgumentError("registry_credentials: must be set");
  }
  const std::string& credentials = options.registry_credentials;
  const size_t colon = credentials.find(':');  // Validate checked the form user:password
  const std::string host = options.registry.substr(0, options.registry.find('/'));
  // The layout of ~/.docker/config.json that kubelet reads from such a Secret.
  Json config = {{"auths",
                  {{host,
                    {{"username", credentials.substr(0, colon)},
                     {"password", credentials.substr(colon + 1)},
                     {"auth", absl::Base64Escape(credentials)}}}}}};
  return Object(Json{
      {"apiVersion", "v1"},
      {"kind", "Secret"},
      {"metadata", Metadata(options.image_pull_secret, options.namespace_name, Labels(options))},
      {"type", "kubernetes.io/dockerconfigjson"},
      {"data", {{".dockerconfigjson", absl::Base64Escape(config.dump())}}}});
}

}  // namespace fluxcpp::bootstrap
