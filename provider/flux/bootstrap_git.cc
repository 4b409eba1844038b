
#include "provider/flux/bootstrap_git.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bootstrap/bootstrap.h"
#include "bootstrap/workflow.h"
#include "lib/git/repository.h"
#include "lib/kube/errors.h"
#include "provider/flux/attributes.h"
#include "provider/flux/options_mapping.h"
#include "provider/framework/object.h"
#include "provider/framework/resource.h"
#include "provider/framework/rules.h"
#include "provider/protocol/text.h"

namespace fluxcpp::provider::flux {
namespace {

using framework::AttributeOf;
using framework::StringAttribute;
using framework::WithAttribute;
using protocol::Attribute;
using protocol::Cat;
using protocol::Diagnostics;
using values::Path;
using values::Type;
using values::Value;

// The Flux components one flux-reconciler serves; others are accepted with a warning.
const std::set<std::string>& ServedComponents() {
  static const std::set<std::string> served = {"source-controller", "kustomize-controller"};
  return served;
}

const std::set<std::string>& DefaultComponents() {
  static const std::set<std::string> defaults = {"source-controller", "kustomize-controller",
                                                 "helm-controller", "notification-controller"};
  return defaults;
}

Value StringSetOf(const std::vector<std::string>& strings) {
  std::vector<Value> values;
  for (const std::string& text : strings) values.push_back(Value::String(text));
  return Value::Set(Type::String(), std::move(values));
}

Value FilesValue(const std::map<std::string, std::string>& files) {
  std::map<std::string, Value> entries;
  for (const auto& [path, content] : files) entries.emplace(path, Value::String(content));
  return Value::Map(Type::String(), std::move(entries));
}

std::map<std::string, std::string> FilesOf(const Value& value) {
  std::map<std::string, std::string> files;
  for (const auto& [path, content] : value.Entries()) {
    files.emplace(path, content.AsString().value_or(""));
  }
  return files;
}

// Whether every input of the bootstrap is known (all but the computed attributes).
bool InputsKnown(const Value& model) {
  for (const auto& [name, value] : model.Entries()) {
    if (name == "id" || name == "repository_files" || name == "revision" || name == "timeouts") {
      continue;
    }
    if (!value.IsWhollyKnown()) return false;
  }
  return true;
}

bootstrap::BootstrapOptions ToOptions(const Value& model, const GitSettings& git) {
  bootstrap::BootstrapOptions options;
  bootstrap::InstallOptions& install = options.install;
  install.namespace_name = String(model, "namespace");
  install.cluster_domain = String(model, "cluster_domain");
  install.components.clear();
  for (const std::string& component : Strings(model, "components")) {
    if (ServedComponents().count(component) != 0) install.components.insert(component);
  }
  install.registry = String(model, "registry");
  install.version = String(model, "version");
  install.image_pull_secret = String(model, "image_pull_secret");
  install.registry_credentials = String(model, "registry_credentials");
  install.log_level = String(model, "log_level");
  install.network_policy = Bool(model, "network_policy", true);
  install.watch_all_namespaces = Bool(model, "watch_all_namespaces", true);
  install.toleration_keys = Strings(model, "toleration_keys");

  bootstrap::SyncOptions& sync = options.sync;
  sync.url = git.url;
  sync.branch = git.branch;
  sync.name = install.namespace_name;
  sync.namespace_name = install.namespace_name;
  sync.secret_name = String(model, "secret_name");
  const git::AuthOptions& auth = git.auth;
  if (auth.ssh_private_key.empty() && auth.username.empty() && auth.password.empty() &&
      auth.bearer_token.empty() && auth.ca_pem.empty()) {
    sync.secret_name.clear();  // a public repository: no Secret, no secretRef
  }
  sync.interval = GoProviderInterval(String(model, "interval"));
  sync.path = String(model, "path");
  sync.recurse_submodules = Bool(model, "recurse_submodules", false);
  sync.kustomization_override = String(model, "kustomization_override");

  options.git.auth = git.auth;
  options.git.author_name = git.author_name;
  if (!git.author_email.empty()) options.git.author_email = git.author_email;
  options.git.commit_message_appendix = git.commit_message_appendix;
  options.git.signing = git.signing;
  options.create_secret = !Bool(model, "disable_secret_creation", false);
  options.poll_interval = std::chrono::milliseconds(1000);
  return options;
}

// Whole seconds, rounded up: when the workflow's own deadline runs out, the operation's has too,
// so the framework names the timeout.
std::chrono::seconds Remaining(absl::Time deadline, absl::Duration fallback) {
  absl::Duration left = deadline == absl::InfiniteFuture() ? fallback : deadline - absl::Now();
  return std::chrono::seconds(
      std::max<int64_t>(1, absl::ToInt64Seconds(absl::Ceil(left, absl::Seconds(1)))));
}

// A folder under the system's temporary folder, removed when the scope ends.
class ScratchFolder {
 public:
  ScratchFolder() {
    std::string pattern = (std::filesystem::temp_directory_path() / "flux-bootstrap-XXXXXX");
    if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~ScratchFolder() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  ScratchFolder(const ScratchFolder&) = delete;
  ScratchFolder& operator=(const ScratchFolder&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

const manifest::GroupVersionKind kGitRepositoryKind{"source.toolkit.fluxcd.io", "v1",
                                                    "GitRepository"};
const manifest::GroupVersionKind kKustomizationKind{"kustomize.toolkit.fluxcd.io", "v1",
                                                    "Kustomization"};

class BootstrapGit final : public framework::Resource {
 public:
  explicit BootstrapGit(std::shared_ptr<ProviderState> provider)
      : Resource(MakeSchema(), Timeouts()), provider_(std::move(provider)) {}

 protected:
  Diagnostics Validate(const Value& config) const override {
    Diagnostics diagnostics;
    if (auto components = framework::StringSetAttribute(config, "components")) {
      static const std::set<std::string> known = {"source-controller", "kustomize-controller",
                                                  "helm-controller", "notification-controller"};
      std::vector<std::string> unserved;
      for (const std::string& component : *components) {
        if (known.count(component) == 0) {
          diagnostics.push_back(protocol::ErrorDiagnostic(
              "Invalid attribute value",
              Cat("Attribute \"components\" may hold only source-controller, "
                  "kustomize-controller, helm-controller and notification-controller; got \"",
                  component, "\"."),
              Path().Attribute("components")));
        } else if (ServedComponents().count(component) == 0) {
          unserved.push_back(component);
        }
      }
      for (const std::string& required : ServedComponents()) {
        if (components->count(required) == 0) {
          diagnostics.push_back(protocol::ErrorDiagnostic(
              "Invalid attribute value",
              Cat("Attribute \"components\" must include ", required, "."),
              Path().Attribute("components")));
        }
      }
      // The default (the Go provider's four controllers) is not worth a warning on every plan.
      if (!unserved.empty() && *components != DefaultComponents()) {
        diagnostics.push_back(
            protocol::WarningDiagnostic("Components not served yet",
                                        Cat("fluxcpp's reconciler does not serve ", Join(unserved),
                                            " yet; they are not installed."),
                                        Path().Attribute("components")));
      }
    }
    if (auto extra = framework::StringSetAttribute(config, "components_extra")) {
      static const std::set<std::string> known = {"image-reflector-controller",
                                                  "image-automation-controller", "source-watcher"};
      std::vector<std::string> names(extra->begin(), extra->end());
      if (names.size() > 3) {
        diagnostics.push_back(protocol::ErrorDiagnostic(
            "Invalid attribute value", "Attribute \"components_extra\" holds at most 3 names.",
            Path().Attribute("components_extra")));
      }
      for (const std::string& name : names) {
        if (known.count(name) == 0) {
          diagnostics.push_back(protocol::ErrorDiagnostic(
              "Invalid attribute value",
              Cat("Attribute \"components_extra\" may hold only image-reflector-controller, "
                  "image-automation-controller and source-watcher; got \"",
                  name, "\"."),
              Path().Attribute("components_extra")));
        }
      }
      if (!names.empty()) {
        diagnostics.push_back(
            protocol::WarningDiagnostic("Components not served yet",
                                        Cat("fluxcpp's reconciler does not serve ", Join(names),
                                            " yet; they are not installed."),
                                        Path().Attribute("components_extra")));
      }
    }
    const Value credentials = AttributeOf(config, "registry_credentials");
    const Value pull_secret = AttributeOf(config, "image_pull_secret");
    if (credentials.IsKnown() && !credentials.IsNull() && pull_secret.IsKnown() &&
        pull_secret.IsNull()) {
      diagnostics.push_back(protocol::ErrorDiagnostic(
          "Missing attribute", "registry_credentials requires image_pull_secret.",
          Path().Attribute("registry_credentials")));
    }
    const bool has_error = std::any_of(
        diagnostics.begin(), diagnostics.end(), [](const protocol::Diagnostic& diagnostic) {
          return diagnostic.severity == protocol::Diagnostic::Severity::kError;
        });
    if (!has_error && InputsKnown(config)) {
      // The install options as bootstrap checks them (namespace, log level, version, ...).
      GitSettings placeholder{.url = "https://example.com/fleet.git"};
      Value model = framework::ApplyDefaults(schema().block, config);
      bootstrap::BootstrapOptions options = ToOptions(model, placeholder);
      if (absl::Status status = options.install.Validate(); !status.ok()) {
        diagnostics.push_back(OptionsDiagnostic(status, Fields()));
      }
      options.sync.url = placeholder.url;
      if (absl::Status status = options.sync.Validate(); !status.ok()) {
        diagnostics.push_back(OptionsDiagnostic(status, Fields()));
      }
    }
    return diagnostics;
  }

  void ModifyPlan(framework::PlanContext& context) const override {
    PlanFiles(context);
    // The revision stays what the last apply pushed while nothing is to be applied; an apply
    // pushes (or finds) a new head, known only then.
    const Value unknown_revision = Value::Unknown(Type::String());
    if (context.IsCreate()) {
      context.planned = WithAttribute(context.planned, "revision", unknown_revision);
      return;
    }
    const Value prior_revision = AttributeOf(context.prior, "revision");
    const Value unchanged = WithAttribute(context.planned, "revision", prior_revision);
    context.planned = WithAttribute(context.planned, "revision",
                                    unchanged == context.prior ? prior_revision : unknown_revision);
  }

  void PlanFiles(framework::PlanContext& context) const {
    Value planned = context.planned;
    if (auto namespace_name = StringAttribute(planned, "namespace")) {
      planned = WithAttribute(planned, "id", Value::String(*namespace_name));
    }
    const Value git_config = provider_->GitConfig();
    if (!InputsKnown(planned) || !git_config.IsWhollyKnown()) {
      planned =
          WithAttribute(planned, "repository_files", Value::Unknown(Type::Map(Type::String())));
      context.planned = std::move(planned);
      return;
    }
    absl::StatusOr<GitSettings> git = provider_->Git();
    if (!git.ok()) {
      context.diagnostics.push_back(
          protocol::ErrorDiagnostic("Invalid provider configuration", git.status(), Path()));
      return;
    }
    const bootstrap::BootstrapOptions options = ToOptions(planned, *git);
    absl::StatusOr<std::map<std::string, std::string>> files =
        bootstrap::RepositoryFiles(options.install, options.sync);
    if (!files.ok()) {
      context.diagnostics.push_back(OptionsDiagnostic(files.status(), Fields()));
      return;
    }
    context.planned = WithAttribute(planned, "repository_files", FilesValue(*files));
  }

  void Create(framework::ApplyContext& context) const override { Bootstrap(context); }

  void Update(framework::ApplyContext& context) const override {
    if (!Bootstrap(context)) return;
    // Files of the prior state the new bootstrap no longer writes (a changed path or namespace).
    std::map<std::string, std::string> stale =
        FilesOf(AttributeOf(context.prior, "repository_files"));
    for (const auto& [path, content] : FilesOf(AttributeOf(context.state, "repository_files"))) {
      stale.erase(path);
    }
    if (stale.empty()) return;
    absl::StatusOr<GitSettings> git = provider_->Git();
    if (!git.ok()) return;
    absl::Status removed = RemoveFiles(*git, stale, "Update Flux manifests");
    if (!removed.ok()) {
      context.diagnostics.push_back(
          protocol::WarningDiagnostic("Old bootstrap files left in Git", Cat(removed.message())));
    }
  }

  void Delete(framework::ApplyContext& context) const override {
    const Value& prior = context.prior;
    bootstrap::UninstallOptions options;
    options.namespace_name = String(prior, "namespace");
    options.secret_name = String(prior, "secret_name");
    options.keep_namespace = Bool(prior, "keep_namespace", false);
    options.delete_git_manifests = Bool(prior, "delete_git_manifests", true);
    options.timeout = Remaining(context.cancellation.deadline(), absl::Minutes(5));
    options.cancel = context.cancellation.stop_flag();
    if (options.delete_git_manifests) {
      absl::StatusOr<GitSettings> git = provider_->Git();
      if (!git.ok()) {
        context.diagnostics.push_back(
            protocol::ErrorDiagnostic("Invalid provider configuration", git.status()));
        return;
      }
      bootstrap::BootstrapOptions bootstrap_options = ToOptions(prior, *git);
      options.sync = bootstrap_options.sync;
      options.git = bootstrap_options.git;
    }
    absl::StatusOr<kube::Client*> client = provider_->Client();
    if (!client.ok()) {
      context.diagnostics.push_back(
          protocol::ErrorDiagnostic("Cannot reach the cluster", client.status()));
      return;
    }
    absl::StatusOr<bootstrap::UninstallResult> result = bootstrap::Uninstall(options, **client);
    if (!result.ok()) {
      context.diagnostics.push_back(protocol::ErrorDiagnostic(
          Cat("Uninstalling Flux from namespace ", options.namespace_name, " failed"),
          result.status()));
    }
  }

  void Refresh(framework::RefreshContext& context) const override {
    Value state = context.state;
    const bool imported = AttributeOf(state, "repository_files").IsNull();
    if (imported) state = FromCluster(state, context.diagnostics);
    if (!context.diagnostics.empty() &&
        context.diagnostics.back().severity == protocol::Diagnostic::Severity::kError) {
      return;
    }
    absl::StatusOr<GitSettings> git = provider_->Git();
    if (!git.ok()) {
      context.diagnostics.push_back(protocol::WarningDiagnostic(
          "Git not checked", Cat("The files in Git were not read: ", git.status().message())));
      context.state = std::move(state);
      return;
    }
    std::map<std::string, std::string> tracked = FilesOf(AttributeOf(state, "repository_files"));
    if (imported) {
      const bootstrap::BootstrapOptions options = ToOptions(state, *git);
      absl::StatusOr<std::map<std::string, std::string>> expected =
          bootstrap::RepositoryFiles(options.install, options.sync);
      if (expected.ok()) tracked = *std::move(expected);
    }
    // libgit2 would wait for a silent server far beyond the read timeout.
    if (absl::Status reachable = bootstrap::CheckReachable(git->url, std::chrono::seconds(30));
        !reachable.ok()) {
      context.diagnostics.push_back(
          protocol::ErrorDiagnostic("Cannot read the Git repository", reachable));
      return;
    }
    absl::StatusOr<std::optional<std::string>> head =
        git::LsRemote(git->url, git->branch, git->auth);
    if (!head.ok()) {
      context.diagnostics.push_back(
          protocol::ErrorDiagnostic("Cannot read the Git repository", head.status()));
      return;
    }
    std::map<std::string, std::string> files;
    const bool sync_missing = !imported && SyncObjectsMissing(String(state, "namespace"));
    const bool secret_stale = !imported && !sync_missing && SecretStale(state, *git);
    const bool pull_secret_stale =
        !imported && !sync_missing && !secret_stale && PullSecretStale(state, *git);
    if (head->has_value() && **head == context.private_data && !imported) {
      files = tracked;  // the branch has not moved since we last read it
    } else if (head->has_value()) {
      ScratchFolder scratch;
      absl::StatusOr<std::unique_ptr<git::Repository>> clone = git::Repository::Clone(
          git->url, scratch.path() + "/repo", {.branch = git->branch, .auth = git->auth});
      if (!clone.ok()) {
        context.diagnostics.push_back(
            protocol::ErrorDiagnostic("Cannot read the Git repository", clone.status()));
        return;
      }
      for (const auto& [path, content] : tracked) {
        // A file removed in Git drops out of the state, so the plan writes it again.
        if (absl::StatusOr<std::string> text = (*clone)->ReadFile(path); text.ok()) {
          files.emplace(path, *std::move(text));
        }
      }
      context.private_data = **head;
    }
    if (sync_missing || secret_stale || pull_secret_stale) {
      // As the Go provider does: a blank gotk-sync.yaml makes the plan apply the sync again.
      const std::string sync_path =
          RepositoryPath(String(state, "path"), String(state, "namespace"), "gotk-sync.yaml");
      files[sync_path] = "";
      const std::string namespace_name = String(state, "namespace");
      if (sync_missing) {
        context.diagnostics.push_back(protocol::WarningDiagnostic(
            "Flux sync objects missing",
            Cat("The GitRepository or Kustomization ", namespace_name, "/", namespace_name,
                " is missing from the cluster; apply restores them.")));
      } else if (secret_stale) {
        context.diagnostics.push_back(protocol::WarningDiagnostic(
            "Flux Git credentials out of date",
            Cat("The Secret ", namespace_name, "/", String(state, "secret_name"),
                " does not hold the provider's Git credentials; apply updates it.")));
      } else {
        context.diagnostics.push_back(protocol::WarningDiagnostic(
            "Registry credentials out of date",
            Cat("The Secret ", namespace_name, "/", String(state, "image_pull_secret"),
                " is missing or does not hold registry_credentials; apply updates it.")));
      }
    }
    state = WithAttribute(state, "repository_files", FilesValue(files));
    if (imported && head->has_value()) {
      state = WithAttribute(state, "revision",
                            Value::String(bootstrap::BranchRevision(git->branch, **head)));
    }
    context.state = std::move(state);
  }

  void ImportState(framework::ImportContext& context) const override {
    if (context.id.empty()) {
      context.diagnostics.push_back(protocol::ErrorDiagnostic(
          "Invalid import ID", "The ID is the namespace Flux is installed in."));
      return;
    }
    context.state = WithAttribute(context.state, "id", Value::String(context.id));
    context.state = WithAttribute(context.state, "namespace", Value::String(context.id));
  }

 private:
  static std::string Join(const std::vector<std::string>& names) {
    std::string text;
    for (const std::string& name : names) text += (text.empty() ? "" : ", ") + name;
    return text;
  }

  static std::map<std::string, std::string> Fields() {
    return {{"namespace_name", "namespace"}, {"url", ""}, {"branch", ""}, {"name", ""}};
  }

  static framework::TimeoutDefaults Timeouts() {
    return {{"create", absl::Minutes(15)},
            {"read", absl::Minutes(15)},
            {"update", absl::Minutes(15)},
            {"delete", absl::Minutes(5)}};
  }

  // Runs the bootstrap for the planned state; false (with an error diagnostic) when it failed.
  bool Bootstrap(framework::ApplyContext& context) const {
    absl::StatusOr<GitSettings> git = provider_->Git();
    if (!git.ok()) {
      context.diagnostics.push_back(
          protocol::ErrorDiagnostic("Invalid provider configuration", git.status()));
      return false;
    }
    absl::StatusOr<kube::Client*> client = provider_->Client();
    if (!client.ok()) {
      context.diagnostics.push_back(
          protocol::ErrorDiagnostic("Cannot reach the cluster", client.status()));
      return false;
    }
    bootstrap::BootstrapOptions options = ToOptions(context.state, *git);
    options.timeout = Remaining(context.cancellation.deadline(), absl::Minutes(15));
    options.cancel = context.cancellation.stop_flag();
    absl::StatusOr<bootstrap::BootstrapResult> result = bootstrap::BootstrapGit(options, **client);
    if (!result.ok()) {
      context.diagnostics.push_back(protocol::ErrorDiagnostic(
          Cat("Bootstrapping Flux in namespace ", options.install.namespace_name, " failed"),
          result.status()));
      return false;
    }
    Value state = context.state;
    state = WithAttribute(state, "id", Value::String(options.install.namespace_name));
    if (!AttributeOf(state, "repository_files").IsKnown()) {
      state = WithAttribute(state, "repository_files", FilesValue(result->repository_files));
    }
    state = WithAttribute(state, "revision", Value::String(result->revision));
    context.state = std::move(state);
    context.private_data = result->commit;
    return true;
  }

  static absl::Status RemoveFiles(const GitSettings& git,
                                  const std::map<std::string, std::string>& files,
                                  const std::string& message) {
    ScratchFolder scratch;
    absl::StatusOr<std::unique_ptr<git::Repository>> clone = git::Repository::Clone(
        git.url, scratch.path() + "/repo", {.branch = git.branch, .auth = git.auth});
    if (!clone.ok()) return clone.status();
    for (const auto& [path, content] : files) {
      if (absl::Status status = (*clone)->RemoveFile(path); !status.ok()) return status;
    }
    absl::StatusOr<git::CommitResult> commit = (*clone)->Commit(
        {.author_name = git.author_name,
         .author_email = git.author_email.empty() ? "flux@localhost" : git.author_email,
         .message = message,
         .signing = git.signing});
    if (!commit.ok()) return commit.status();
    if (!commit->created) return absl::OkStatus();
    return (*clone)->Push().status();
  }

  // Whether the GitRepository or the Kustomization <ns>/<ns> is gone from the cluster; false when
  // the cluster cannot be asked (its configuration may not be known yet).
  bool SyncObjectsMissing(const std::string& namespace_name) const {
    absl::StatusOr<kube::Client*> client = provider_->Client();
    if (!client.ok()) return false;
    for (const manifest::GroupVersionKind& kind : {kGitRepositoryKind, kKustomizationKind}) {
      absl::StatusOr<manifest::Object> object =
          (*client)->Get(kind, namespace_name, namespace_name);
      if (!object.ok() && (kube::IsNotFoundError(object.status()) ||
                           object.status().code() == absl::StatusCode::kNotFound)) {
        return true;
      }
    }
    return false;
  }

  // Whether the Secret with the Git credentials is missing or holds other credentials than the
  // provider's (rotated in the configuration, or changed in the cluster). False when it is not
  // ours to manage or the cluster cannot be asked.
  bool SecretStale(const Value& state, const GitSettings& git) const {
    if (Bool(state, "disable_secret_creation", false)) return false;
    const bootstrap::BootstrapOptions options = ToOptions(state, git);
    if (options.sync.secret_name.empty()) return false;
    absl::StatusOr<kube::Client*> client = provider_->Client();
    if (!client.ok()) return false;
    bootstrap::GitCredentials credentials =
        git.url.rfind("ssh://", 0) == 0
            ? bootstrap::GitCredentials(
                  bootstrap::SshCredentials{.identity = git.auth.ssh_private_key,
                                            .known_hosts = git.auth.known_hosts,
                                            .password = git.auth.ssh_passphrase})
            : bootstrap::GitCredentials(bootstrap::HttpsCredentials{.username = git.auth.username,
                                                                    .password = git.auth.password,
                                                                    .ca_crt = git.auth.ca_pem});
    absl::StatusOr<manifest::Object> wanted =
        bootstrap::GenerateSyncSecret(options.sync, credentials);
    if (!wanted.ok()) return false;
    absl::StatusOr<manifest::Object> current =
        (*client)->Get({"", "v1", "Secret"}, options.sync.namespace_name, options.sync.secret_name);
    if (!current.ok()) {
      return kube::IsNotFoundError(current.status()) ||
             current.status().code() == absl::StatusCode::kNotFound;
    }
    const manifest::Json& wanted_data = wanted->json()["data"];
    const manifest::Json& current_data = current->json()["data"];
    for (auto it = wanted_data.begin(); it != wanted_data.end(); ++it) {
      if (it.key() == "identity.pub") continue;  // derived; not compared
      if (!current_data.is_object() || !current_data.contains(it.key()) ||
          current_data[it.key()] != it.value()) {
        return true;
      }
    }
    return false;
  }

  // Whether the image pull Secret made from registry_credentials is missing from the cluster or
  // holds other credentials. False without registry_credentials or when the cluster cannot be
  // asked.
  bool PullSecretStale(const Value& state, const GitSettings& git) const {
    const bootstrap::BootstrapOptions options = ToOptions(state, git);
    if (options.install.registry_credentials.empty()) return false;
    absl::StatusOr<manifest::Object> wanted = bootstrap::GenerateImagePullSecret(options.install);
    if (!wanted.ok()) return false;
    absl::StatusOr<kube::Client*> client = provider_->Client();
    if (!client.ok()) return false;
    absl::StatusOr<manifest::Object> current = (*client)->Get(
        {"", "v1", "Secret"}, options.install.namespace_name, options.install.image_pull_secret);
    if (!current.ok()) {
      return kube::IsNotFoundError(current.status()) ||
             current.status().code() == absl::StatusCode::kNotFound;
    }
    return current->json().value("data", manifest::Json::object()) != wanted->json()["data"];
  }

  // After an import: the defaults, and what the cluster tells of the sync (path, interval,
  // secret).
  Value FromCluster(Value state, Diagnostics& diagnostics) const {
    for (const Attribute& attribute : schema().block.attributes) {
      if (attribute.default_value && AttributeOf(state, attribute.name).IsNull()) {
        state = WithAttribute(state, attribute.name, *attribute.default_value);
      }
    }
    const std::string namespace_name = String(state, "namespace");
    absl::StatusOr<kube::Client*> client = provider_->Client();
    if (!client.ok()) {
      diagnostics.push_back(protocol::ErrorDiagnostic("Cannot reach the cluster", client.status()));
      return state;
    }
    absl::StatusOr<manifest::Object> repository =
        (*client)->Get(kGitRepositoryKind, namespace_name, namespace_name);
    absl::StatusOr<manifest::Object> kustomization =
        (*client)->Get(kKustomizationKind, namespace_name, namespace_name);
    if (!repository.ok() || !kustomization.ok()) {
      diagnostics.push_back(protocol::ErrorDiagnostic(
          "Cannot import",
          Cat("No Flux sync objects GitRepository and Kustomization ", namespace_name, "/",
              namespace_name, " in the cluster: ",
              (!repository.ok() ? repository.status() : kustomization.status()).message())));
      return state;
    }
    const manifest::Json& spec = repository->json()["spec"];
    if (spec.contains("interval")) {
      state = WithAttribute(state, "interval", Value::String(spec.value("interval", "1m0s")));
    }
    if (spec.contains("secretRef")) {
      state = WithAttribute(state, "secret_name",
                            Value::String(spec["secretRef"].value("name", "flux-system")));
    }
    const manifest::GroupVersionKind policy_kind{"networking.k8s.io", "v1", "NetworkPolicy"};
    if (absl::StatusOr<kube::ObjectList> policies = (*client)->List(policy_kind, namespace_name);
        policies.ok()) {
      state = WithAttribute(state, "network_policy", Value::Bool(!policies->items.empty()));
    }
    std::string path = kustomization->json()["spec"].value("path", "");
    if (path.rfind("./", 0) == 0) path = path.substr(2);
    while (!path.empty() && path.back() == '/') path.pop_back();
    if (!path.empty() && path != ".") state = WithAttribute(state, "path", Value::String(path));
    return state;
  }

  static protocol::Schema MakeSchema() {
    const bootstrap::InstallOptions install;
    protocol::Schema schema;
    schema.block.description =
        "Commits the Flux bootstrap files to the provider's Git repository, applies them to the "
        "provider's cluster and waits until the cluster reconciles itself from that commit, as "
        "`flux bootstrap git` does. The id is the namespace.";
    Attribute id{.name = "id",
                 .type = Type::String(),
                 .description = "The namespace.",
                 .computed = true,
                 .use_state_for_unknown = true};
    Attribute namespace_name = DefaultedAttribute("namespace", Value::String("flux-system"),
                                                  "Namespace Flux is installed in.");
    namespace_name.requires_replace = true;
    Attribute secret_name = DefaultedAttribute("secret_name", Value::String("flux-system"),
                                               "Secret with the Git credentials.");
    secret_name.requires_replace = true;
    Attribute registry_credentials = OptionalAttribute(
        "registry_credentials", Type::String(),
        "`user:password` for the image registry; requires `image_pull_secret`. The bootstrap "
        "creates that Secret (kubernetes.io/dockerconfigjson) in the cluster, never in Git.");
    registry_credentials.sensitive = true;
    Attribute manifests_path = OptionalAttribute("manifests_path", Type::String(),
                                                 "The Go provider's old manifests folder.");
    manifests_path.deprecated = true;
    manifests_path.deprecation_message = "Ignored: fluxcpp generates the manifests itself.";
    schema.block.attributes = {
        id,
        namespace_name,
        secret_name,
        DefaultedAttribute("cluster_domain", Value::String(install.cluster_domain),
                           "The internal cluster domain."),
        DefaultedAttribute("components",
                           StringSetOf({DefaultComponents().begin(), DefaultComponents().end()}),
                           "Toolkit components; must include `source-controller` and "
                           "`kustomize-controller`. Others are not served yet and get a warning."),
        OptionalAttribute("components_extra", Type::Set(Type::String()),
                          "Extra toolkit components; none is served yet."),
        DefaultedAttribute("delete_git_manifests", Value::Bool(true),
                           "Remove the bootstrap files from Git on destroy."),
        OptionalAttribute("disable_secret_creation", Type::Bool(),
                          "Do not create the Secret with the Git credentials."),
        DefaultedAttribute(
            "embedded_manifests", Value::Bool(false),
            "Accepted for compatibility: fluxcpp always generates the manifests itself."),
        OptionalAttribute("image_pull_secret", Type::String(),
                          "Secret in `namespace` for pulling the reconciler image."),
        DefaultedAttribute("interval", Value::String("1m0s"),
                           "How often the repository is fetched."),
        DefaultedAttribute("keep_namespace", Value::Bool(false), "Keep the namespace on destroy."),
        OptionalAttribute("kustomization_override", Type::String(),
                          "Replaces the generated `<path>/<namespace>/kustomization.yaml`; its "
                          "resources must list gotk-components.yaml and gotk-sync.yaml. Its "
                          "patches reach the cluster through the reconciler."),
        DefaultedAttribute("log_level", Value::String(install.log_level),
                           "Log level: `info`, `debug` or `error`."),
        manifests_path,
        DefaultedAttribute("network_policy", Value::Bool(install.network_policy),
                           "Deny ingress from other namespaces with network policies."),
        OptionalAttribute("path", Type::String(), "Folder of the repository for this cluster."),
        OptionalAttribute("recurse_submodules", Type::Bool(), "Fetch submodules too."),
        DefaultedAttribute("registry", Value::String(install.registry),
                           "Registry the reconciler image is pulled from."),
        registry_credentials,
        Attribute{.name = "repository_files",
                  .type = Type::Map(Type::String()),
                  .description = "The bootstrap files in Git, path → content.",
                  .computed = true},
        Attribute{.name = "revision",
                  .type = Type::String(),
                  .description = "Flux's revision (`<branch>@sha1:<commit>`) of the branch head "
                                 "the last create or update pushed or found the bootstrap files "
                                 "in; unchanged by refreshes, so later commits of others do not "
                                 "show as changes. fluxcpp only: the Go provider has no such "
                                 "attribute.",
                  .computed = true},
        OptionalAttribute("toleration_keys", Type::Set(Type::String()), "Taint keys tolerated."),
        DefaultedAttribute("version", Value::String(install.version),
                           "Version of the reconciler: `latest` or a tag starting with `v`."),
        DefaultedAttribute("watch_all_namespaces", Value::Bool(install.watch_all_namespaces),
                           "Watch Flux objects in every namespace."),
    };
    return schema;
  }

  std::shared_ptr<ProviderState> provider_;
};

}  // namespace

std::unique_ptr<protocol::Resource> MakeBootstrapGitResource(
    std::shared_ptr<ProviderState> provider) {
  return std::make_unique<BootstrapGit>(std::move(provider));
}

}  // namespace fluxcpp::provider::flux
