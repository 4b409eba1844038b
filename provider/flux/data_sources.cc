// flux_install and flux_sync: configuration → bootstrap options → manifests.
#include "provider/flux/data_sources.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <utility>

#include "bootstrap/manifests.h"
#include "lib/manifest/yaml.h"
#include "provider/flux/attributes.h"
#include "provider/flux/options_mapping.h"
#include "provider/framework/object.h"
#include "provider/framework/resource.h"
#include "provider/protocol/text.h"

namespace fluxcpp::provider::flux {
namespace {

using framework::AttributeOf;
using framework::StringAttribute;
using framework::WithAttribute;
using protocol::Attribute;
using protocol::Cat;
using protocol::Diagnostics;
using values::Type;
using values::Value;

Attribute Computed(std::string name, std::string description) {
  return Attribute{.name = std::move(name),
                   .type = Type::String(),
                   .description = std::move(description),
                   .computed = true};
}

Attribute Deprecated(std::string name, std::string message) {
  Attribute attribute = OptionalAttribute(std::move(name), Type::String(), "");
  attribute.deprecated = true;
  attribute.deprecation_message = std::move(message);
  return attribute;
}

// ---- flux_install ----

class InstallDataSource final : public framework::DataSource {
 public:
  InstallDataSource() : DataSource(MakeSchema()) {}

 protected:
  Diagnostics Validate(const Value& config) const override {
    if (!config.IsWhollyKnown()) return {};
    bootstrap::InstallOptions options;
    Diagnostics diagnostics;
    if (!ToOptions(config, options, diagnostics)) return diagnostics;
    if (absl::Status status = options.Validate(); !status.ok()) {
      diagnostics.push_back(OptionsDiagnostic(status, Fields(config)));
    }
    return diagnostics;
  }

  void Fill(ReadContext& context) const override {
    bootstrap::InstallOptions options;
    if (!ToOptions(context.config, options, context.diagnostics)) return;
    absl::StatusOr<std::vector<manifest::Object>> objects = bootstrap::GenerateInstall(options);
    if (!objects.ok()) {
      context.diagnostics.push_back(OptionsDiagnostic(objects.status(), Fields(context.config)));
      return;
    }
    const std::string path = RepositoryPath(String(context.config, "target_path"),
                                            options.namespace_name, "gotk-components.yaml");
    Value state = context.state;
    state = WithAttribute(state, "content", Value::String(manifest::ToYaml(*objects)));
    state = WithAttribute(state, "path", Value::String(path));
    state = WithAttribute(state, "id", Value::String(path));
    context.state = std::move(state);
  }

 private:
  // Option field → the attribute the user set it with.
  static std::map<std::string, std::string> Fields(const Value& config) {
    const bool plural = !AttributeOf(config, "image_pull_secrets").IsNull();
    return {{"namespace_name", "namespace"},
            {"image_pull_secret", plural ? "image_pull_secrets" : "image_pull_secret"}};
  }

  static bool ToOptions(const Value& config, bootstrap::InstallOptions& options,
                        Diagnostics& diagnostics) {
    options.namespace_name = String(config, "namespace");
    options.cluster_domain = String(config, "cluster_domain");
    options.components = Strings(config, "components");
    options.components_extra = Strings(config, "components_extra");
    options.registry = String(config, "registry");
    options.version = String(config, "version");
    options.log_level = String(config, "log_level");
    options.network_policy = Bool(config, "network_policy", true);
    options.watch_all_namespaces = Bool(config, "watch_all_namespaces", true);
    options.toleration_keys = Strings(config, "toleration_keys");
    std::optional<std::string> singular = StringAttribute(config, "image_pull_secret");
    std::optional<std::string> plural = StringAttribute(config, "image_pull_secrets");
    if (singular && plural) {
      diagnostics.push_back(protocol::ErrorDiagnostic(
          "Conflicting attributes",
          "Set only one of image_pull_secret and image_pull_secrets (its older spelling).",
          values::Path().Attribute("image_pull_secrets")));
      return false;
    }
    options.image_pull_secret = singular.value_or(plural.value_or(""));
    return true;
  }

  static protocol::Schema MakeSchema() {
    const bootstrap::InstallOptions defaults;
    std::vector<Value> components;
    for (const std::string& component : defaults.components) {
      components.push_back(Value::String(component));
    }
    protocol::Schema schema;
    schema.block.description =
        "`flux_install` generates the Kubernetes manifests that install fluxcpp's Flux-compatible "
        "reconciler: the namespace, the GitRepository and Kustomization CRDs, RBAC, the "
        "`flux-reconciler` Deployment and, optionally, network policies.\n\n"
        "The manifests are the ones `flux_bootstrap_git` commits as `gotk-components.yaml`.";
    schema.block.attributes = {
        OptionalAttribute(
            "target_path", Type::String(),
            "Relative path to the Git repository root where the manifests are committed; "
            "the root when not set."),
        DefaultedAttribute("namespace", Value::String(defaults.namespace_name),
                           "The namespace the reconciler runs in (an RFC 1123 label)."),
        DefaultedAttribute("cluster_domain", Value::String(defaults.cluster_domain),
                           "The internal cluster domain."),
        DefaultedAttribute("components", Value::Set(Type::String(), std::move(components)),
                           "Toolkit components to install; must include `source-controller` and "
                           "`kustomize-controller`, which the one `flux-reconciler` serves. "
                           "`helm-controller` and `notification-controller` are not served yet."),
        OptionalAttribute("components_extra", Type::Set(Type::String()),
                          "Extra toolkit components (`image-reflector-controller`, "
                          "`image-automation-controller`, `source-watcher`); none is served yet."),
        DefaultedAttribute("registry", Value::String(defaults.registry),
                           "Container registry (and path) the reconciler image is pulled from."),
        DefaultedAttribute("version", Value::String(defaults.version),
                           "Version of the reconciler image: `latest` or a tag starting with `v`."),
        DefaultedAttribute(
            "network_policy", Value::Bool(defaults.network_policy),
            "Deny ingress to the reconciler from other namespaces with network policies."),
        DefaultedAttribute("watch_all_namespaces", Value::Bool(defaults.watch_all_namespaces),
                           "Watch Flux objects in every namespace, not only in `namespace`."),
        DefaultedAttribute("log_level", Value::String(defaults.log_level),
                           "Log level of the reconciler: `info`, `debug` or `error`."),
        OptionalAttribute("toleration_keys", Type::Set(Type::String()),
                          "Taint keys the reconciler's pods tolerate."),
        OptionalAttribute("image_pull_secret", Type::String(),
                          "Name of a Secret in `namespace` for pulling the reconciler image from a "
                          "private registry."),
        Deprecated("image_pull_secrets",
                   "The Go provider's spelling of `image_pull_secret`; use that instead."),
        Deprecated("baseurl",
                   "Ignored: fluxcpp generates the manifests itself instead of downloading "
                   "them."),
        Computed("content", "The manifests as a multi-document YAML stream."),
        Computed("path",
                 "Where the manifests go in the repository: "
                 "`<target_path>/<namespace>/gotk-components.yaml`."),
        Computed("id", "The same as `path`."),
    };
    return schema;
  }
};

// ---- flux_sync ----

class SyncDataSource final : public framework::DataSource {
 public:
  SyncDataSource() : DataSource(MakeSchema()) {}

 protected:
  Diagnostics Validate(const Value& config) const override {
    if (!config.IsWhollyKnown()) return {};
    Diagnostics diagnostics;
    if (absl::Status status = ToOptions(config).Validate(); !status.ok()) {
      diagnostics.push_back(OptionsDiagnostic(status, Fields()));
    }
    return diagnostics;
  }

  void Fill(ReadContext& context) const override {
    const bootstrap::SyncOptions options = ToOptions(context.config);
    absl::StatusOr<std::vector<manifest::Object>> objects = bootstrap::GenerateSync(options);
    if (!objects.ok()) {
      context.diagnostics.push_back(OptionsDiagnostic(objects.status(), Fields()));
      return;
    }
    const std::string target = String(context.config, "target_path");
    const std::string path = RepositoryPath(target, options.namespace_name, "gotk-sync.yaml");
    Value state = context.state;
    state = WithAttribute(state, "content", Value::String(manifest::ToYaml(*objects)));
    state = WithAttribute(state, "kustomize_content",
                          Value::String(bootstrap::GenerateKustomizationFile()));
    state = WithAttribute(state, "path", Value::String(path));
    state = WithAttribute(
        state, "kustomize_path",
        Value::String(RepositoryPath(target, options.namespace_name, "kustomization.yaml")));
    state = WithAttribute(state, "id", Value::String(path));
    context.state = std::move(state);
  }

 private:
  static std::map<std::string, std::string> Fields() {
    return {{"namespace_name", "namespace"}, {"secret_name", "secret"}, {"path", "target_path"}};
  }

  static bootstrap::SyncOptions ToOptions(const Value& config) {
    bootstrap::SyncOptions options;
    options.url = String(config, "url");
    options.branch = String(config, "branch");
    options.tag = String(config, "tag");
    options.semver = String(config, "semver");
    options.commit = String(config, "commit");
    options.name = String(config, "name");
    options.namespace_name = String(config, "namespace");
    options.secret_name = String(config, "secret");
    options.interval = GoProviderInterval(String(config, "interval"));
    options.path = String(config, "target_path");
    options.recurse_submodules = Bool(config, "recurse_submodules", false);
    return options;
  }

  static protocol::Schema MakeSchema() {
    const bootstrap::SyncOptions defaults;
    protocol::Schema schema;
    schema.block.description =
        "`flux_sync` generates the manifests that make the cluster reconcile itself from a Git "
        "repository: a GitRepository and a Kustomization (with pruning) that builds "
        "`target_path`.\n\n"
        "They are the ones `flux_bootstrap_git` commits as `gotk-sync.yaml`, with the "
        "`kustomization.yaml` that lists both bootstrap files.";
    Attribute url = OptionalAttribute("url", Type::String(),
                                      "Git repository URL: `ssh://`, `https://` or `http://` "
                                      "(scp-like `git@host:org/repo` is not accepted by Flux).");
    url.optional = false;
    url.required = true;
    schema.block.attributes = {
        url,
        OptionalAttribute(
            "target_path", Type::String(),
            "Relative path to the Git repository root that the Kustomization builds and "
            "where the bootstrap files are committed; the root when not set."),
        DefaultedAttribute("branch", Value::String(defaults.branch),
                           "Branch to sync from; used unless `tag` or `semver` is set."),
        OptionalAttribute("tag", Type::String(),
                          "Git tag to sync from; takes precedence over `branch`."),
        OptionalAttribute(
            "semver", Type::String(),
            "Semantic version range of the Git tags to sync from; takes precedence over "
            "`tag`."),
        OptionalAttribute("commit", Type::String(),
                          "Full Git commit SHA to sync; may be combined with `branch`."),
        DefaultedAttribute("name", Value::String(defaults.name),
                           "Name of the GitRepository and the Kustomization."),
        DefaultedAttribute("namespace", Value::String(defaults.namespace_name),
                           "Namespace of the GitRepository and the Kustomization."),
        DefaultedAttribute("secret", Value::String(defaults.secret_name),
                           "Secret with the Git credentials the GitRepository references; an empty "
                           "string for a public repository."),
        DefaultedAttribute(
            "interval", Value::String(defaults.interval),
            "How often the repository is fetched: a duration such as `1m0s`, or a bare "
            "number of minutes as the Go provider took it."),
        DefaultedAttribute("recurse_submodules", Value::Bool(defaults.recurse_submodules),
                           "Fetch the repository's submodules too."),
        Deprecated("git_implementation", "Ignored: fluxcpp has one Git implementation."),
        Computed("content", "The GitRepository and Kustomization as a multi-document YAML stream."),
        Computed("kustomize_content", "The `kustomization.yaml` listing the bootstrap files."),
        Computed("path",
                 "Where `content` goes in the repository: "
                 "`<target_path>/<namespace>/gotk-sync.yaml`."),
        Computed("kustomize_path", "Where `kustomize_content` goes in the repository."),
        Computed("id", "The same as `path`."),
    };
    return schema;
  }
};

}  // namespace

std::unique_ptr<protocol::DataSource> MakeInstallDataSource() {
  return std::make_unique<InstallDataSource>();
}

std::unique_ptr<protocol::DataSource> MakeSyncDataSource() {
  return std::make_unique<SyncDataSource>();
}

}  // namespace fluxcpp::provider::flux
