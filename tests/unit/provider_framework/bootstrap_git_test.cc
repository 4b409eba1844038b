// The provider's `kubernetes` and `git` blocks and flux_bootstrap_git in process: the Go
// provider's validation rules, the mapping to cluster and Git settings, and the plan of the
// repository files.
#include <catch2/catch.hpp>
#include <fstream>

#include "provider/flux/provider.h"
#include "provider/flux/provider_config.h"
#include "provider/framework/object.h"
#include "tests/unit/temporary_directory.h"

namespace fluxcpp::provider::flux {
namespace {

using framework::AttributeOf;
using values::Type;
using values::Value;

Value Object(const protocol::Block& block, std::map<std::string, Value> attributes) {
  return *Value::ObjectOf(protocol::ImpliedType(block), std::move(attributes));
}

const protocol::Attribute& Nested(const std::vector<protocol::Attribute>& attributes,
                                  const std::string& name) {
  for (const protocol::Attribute& attribute : attributes) {
    if (attribute.name == name) return attribute;
  }
  FAIL("no attribute " << name);
  return attributes.front();
}

Value NestedObject(const protocol::Attribute& attribute, std::map<std::string, Value> values) {
  protocol::Block block{.attributes = attribute.nested_attributes};
  return Object(block, std::move(values));
}

struct Config {
  std::map<std::string, Value> kubernetes = {{"config_path", Value::String("/k")}};
  std::map<std::string, Value> git;
  std::map<std::string, Value> ssh;
  std::map<std::string, Value> http;
  bool with_kubernetes = true;
};

Value ProviderConfig(const Config& config) {
  const protocol::Schema schema = ProviderConfigSchema();
  const auto& attributes = schema.block.attributes;
  const protocol::Attribute& git = Nested(attributes, "git");
  std::map<std::string, Value> git_values = config.git;
  if (!config.ssh.empty()) {
    git_values["ssh"] = NestedObject(Nested(git.nested_attributes, "ssh"), config.ssh);
  }
  if (!config.http.empty()) {
    git_values["http"] = NestedObject(Nested(git.nested_attributes, "http"), config.http);
  }
  std::map<std::string, Value> top = {{"git", NestedObject(git, git_values)}};
  if (config.with_kubernetes) {
    top["kubernetes"] = NestedObject(Nested(attributes, "kubernetes"), config.kubernetes);
  }
  return Object(schema.block, top);
}

bool HasError(const protocol::Diagnostics& diagnostics, const std::string& text) {
  for (const protocol::Diagnostic& diagnostic : diagnostics) {
    if (diagnostic.severity == protocol::Diagnostic::Severity::kError &&
        (diagnostic.summary + " " + diagnostic.detail).find(text) != std::string::npos) {
      return true;
    }
  }
  return false;
}

TEST_CASE("provider config: git without kubernetes is the Go provider's error") {
  Config config{.git = {{"url", Value::String("https://h/r.git")}}, .with_kubernetes = false};
  CHECK(HasError(ValidateProviderConfig(ProviderConfig(config)),
                 "Git and Kubernetes configuration not found"));
}

TEST_CASE("provider config: the ssh block does not go with an https URL, nor http with ssh") {
  Config https{.git = {{"url", Value::String("https://h/r.git")}},
               .ssh = {{"private_key", Value::String("k")}}};
  CHECK(HasError(ValidateProviderConfig(ProviderConfig(https)), "git.ssh"));
  Config ssh{.git = {{"url", Value::String("ssh://git@h/r.git")}},
             .ssh = {{"private_key", Value::String("k")}},
             .http = {{"username", Value::String("u")}}};
  CHECK(HasError(ValidateProviderConfig(ProviderConfig(ssh)), "git.http"));
}

TEST_CASE("provider config: ssh needs a private key; http:// needs allow_insecure_http") {
  Config ssh{.git = {{"url", Value::String("ssh://git@h/r.git")}},
             .ssh = {{"username", Value::String("git")}}};
  CHECK(HasError(ValidateProviderConfig(ProviderConfig(ssh)), "private_key"));
  Config http{.git = {{"url", Value::String("http://h/r.git")}}};
  CHECK(HasError(ValidateProviderConfig(ProviderConfig(http)), "allow_insecure_http"));
  http.http = {{"allow_insecure_http", Value::Bool(true)}};
  CHECK(ValidateProviderConfig(ProviderConfig(http)).empty());
}

TEST_CASE("provider config: unknown values skip the checks") {
  Config config{.git = {{"url", Value::Unknown(Type::String())}}};
  CHECK(ValidateProviderConfig(ProviderConfig(config)).empty());
}

TEST_CASE("provider config: passwords, tokens and keys are sensitive") {
  const protocol::Schema schema = ProviderConfigSchema();
  const auto& kubernetes = Nested(schema.block.attributes, "kubernetes").nested_attributes;
  CHECK(Nested(kubernetes, "password").sensitive);
  CHECK(Nested(kubernetes, "token").sensitive);
  CHECK(Nested(kubernetes, "client_key").sensitive);
  CHECK_FALSE(Nested(kubernetes, "host").sensitive);
  const auto& git = Nested(schema.block.attributes, "git").nested_attributes;
  CHECK(Nested(git, "gpg_passphrase").sensitive);
  CHECK(Nested(Nested(git, "ssh").nested_attributes, "private_key").sensitive);
  CHECK(Nested(Nested(git, "http").nested_attributes, "password").sensitive);
}

TEST_CASE("git settings: defaults, the ssh user, and known_hosts required") {
  Config config{.git = {{"url", Value::String("ssh://h:2222/r.git")}},
                .ssh = {{"private_key", Value::String("KEY")},
                        {"known_hosts", Value::String("[h]:2222 ssh-ed25519 AAAA")}}};
  const Value git = AttributeOf(ProviderConfig(config), "git");
  absl::StatusOr<GitSettings> settings = GitSettingsFrom(git);
  REQUIRE(settings.ok());
  CHECK(settings->url == "ssh://git@h:2222/r.git");
  CHECK(settings->branch == "main");
  CHECK(settings->author_name == "Flux");
  CHECK(settings->auth.ssh_private_key == "KEY");

  config.ssh.erase("known_hosts");
  absl::StatusOr<GitSettings> missing = GitSettingsFrom(AttributeOf(ProviderConfig(config), "git"));
  REQUIRE_FALSE(missing.ok());
  CHECK_THAT(std::string(missing.status().message()), Catch::Contains("known_hosts"));
}

TEST_CASE("cluster config: host, CA, token and exec without a kubeconfig") {
  const protocol::Schema schema = ProviderConfigSchema();
  const protocol::Attribute& kubernetes = Nested(schema.block.attributes, "kubernetes");
  const protocol::Attribute& exec = Nested(kubernetes.nested_attributes, "exec");
  const Value value = NestedObject(
      kubernetes,
      {{"host", Value::String("10.0.0.1:6443")},
       {"cluster_ca_certificate", Value::String("CA")},
       {"token", Value::String("T")},
       {"exec",
        NestedObject(exec, {{"api_version", Value::String("v1")},
                            {"command", Value::String("aws")},
                            {"args", Value::List(Type::String(), {Value::String("eks")})}})}});
  absl::StatusOr<kube::ClusterConfig> config = ClusterConfigFrom(value);
  REQUIRE(config.ok());
  CHECK(config->server == "https://10.0.0.1:6443");
  CHECK(config->tls.ca_pem == "CA");
  CHECK(config->auth.token == "T");
  REQUIRE(config->auth.exec.has_value());
  CHECK(config->auth.exec->command == "aws");
  CHECK(config->auth.exec->args == std::vector<std::string>{"eks"});
}

TEST_CASE("provider config: commit signing and context overrides are taken without warnings") {
  Config config{.kubernetes = {{"config_path", Value::String("/k")},
                               {"config_context_auth_info", Value::String("bob")},
                               {"config_context_cluster", Value::String("production")}},
                .git = {{"url", Value::String("https://h/r.git")},
                        {"gpg_key_ring", Value::String("-----BEGIN PGP PRIVATE KEY BLOCK-----")},
                        {"gpg_passphrase", Value::String("secret")},
                        {"gpg_key_id", Value::String("0x0123456789ABCDEF")}}};
  CHECK(ValidateProviderConfig(ProviderConfig(config)).empty());
  absl::StatusOr<GitSettings> settings =
      GitSettingsFrom(AttributeOf(ProviderConfig(config), "git"));
  REQUIRE(settings.ok());
  CHECK(settings->signing.enabled());
  CHECK(settings->signing.armored_key_ring == "-----BEGIN PGP PRIVATE KEY BLOCK-----");
  CHECK(settings->signing.passphrase == "secret");
  CHECK(settings->signing.key_id == "0x0123456789ABCDEF");
  config.git["gpg_key_id"] = Value::String("0x0123");
  CHECK(HasError(ValidateProviderConfig(ProviderConfig(config)), "16 hexadecimal digits"));
  // Without the key ring nothing is signed: a warning says so for the id and the passphrase.
  config.git.erase("gpg_key_ring");
  config.git["gpg_key_id"] = Value::String("0x0123456789ABCDEF");
  const protocol::Diagnostics unsigned_config = ValidateProviderConfig(ProviderConfig(config));
  REQUIRE(unsigned_config.size() == 2);
  for (const protocol::Diagnostic& diagnostic : unsigned_config) {
    CHECK(diagnostic.severity == protocol::Diagnostic::Severity::kWarning);
    CHECK(diagnostic.detail.find("without git.gpg_key_ring") != std::string::npos);
  }
}

TEST_CASE("cluster config: config_context_auth_info and config_context_cluster pick entries") {
  testing::TemporaryDirectory dir;
  const std::string path = dir.path() + "/kubeconfig";
  std::ofstream(path) << R"(apiVersion: v1
kind: Config
clusters:
- {name: staging, cluster: {server: "https://staging.example:6443"}}
- {name: production, cluster: {server: "https://production.example:6443"}}
users:
- {name: alice, user: {token: alice-token}}
- {name: bob, user: {token: bob-token}}
contexts:
- {name: work, context: {cluster: staging, user: alice}}
current-context: work
)";
  const protocol::Schema schema = ProviderConfigSchema();
  const protocol::Attribute& kubernetes = Nested(schema.block.attributes, "kubernetes");
  absl::StatusOr<kube::ClusterConfig> as_is =
      ClusterConfigFrom(NestedObject(kubernetes, {{"config_path", Value::String(path)}}));
  REQUIRE(as_is.ok());
  CHECK(as_is->server == "https://staging.example:6443");
  CHECK(as_is->auth.token == "alice-token");
  absl::StatusOr<kube::ClusterConfig> overridden = ClusterConfigFrom(
      NestedObject(kubernetes, {{"config_path", Value::String(path)},
                                {"config_context_auth_info", Value::String("bob")},
                                {"config_context_cluster", Value::String("production")}}));
  REQUIRE(overridden.ok());
  CHECK(overridden->server == "https://production.example:6443");
  CHECK(overridden->auth.token == "bob-token");
  absl::StatusOr<kube::ClusterConfig> missing = ClusterConfigFrom(
      NestedObject(kubernetes, {{"config_path", Value::String(path)},
                                {"config_context_auth_info", Value::String("carol")}}));
  REQUIRE_FALSE(missing.ok());
  CHECK_THAT(std::string(missing.status().message()), Catch::Contains("user \"carol\""));
}

TEST_CASE("flux_bootstrap_git: components fluxcpp does not serve get a warning naming them") {
  auto provider = MakeProvider();
  const protocol::Resource& resource = *provider->FindResource("flux_bootstrap_git");
  const Value components = Value::Set(
      Type::String(), {Value::String("source-controller"), Value::String("kustomize-controller"),
                       Value::String("helm-controller")});
  const auto diagnostics =
      resource.ValidateConfig(Object(resource.schema().block, {{"components", components}}));
  REQUIRE(diagnostics.size() == 1);
  CHECK(diagnostics[0].severity == protocol::Diagnostic::Severity::kWarning);
  CHECK_THAT(diagnostics[0].detail, Catch::Contains("helm-controller"));
}

TEST_CASE("flux_bootstrap_git: an unknown component is an error; the default gets no warning") {
  auto provider = MakeProvider();
  const protocol::Resource& resource = *provider->FindResource("flux_bootstrap_git");
  const Value components = Value::Set(
      Type::String(), {Value::String("source-controller"), Value::String("kustomize-controller"),
                       Value::String("image-controller")});
  CHECK(HasError(
      resource.ValidateConfig(Object(resource.schema().block, {{"components", components}})),
      "image-controller"));
  CHECK(resource.ValidateConfig(Object(resource.schema().block, {})).empty());
}

TEST_CASE("flux_bootstrap_git: registry_credentials needs image_pull_secret") {
  auto provider = MakeProvider();
  const protocol::Resource& resource = *provider->FindResource("flux_bootstrap_git");
  CHECK(HasError(
      resource.ValidateConfig(Object(resource.schema().block,
                                     {{"registry_credentials", Value::String("user:password")}})),
      "image_pull_secret"));
}

TEST_CASE("flux_bootstrap_git: kustomization_override and registry_credentials are checked") {
  auto provider = MakeProvider();
  const protocol::Resource& resource = *provider->FindResource("flux_bootstrap_git");
  const Value pull_secret = Value::String("registry-pull");
  protocol::Diagnostics wrong_form = resource.ValidateConfig(Object(
      resource.schema().block, {{"image_pull_secret", pull_secret},
                                {"registry_credentials", Value::String("no-colon-s3cret")}}));
  CHECK(HasError(wrong_form, "user:password"));
  for (const protocol::Diagnostic& diagnostic : wrong_form) {
    CHECK(diagnostic.detail.find("s3cret") == std::string::npos);
  }
  CHECK(resource
            .ValidateConfig(Object(resource.schema().block,
                                   {{"image_pull_secret", pull_secret},
                                    {"registry_credentials", Value::String("robot:s3cret")}}))
            .empty());
  CHECK(HasError(
      resource.ValidateConfig(Object(
          resource.schema().block,
          {{"kustomization_override", Value::String("resources:\n  - gotk-components.yaml\n")}})),
      "gotk-sync.yaml is missing"));
  CHECK(resource
            .ValidateConfig(Object(
                resource.schema().block,
                {{"kustomization_override",
                  Value::String("resources:\n  - gotk-components.yaml\n  - gotk-sync.yaml\n")}}))
            .empty());
}

TEST_CASE("flux_bootstrap_git: an unknown provider git block leaves repository_files unknown") {
  auto provider = MakeProvider();
  Config config{.git = {{"url", Value::Unknown(Type::String())}}};
  REQUIRE(provider->Configure("1.8.0", ProviderConfig(config)).empty());
  const protocol::Resource& resource = *provider->FindResource("flux_bootstrap_git");
  const Value resource_config = Object(resource.schema().block, {});
  protocol::ResourcePlanResult plan =
      resource.Plan({.prior_state = Value::Null(resource_config.type()),
                     .proposed_new_state = resource_config,
                     .config = resource_config});
  REQUIRE(plan.diagnostics.empty());
  CHECK_FALSE(AttributeOf(plan.planned_state, "repository_files").IsKnown());
}

TEST_CASE("flux_bootstrap_git: the plan holds the three repository files") {
  auto provider = MakeProvider();
  Config config{.git = {{"url", Value::String("https://h/r.git")}}};
  REQUIRE(provider->Configure("1.8.0", ProviderConfig(config)).empty());
  const protocol::Resource& resource = *provider->FindResource("flux_bootstrap_git");
  const Value resource_config =
      Object(resource.schema().block, {{"path", Value::String("clusters/dev")}});
  const Value prior = Value::Null(resource_config.type());
  protocol::ResourcePlanResult plan = resource.Plan(
      {.prior_state = prior, .proposed_new_state = resource_config, .config = resource_config});
  INFO((plan.diagnostics.empty() ? "" : plan.diagnostics[0].detail));
  REQUIRE(plan.diagnostics.empty());
  CHECK(AttributeOf(plan.planned_state, "id") == Value::String("flux-system"));
  const Value files = AttributeOf(plan.planned_state, "repository_files");
  REQUIRE(files.IsKnown());
  std::vector<std::string> paths;
  for (const auto& [path, content] : files.Entries()) paths.push_back(path);
  CHECK(paths == std::vector<std::string>{"clusters/dev/flux-system/gotk-components.yaml",
                                          "clusters/dev/flux-system/gotk-sync.yaml",
                                          "clusters/dev/flux-system/kustomization.yaml"});
}

}  // namespace
}  // namespace fluxcpp::provider::flux
