#include "provider/flux/provider_config.h"

#include <cctype>
#include <cstdlib>
#include <utility>

#include "absl/strings/str_split.h"
#include "provider/framework/object.h"
#include "provider/protocol/text.h"

namespace fluxcpp::provider::flux {
namespace {

using framework::AttributeOf;
using framework::BoolAttribute;
using framework::StringAttribute;
using protocol::Attribute;
using protocol::Cat;
using values::Path;
using values::Type;
using values::Value;

Attribute Optional(std::string name, Type type, std::string description, bool sensitive = false) {
  return Attribute{.name = std::move(name),
                   .type = std::move(type),
                   .description = std::move(description),
                   .optional = true,
                   .sensitive = sensitive};
}

Attribute Nested(std::string name, std::vector<Attribute> attributes, std::string description) {
  return Attribute{.name = std::move(name),
                   .nested_attributes = std::move(attributes),
                   .nesting = protocol::Nesting::kSingle,
                   .description = std::move(description),
                   .optional = true};
}

std::string String(const Value& object, std::string_view name) {
  return StringAttribute(object, name).value_or("");
}

bool IsSet(const Value& object, std::string_view name) {
  const Value value = AttributeOf(object, name);
  return !value.IsNull();
}

std::string Scheme(const std::string& url) {
  const size_t end = url.find("://");
  return end == std::string::npos ? "" : url.substr(0, end);
}

std::vector<std::string> StringList(const Value& value) {
  std::vector<std::string> strings;
  for (const Value& element : value.Elements()) {
    if (absl::StatusOr<std::string> text = element.AsString(); text.ok()) strings.push_back(*text);
  }
  return strings;
}

}  // namespace

protocol::Schema ProviderConfigSchema() {
  protocol::Schema schema;
  schema.block.description =
      "How to reach the cluster (`kubernetes`) and the Git repository the bootstrap writes to "
      "(`git`), as the Go provider takes them.";
  Attribute api_version = Optional("api_version", Type::String(), "Version of the exec API.");
  api_version.optional = false;
  api_version.required = true;
  Attribute command = Optional("command", Type::String(), "The credential plugin to run.");
  command.optional = false;
  command.required = true;
  Attribute url = Optional("url", Type::String(),
                           "URL of the Git repository: `ssh://`, `https://` or `http://`.");
  url.optional = false;
  url.required = true;
  schema.block.attributes = {
      Nested("kubernetes",
             {
                 Optional("host", Type::String(), "The API server's address."),
                 Optional("username", Type::String(), "Basic authentication user."),
                 Optional("password", Type::String(), "Basic authentication password.", true),
                 Optional("insecure", Type::Bool(), "Do not verify the server's certificate."),
                 Optional("client_certificate", Type::String(), "PEM client certificate."),
                 Optional("client_key", Type::String(), "PEM client key.", true),
                 Optional("cluster_ca_certificate", Type::String(), "PEM CA of the API server."),
                 Optional("config_paths", Type::List(Type::String()),
                          "Kubeconfig files to merge; `KUBE_CONFIG_PATHS` when not set."),
                 Optional("config_path", Type::String(),
                          "A kubeconfig file; `KUBE_CONFIG_PATH` when not set."),
                 Optional("config_context", Type::String(), "The kubeconfig context to use."),
                 Optional("config_context_auth_info", Type::String(),
                          "The kubeconfig user to use instead of the context's."),
                 Optional("config_context_cluster", Type::String(),
                          "The kubeconfig cluster to use instead of the context's."),
                 Optional("token", Type::String(), "Bearer token.", true),
                 Optional("proxy_url", Type::String(), "Proxy for the API server's connections."),
                 Nested("exec",
                        {api_version, command,
                         Optional("env", Type::Map(Type::String()), "Environment of the plugin."),
                         Optional("args", Type::List(Type::String()), "Arguments of the plugin.")},
                        "A client-go credential plugin."),
             },
             "How to reach the Kubernetes cluster."),
      Nested(
          "git",
          {
              url,
              Optional("branch", Type::String(), "Branch to write to and sync from; `main`."),
              Optional("author_name", Type::String(), "Author of the commits; `Flux`."),
              Optional("author_email", Type::String(), "E-mail of the commits' author."),
              Optional("commit_message_appendix", Type::String(),
                       "Text appended to the commit messages."),
              Optional("gpg_key_ring", Type::String(),
                       "Armored GPG key ring with the secret key that signs the commits."),
              Optional("gpg_passphrase", Type::String(), "Passphrase of the GPG key ring.", true),
              Optional("gpg_key_id", Type::String(), "Id of the signing key (16 hex digits)."),
              Nested(
                  "ssh",
                  {
                      Optional("username", Type::String(),
                               "SSH user when the URL has none; `git`."),
                      Optional("password", Type::String(), "Passphrase of the private key.", true),
                      Optional("private_key", Type::String(), "The SSH private key.", true),
                      Optional("hostkey_algos", Type::List(Type::String()),
                               "Host key algorithms to accept, in order of preference (e.g. "
                               "`ssh-ed25519`); the presented key must still be in known_hosts. "
                               "Default: those of the key types known_hosts holds for the host."),
                      Optional("known_hosts", Type::String(),
                               "known_hosts lines for the Git server (fluxcpp never scans "
                               "host keys live); required for ssh:// URLs."),
                  },
                  "SSH credentials, for ssh:// URLs."),
              Nested(
                  "http",
                  {
                      Optional("username", Type::String(), "Basic authentication user."),
                      Optional("password", Type::String(), "Basic authentication password.", true),
                      Optional("allow_insecure_http", Type::Bool(), "Allow plain http:// URLs."),
                      Optional("certificate_authority", Type::String(),
                               "PEM CA of the Git server."),
                  },
                  "HTTP credentials, for http(s):// URLs."),
          },
          "The Git repository the bootstrap writes to."),
  };
  return schema;
}

protocol::Diagnostics ValidateProviderConfig(const Value& config) {
  protocol::Diagnostics diagnostics;
  const Value kubernetes = AttributeOf(config, "kubernetes");
  const Value git = AttributeOf(config, "git");
  if (!kubernetes.IsKnown() || !git.IsKnown()) return diagnostics;
  if (kubernetes.IsNull() != git.IsNull()) {
    diagnostics.push_back(protocol::ErrorDiagnostic(
        "Git and Kubernetes configuration not found",
        "Set both the `kubernetes` and the `git` blocks of the provider, or neither."));
    return diagnostics;
  }
  if (git.IsNull()) return diagnostics;
  const Path git_path = Path().Attribute("git");
  const Value url_value = AttributeOf(git, "url");
  const Value ssh = AttributeOf(git, "ssh");
  const Value http = AttributeOf(git, "http");
  // As in the Go provider, signing needs the key ring; the other two alone sign nothing.
  const Value key_ring = AttributeOf(git, "gpg_key_ring");
  if (key_ring.IsKnown() && key_ring.IsNull()) {
    for (const char* name : {"gpg_key_id", "gpg_passphrase"}) {
      if (IsSet(git, name)) {
        diagnostics.push_back(protocol::WarningDiagnostic(
            "Commits are not signed",
            Cat("git.", name, " has no effect without git.gpg_key_ring: commits are not signed."),
            git_path.Attribute(name)));
      }
    }
  }
  if (std::optional<std::string> key_id = StringAttribute(git, "gpg_key_id")) {
    std::string id = *key_id;
    if (id.rfind("0x", 0) == 0) id = id.substr(2);
    bool hex = id.size() == 16;
    for (char c : id) hex = hex && std::isxdigit(static_cast<unsigned char>(c)) != 0;
    if (!hex) {
      diagnostics.push_back(protocol::ErrorDiagnostic(
          "Invalid attribute value", "git.gpg_key_id must be 16 hexadecimal digits.",
          git_path.Attribute("gpg_key_id")));
    }
  }
  std::optional<std::string> url = StringAttribute(git, "url");
  if (!url) return diagnostics;
  const std::string scheme = Scheme(*url);
  const Path url_path = git_path.Attribute("url");
  if (scheme != "ssh" && scheme != "http" && scheme != "https") {
    diagnostics.push_back(protocol::ErrorDiagnostic(
        "Invalid attribute value", "git.url must start with ssh://, https:// or http://.",
        url_path));
    return diagnostics;
  }
  if (scheme == "ssh") {
    if (http.IsKnown() && !http.IsNull()) {
      diagnostics.push_back(protocol::ErrorDiagnostic(
          "Conflicting attributes", "The git.http block does not go with an ssh:// URL.",
          git_path.Attribute("http")));
    }
    if (ssh.IsKnown()) {
      const Value key = AttributeOf(ssh, "private_key");
      if (ssh.IsNull() || (key.IsKnown() && key.IsNull())) {
        diagnostics.push_back(protocol::ErrorDiagnostic(
            "Missing attribute", "An ssh:// URL needs git.ssh.private_key.", url_path));
      }
    }
    return diagnostics;
  }
  if (ssh.IsKnown() && !ssh.IsNull()) {
    diagnostics.push_back(protocol::ErrorDiagnostic(
        "Conflicting attributes", Cat("The git.ssh block does not go with an ", scheme, ":// URL."),
        git_path.Attribute("ssh")));
  }
  if (scheme == "http" && http.IsKnown() &&
      !BoolAttribute(http, "allow_insecure_http").value_or(false)) {
    const Value allow = AttributeOf(http, "allow_insecure_http");
    if (http.IsNull() || allow.IsKnown()) {
      diagnostics.push_back(protocol::ErrorDiagnostic(
          "Insecure URL", "An http:// URL needs git.http.allow_insecure_http = true.", url_path));
    }
  }
  return diagnostics;
}

absl::StatusOr<kube::ClusterConfig> ClusterConfigFrom(const Value& kubernetes) {
  kube::KubeconfigOptions options;
  options.context = String(kubernetes, "config_context");
  options.user = String(kubernetes, "config_context_auth_info");
  options.cluster = String(kubernetes, "config_context_cluster");
  if (std::optional<std::string> path = StringAttribute(kubernetes, "config_path")) {
    options.paths.push_back(*path);
  }
  for (const std::string& path : StringList(AttributeOf(kubernetes, "config_paths"))) {
    options.paths.push_back(path);
  }
  if (options.paths.empty()) {
    if (const char* path = std::getenv("KUBE_CONFIG_PATH"); path != nullptr && *path != '\0') {
      options.paths.push_back(path);
    } else if (const char* paths = std::getenv("KUBE_CONFIG_PATHS");
               paths != nullptr && *paths != '\0') {
      for (absl::string_view path : absl::StrSplit(paths, ':', absl::SkipEmpty())) {
        options.paths.emplace_back(path);
      }
    }
  }
  const std::optional<std::string> host = StringAttribute(kubernetes, "host");
  kube::ClusterConfig config;
  if (!options.paths.empty()) {
    absl::StatusOr<kube::ClusterConfig> loaded = kube::LoadKubeconfig(options);
    if (!loaded.ok()) return loaded.status();
    config = *std::move(loaded);
  } else if (!host) {
    return absl::InvalidArgumentError(
        "kubernetes: set host, config_path or config_paths (or KUBE_CONFIG_PATH)");
  }
  if (host) {
    config.server = *host;
    if (config.server.find("://") == std::string::npos) config.server = "https://" + config.server;
  }
  if (auto ca = StringAttribute(kubernetes, "cluster_ca_certificate")) config.tls.ca_pem = *ca;
  if (auto certificate = StringAttribute(kubernetes, "client_certificate")) {
    config.tls.client_certificate_pem = *certificate;
  }
  if (auto key = StringAttribute(kubernetes, "client_key")) config.tls.client_key_pem = *key;
  if (auto insecure = BoolAttribute(kubernetes, "insecure")) {
    config.tls.insecure_skip_verify = *insecure;
  }
  if (auto token = StringAttribute(kubernetes, "token")) config.auth.token = *token;
  if (auto username = StringAttribute(kubernetes, "username")) config.auth.username = *username;
  if (auto password = StringAttribute(kubernetes, "password")) config.auth.password = *password;
  if (auto proxy = StringAttribute(kubernetes, "proxy_url")) config.proxy_url = *proxy;
  const Value exec = AttributeOf(kubernetes, "exec");
  if (!exec.IsNull()) {
    kube::ExecPlugin plugin;
    plugin.api_version = String(exec, "api_version");
    plugin.command = String(exec, "command");
    plugin.args = StringList(AttributeOf(exec, "args"));
    for (const auto& [name, value] : AttributeOf(exec, "env").Entries()) {
      plugin.env.emplace_back(name, value.AsString().value_or(""));
    }
    config.auth.exec = std::move(plugin);
  }
  return config;
}

absl::StatusOr<GitSettings> GitSettingsFrom(const Value& git) {
  GitSettings settings;
  settings.url = String(git, "url");
  if (auto branch = StringAttribute(git, "branch")) settings.branch = *branch;
  if (auto name = StringAttribute(git, "author_name")) settings.author_name = *name;
  settings.author_email = String(git, "author_email");
  settings.commit_message_appendix = String(git, "commit_message_appendix");
  settings.signing.armored_key_ring = String(git, "gpg_key_ring");
  settings.signing.passphrase = String(git, "gpg_passphrase");
  settings.signing.key_id = String(git, "gpg_key_id");
  const Value ssh = AttributeOf(git, "ssh");
  const Value http = AttributeOf(git, "http");
  if (Scheme(settings.url) == "ssh") {
    settings.auth.ssh_private_key = String(ssh, "private_key");
    settings.auth.ssh_passphrase = String(ssh, "password");
    settings.auth.known_hosts = String(ssh, "known_hosts");
    // The order is the preference; the key presented is still checked against known_hosts.
    settings.auth.ssh_hostkey_algorithms = StringList(AttributeOf(ssh, "hostkey_algos"));
    if (settings.auth.known_hosts.empty()) {
      return absl::InvalidArgumentError(
          "git.ssh.known_hosts: required for ssh:// URLs (fluxcpp never scans host keys live); "
          "give the server's known_hosts lines, e.g. from ssh-keyscan");
    }
    // The user of the URL wins; else ssh.username, else "git", as in the Go provider.
    const size_t authority = settings.url.find("://") + 3;
    const size_t slash = settings.url.find('/', authority);
    const std::string host_part = settings.url.substr(authority, slash - authority);
    if (host_part.find('@') == std::string::npos) {
      std::string user = String(ssh, "username");
      if (user.empty()) user = "git";
      settings.url.insert(authority, user + "@");
    }
  } else {
    settings.auth.username = String(http, "username");
    settings.auth.password = String(http, "password");
    settings.auth.ca_pem = String(http, "certificate_authority");
    settings.auth.allow_insecure_http = BoolAttribute(http, "allow_insecure_http").value_or(false);
  }
  if (absl::Status status = git::ValidateAuth(settings.url, settings.auth); !status.ok()) {
    return status;
  }
  return settings;
}

void ProviderState::Configure(Value config) {
  std::lock_guard<std::mutex> lock(mutex_);
  config_ = std::move(config);
  client_.reset();
}

Value ProviderState::GitConfig() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return AttributeOf(config_, "git");
}

absl::StatusOr<GitSettings> ProviderState::Git() const {
  const Value git = GitConfig();
  if (git.IsNull()) {
    return absl::FailedPreconditionError(
        "the provider has no git block: set provider \"flux\" { git = { url = ... } }");
  }
  if (!git.IsWhollyKnown()) {
    return absl::FailedPreconditionError("the provider's git block is not known yet");
  }
  return GitSettingsFrom(git);
}

absl::StatusOr<kube::Client*> ProviderState::Client() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (client_ != nullptr) return client_.get();
  const Value kubernetes = AttributeOf(config_, "kubernetes");
  if (kubernetes.IsNull()) {
    return absl::FailedPreconditionError(
        "the provider has no kubernetes block: set provider \"flux\" { kubernetes = { ... } }");
  }
  if (!kubernetes.IsWhollyKnown()) {
    return absl::FailedPreconditionError("the provider's kubernetes block is not known yet");
  }
  absl::StatusOr<kube::ClusterConfig> config = ClusterConfigFrom(kubernetes);
  if (!config.ok()) return config.status();
  absl::StatusOr<std::unique_ptr<kube::Client>> client = kube::Client::Create(*config);
  if (!client.ok()) return client.status();
  client_ = *std::move(client);
  return client_.get();
}

}  // namespace fluxcpp::provider::flux
