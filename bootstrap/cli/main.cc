// fluxcpp: the command line over the bootstrap toolkit.
//
//   fluxcpp bootstrap git --url ... [flags]   commit, push, apply and wait for the reconciler
//   fluxcpp install [--export]                 apply (or print) the install set
//   fluxcpp uninstall [flags]                  remove an install
//   fluxcpp check [--namespace NS]             is the install there and healthy?
//   fluxcpp kustomize build [--root R] DIR     print the build of DIR as `kustomize build` does
//
// Exit codes: 0 success, 1 failure, 2 usage error. Progress and errors go to stderr; exported YAML
// goes to stdout.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "bootstrap/bootstrap.h"
#include "bootstrap/manifests.h"
#include "bootstrap/validation.h"
#include "lib/git/auth.h"
#include "lib/kube/client.h"
#include "lib/kube/config.h"
#include "lib/kustomize/build.h"
#include "lib/manifest/yaml.h"

namespace fluxcpp::bootstrap {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

// A usage error found after parsing (a flag that needs another, a bad duration).
struct UsageError {
  std::string message;
};

// Flags shared by the commands that talk to a cluster.
struct ClusterFlags {
  std::string kubeconfig;
  std::string context;
  std::string timeout = "5m";
};

// Flags of the Git repository (bootstrap git, uninstall --delete-git-manifests).
struct GitFlags {
  std::string url;
  std::string branch = "main";
  std::string path;
  std::string private_key_file;
  std::string known_hosts_file;
  std::string username;
  std::string password;
  std::string ca_file;
  bool allow_insecure_http = false;
  std::string author_name = "Flux";
  std::string author_email = "flux@localhost";
  std::string commit_message_appendix;
  std::string gpg_key_ring;
  std::string gpg_passphrase;
  std::string gpg_key_id;
};

// Flags of the install set.
struct InstallFlags {
  std::string namespace_name = "flux-system";
  std::vector<std::string> components = {"source-controller", "kustomize-controller"};
  std::string registry = "ghcr.io/fluxcpp";
  std::string version = kReleaseVersion;
  std::string cluster_domain = "cluster.local";
  std::string log_level = "info";
  std::string image_pull_secret;
  std::string registry_credentials;  // bootstrap only: the Secret is created in the cluster
  std::vector<std::string> toleration_keys;
  bool network_policy = true;
  bool watch_all_namespaces = true;
};

void PrintProgress(std::string_view line) { std::cerr << "► " << line << std::endl; }

// Reports an error found while checking the command line.
int Usage(const absl::Status& status) {
  std::cerr << "✗ " << status.message() << std::endl;
  return kExitUsage;
}

// Reports an error of the work itself.
int Fail(const absl::Status& status) {
  std::cerr << "✗ " << status.message() << std::endl;
  return kExitFailure;
}

absl::StatusOr<std::string> ReadFile(const std::string& path, absl::string_view what) {
  std::ifstream file(path, std::ios::binary);
  if (!file.good()) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": cannot read ", path));
  }
  std::ostringstream content;
  content << file.rdbuf();
  return content.str();
}

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

void AddClusterFlags(CLI::App& command, ClusterFlags& flags) {
  command.add_option("--kubeconfig", flags.kubeconfig,
                     "kubeconfig file to use (default: $KUBECONFIG, else ~/.kube/config, else "
                     "the in-cluster configuration)");
  command.add_option("--context", flags.context,
                     "kubeconfig context to use (default: its current-context)");
  command
      .add_option("--timeout", flags.timeout,
                  "how long the whole command may take, as a duration (90s, 5m, 1h); a wait "
                  "that runs out names what is not ready and why")
      ->capture_default_str();
}

void AddInstallFlags(CLI::App& command, InstallFlags& flags) {
  command
      .add_option("--namespace,-n", flags.namespace_name,
                  "namespace of the install; also names the GitRepository, the Kustomization and "
                  "the bootstrap folder in Git")
      ->capture_default_str();
  command
      .add_option("--components", flags.components,
                  "Flux controllers to install, comma-separated; must include "
                  "source-controller and kustomize-controller (both served by flux-reconciler)")
      ->delimiter(',')
      ->capture_default_str();
  command.add_option("--registry", flags.registry, "image registry of the reconciler image")
      ->capture_default_str();
  command
      .add_option("--version", flags.version,
                  "reconciler version: \"latest\" or a tag starting with v")
      ->capture_default_str();
  command.add_option("--cluster-domain", flags.cluster_domain, "the cluster's DNS domain")
      ->capture_default_str();
  command.add_option("--log-level", flags.log_level, "reconciler log level: info, debug, error")
      ->capture_default_str();
  command.add_option("--image-pull-secret", flags.image_pull_secret,
                     "Secret in the namespace for pulling the reconciler image");
  command
      .add_option("--toleration-keys", flags.toleration_keys,
                  "taint keys the reconciler tolerates, comma-separated")
      ->delimiter(',');
  command.add_flag("--network-policy,!--no-network-policy", flags.network_policy,
                   "install network policies that restrict the reconciler's namespace (default "
                   "on)");
  command.add_flag("--watch-all-namespaces,!--no-watch-all-namespaces", flags.watch_all_namespaces,
                   "reconcile objects in every namespace, not only the install's (default on)");
}

void AddGitFlags(CLI::App& command, GitFlags& flags) {
  command.add_option("--url", flags.url,
                     "Git repository URL: ssh://user@host[:port]/path, https://... or (with "
                     "--allow-insecure-http) http://...; scp-like addresses are not accepted");
  command.add_option("--branch", flags.branch, "branch to commit to and to follow")
      ->capture_default_str();
  command.add_option("--path", flags.path,
                     "folder of the repository for this cluster (e.g. clusters/dev); the "
                     "bootstrap files go to <path>/<namespace>/");
  command
      .add_option("--private-key-file", flags.private_key_file,
                  "SSH private key for ssh:// URLs (its passphrase, if any, with --password); "
                  "also given to the reconciler, with <file>.pub when it exists")
      ->check(CLI::ExistingFile);
  command
      .add_option("--known-hosts-file", flags.known_hosts_file,
                  "known_hosts with the Git server's host key, required for ssh:// URLs (the "
                  "host key is never scanned live); also given to the reconciler")
      ->check(CLI::ExistingFile);
  command.add_option("--username,-u", flags.username,
                     "user name for http(s):// URLs (default: $GIT_USERNAME)");
  command.add_option("--password,-p", flags.password,
                     "password or token for http(s):// URLs (default: $GIT_PASSWORD; prefer the "
                     "variable, command lines are visible to other users); for ssh:// URLs the "
                     "passphrase of --private-key-file, kept in the reconciler's Secret as "
                     "`password`, as Flux does");
  command
      .add_option("--ca-file", flags.ca_file,
                  "PEM CA bundle that signs the https:// server's certificate")
      ->check(CLI::ExistingFile);
  command.add_flag("--allow-insecure-http", flags.allow_insecure_http,
                   "allow plain http:// URLs, which expose credentials and content");
  command.add_option("--author-name", flags.author_name, "commit author name")
      ->capture_default_str();
  command.add_option("--author-email", flags.author_email, "commit author email")
      ->capture_default_str();
  command.add_option("--commit-message-appendix", flags.commit_message_appendix,
                     "text appended to commit messages");
  command
      .add_option("--gpg-key-ring", flags.gpg_key_ring,
                  "armored OpenPGP key ring with the secret key that signs the commits (as "
                  "`gpg --export-secret-keys --armor KEYID` writes it); unsigned without it")
      ->check(CLI::ExistingFile);
  command.add_option("--gpg-passphrase", flags.gpg_passphrase,
                     "passphrase of the signing key (default: $GPG_PASSPHRASE; prefer the "
                     "variable, command lines are visible to other users)");
  command.add_option("--gpg-key-id", flags.gpg_key_id,
                     "id of the signing key in the key ring, 16 hex digits (default: its first "
                     "signing key)");
}

absl::StatusOr<std::unique_ptr<kube::Client>> Connect(const ClusterFlags& flags) {
  absl::StatusOr<kube::ClusterConfig> config;
  if (flags.kubeconfig.empty() && flags.context.empty()) {
    config = kube::DefaultConfig();
  } else {
    kube::KubeconfigOptions options;
    if (!flags.kubeconfig.empty()) options.paths.push_back(flags.kubeconfig);
    options.context = flags.context;
    config = kube::LoadKubeconfig(options);
  }
  if (!config.ok()) {
    return absl::Status(config.status().code(),
                        absl::StrCat("kubeconfig: ", config.status().message()));
  }
  return kube::Client::Create(*config);
}

absl::StatusOr<InstallOptions> ToInstallOptions(const InstallFlags& flags) {
  InstallOptions options;
  options.namespace_name = flags.namespace_name;
  options.components = {flags.components.begin(), flags.components.end()};
  options.registry = flags.registry;
  options.version = flags.version;
  options.cluster_domain = flags.cluster_domain;
  options.log_level = flags.log_level;
  options.image_pull_secret = flags.image_pull_secret;
  options.registry_credentials = flags.registry_credentials;
  options.toleration_keys = {flags.toleration_keys.begin(), flags.toleration_keys.end()};
  options.network_policy = flags.network_policy;
  options.watch_all_namespaces = flags.watch_all_namespaces;
  if (absl::Status valid = options.Validate(); !valid.ok()) {
    // Unimplemented components are a usage problem of this command line too.
    return absl::InvalidArgumentError(valid.message());
  }
  return options;
}

absl::StatusOr<GitOptions> ToGitOptions(const GitFlags& flags) {
  if (flags.url.empty()) return absl::InvalidArgumentError("--url is required");
  GitOptions options;
  options.author_name = flags.author_name;
  options.author_email = flags.author_email;
  options.commit_message_appendix = flags.commit_message_appendix;
  options.auth.allow_insecure_http = flags.allow_insecure_http;
  if (!flags.gpg_key_ring.empty()) {
    absl::StatusOr<std::string> ring = ReadFile(flags.gpg_key_ring, "--gpg-key-ring");
    if (!ring.ok()) return ring.status();
    options.signing.armored_key_ring = *ring;
    options.signing.passphrase =
        flags.gpg_passphrase.empty() ? Env("GPG_PASSPHRASE") : flags.gpg_passphrase;
    options.signing.key_id = flags.gpg_key_id;
  } else if (!flags.gpg_passphrase.empty() || !flags.gpg_key_id.empty()) {
    return absl::InvalidArgumentError("--gpg-passphrase and --gpg-key-id need --gpg-key-ring");
  }
  std::string scheme = UrlScheme(flags.url);
  if (scheme == "ssh") {
    if (!flags.username.empty() || !flags.ca_file.empty()) {
      return absl::InvalidArgumentError(
          "--username and --ca-file are for http(s):// URLs; ssh:// URLs take "
          "--private-key-file, --known-hosts-file and --password for the key's passphrase");
    }
    // Only from the flag: $GIT_PASSWORD is the http(s) password.
    options.auth.ssh_passphrase = flags.password;
    if (flags.private_key_file.empty() || flags.known_hosts_file.empty()) {
      return absl::InvalidArgumentError(
          "ssh:// URLs need --private-key-file and --known-hosts-file");
    }
    absl::StatusOr<std::string> key = ReadFile(flags.private_key_file, "--private-key-file");
    if (!key.ok()) return key.status();
    options.auth.ssh_private_key = *key;
    absl::StatusOr<std::string> known_hosts =
        ReadFile(flags.known_hosts_file, "--known-hosts-file");
    if (!known_hosts.ok()) return known_hosts.status();
    options.auth.known_hosts = *known_hosts;
    absl::StatusOr<std::string> public_key =
        ReadFile(flags.private_key_file + ".pub", "--private-key-file");
    if (public_key.ok()) options.ssh_public_key = *public_key;
  } else {
    if (!flags.private_key_file.empty() || !flags.known_hosts_file.empty()) {
      return absl::InvalidArgumentError(
          "--private-key-file and --known-hosts-file are for ssh:// URLs; http(s):// URLs take "
          "--username and --password");
    }
    options.auth.username = flags.username.empty() ? Env("GIT_USERNAME") : flags.username;
    options.auth.password = flags.password.empty() ? Env("GIT_PASSWORD") : flags.password;
    if (!flags.ca_file.empty()) {
      absl::StatusOr<std::string> ca = ReadFile(flags.ca_file, "--ca-file");
      if (!ca.ok()) return ca.status();
      options.auth.ca_pem = *ca;
    }
  }
  return options;
}

absl::StatusOr<std::chrono::seconds> Timeout(const ClusterFlags& flags) {
  std::optional<std::chrono::milliseconds> timeout = ParseFluxDuration(flags.timeout);
  if (!timeout || *timeout < std::chrono::seconds(1)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--timeout: \"", flags.timeout, "\" is not a duration of 1s or more such as 90s or 5m"));
  }
  return std::chrono::ceil<std::chrono::seconds>(*timeout);
}

int RunBootstrapGit(const InstallFlags& install_flags, const GitFlags& git_flags,
                    const ClusterFlags& cluster_flags, const std::string& interval,
                    const std::string& secret_name) {
  BootstrapOptions options;
  absl::StatusOr<InstallOptions> install = ToInstallOptions(install_flags);
  if (!install.ok()) return Usage(install.status());
  options.install = *install;
  absl::StatusOr<GitOptions> git = ToGitOptions(git_flags);
  if (!git.ok()) return Usage(git.status());
  options.git = *git;
  options.sync.url = git_flags.url;
  options.sync.branch = git_flags.branch;
  options.sync.path = git_flags.path;
  options.sync.interval = interval;
  options.sync.name = install->namespace_name;
  options.sync.namespace_name = install->namespace_name;
  options.sync.secret_name = secret_name;
  absl::StatusOr<std::chrono::seconds> timeout = Timeout(cluster_flags);
  if (!timeout.ok()) return Usage(timeout.status());
  options.timeout = *timeout;
  if (absl::Status valid = options.sync.Validate(); !valid.ok()) return Usage(valid);
  if (absl::Status valid = git::ValidateAuth(options.sync.url, options.git.auth); !valid.ok()) {
    return Usage(valid);
  }

  absl::StatusOr<std::unique_ptr<kube::Client>> client = Connect(cluster_flags);
  if (!client.ok()) return Fail(client.status());
  absl::StatusOr<BootstrapResult> result = BootstrapGit(options, **client, PrintProgress);
  if (!result.ok()) return Fail(result.status());
  std::cerr << "✔ bootstrapped " << options.sync.namespace_name << " at " << result->revision
            << (result->Unchanged() ? " (nothing changed)" : "") << std::endl;
  return kExitOk;
}

int RunInstall(const InstallFlags& flags, const ClusterFlags& cluster_flags, bool export_only) {
  absl::StatusOr<InstallOptions> options = ToInstallOptions(flags);
  if (!options.ok()) return Usage(options.status());
  absl::StatusOr<std::vector<manifest::Object>> objects = GenerateInstall(*options);
  if (!objects.ok()) return Fail(objects.status());
  if (export_only) {
    std::cout << manifest::ToYaml(*objects);
    return kExitOk;
  }
  absl::StatusOr<std::chrono::seconds> timeout = Timeout(cluster_flags);
  if (!timeout.ok()) return Usage(timeout.status());
  absl::StatusOr<std::unique_ptr<kube::Client>> client = Connect(cluster_flags);
  if (!client.ok()) return Fail(client.status());
  PrintProgress(absl::StrCat("applying the install set (", objects->size(), " objects)"));
  kube::ApplyResult applied = kube::ApplyAll(**client, *objects, {.field_manager = "fluxcpp"});
  if (!applied.status.ok()) return Fail(applied.status);
  PrintProgress(absl::StrCat("the install set: ", applied.change_set.Summary()));
  PrintProgress("waiting for the install set to be ready");
  if (absl::Status ready = kube::WaitForSet(**client, *objects, {.timeout = *timeout});
      !ready.ok()) {
    return Fail(ready);
  }
  std::cerr << "✔ installed in " << options->namespace_name << std::endl;
  return kExitOk;
}

int RunUninstall(const std::string& namespace_name, const GitFlags& git_flags,
                 const ClusterFlags& cluster_flags, bool keep_namespace, bool keep_crds,
                 bool delete_git_manifests, const std::string& secret_name) {
  UninstallOptions options;
  options.namespace_name = namespace_name;
  options.secret_name = secret_name;
  options.keep_namespace = keep_namespace;
  options.delete_crds = !keep_crds;
  options.delete_git_manifests = delete_git_manifests;
  if (delete_git_manifests) {
    absl::StatusOr<GitOptions> git = ToGitOptions(git_flags);
    if (!git.ok()) return Usage(git.status());
    options.git = *git;
    options.sync.url = git_flags.url;
    options.sync.branch = git_flags.branch;
    options.sync.path = git_flags.path;
    options.sync.name = namespace_name;
    options.sync.namespace_name = namespace_name;
  } else if (!git_flags.url.empty()) {
    return Usage(absl::InvalidArgumentError(
        "--url and the other Git flags are only used with --delete-git-manifests"));
  }
  absl::StatusOr<std::chrono::seconds> timeout = Timeout(cluster_flags);
  if (!timeout.ok()) return Usage(timeout.status());
  options.timeout = *timeout;
  absl::StatusOr<std::unique_ptr<kube::Client>> client = Connect(cluster_flags);
  if (!client.ok()) return Fail(client.status());
  absl::StatusOr<UninstallResult> result = Uninstall(options, **client, PrintProgress);
  if (!result.ok()) return Fail(result.status());
  std::cerr << "✔ uninstalled " << namespace_name << std::endl;
  return kExitOk;
}

int RunCheck(const std::string& namespace_name, const ClusterFlags& cluster_flags) {
  absl::StatusOr<std::unique_ptr<kube::Client>> client = Connect(cluster_flags);
  if (!client.ok()) return Fail(client.status());
  absl::StatusOr<CheckResult> result = Check({.namespace_name = namespace_name}, **client);
  if (!result.ok()) return Fail(result.status());
  for (const std::string& line : result->lines) std::cerr << line << std::endl;
  return result->ok ? kExitOk : kExitFailure;
}

// Prints the build of `dir` (relative to the working directory, as for kustomize) on stdout, byte
// for byte as `kustomize build` does; files are read only below `root`.
int RunKustomizeBuild(const std::string& root, const std::string& dir) {
  absl::StatusOr<std::string> yaml =
      kustomize::BuildYaml(root, std::filesystem::absolute(dir).string());
  if (!yaml.ok()) {
    std::cerr << "Error: " << yaml.status().message() << std::endl;
    return kExitFailure;
  }
  std::cout << *yaml;
  return kExitOk;
}

int Main(int argc, char** argv) {
  CLI::App app{
      "fluxcpp: GitOps for Kubernetes, compatible with Flux. Bootstraps a cluster from a Git "
      "repository, installs, checks and uninstalls the flux-reconciler.\n"
      "Exit codes: 0 success, 1 failure, 2 usage error."};
  app.require_subcommand(1);
  app.fallthrough();

  ClusterFlags cluster_flags;
  InstallFlags install_flags;
  GitFlags git_flags;

  CLI::App* bootstrap = app.add_subcommand("bootstrap", "bootstrap a cluster from a repository");
  bootstrap->require_subcommand(1);
  CLI::App* bootstrap_git = bootstrap->add_subcommand(
      "git",
      "commit the install and sync manifests to <path>/<namespace>/ of a Git branch, apply them, "
      "and wait until the reconciler reports the pushed commit. Push access is checked first; "
      "running it again changes nothing.");
  std::string interval = "1m0s";
  std::string secret_name = "flux-system";
  AddGitFlags(*bootstrap_git, git_flags);
  bootstrap_git->get_option("--url")->required();
  AddInstallFlags(*bootstrap_git, install_flags);
  bootstrap_git->add_option(
      "--registry-creds", install_flags.registry_credentials,
      "user:password for the registry of --registry; requires --image-pull-secret, which is then "
      "created in the cluster (type kubernetes.io/dockerconfigjson), never in Git");
  AddClusterFlags(*bootstrap_git, cluster_flags);
  bootstrap_git
      ->add_option("--interval", interval, "how often the reconciler fetches the repository")
      ->capture_default_str();
  bootstrap_git
      ->add_option("--secret-name", secret_name,
                   "Secret in the namespace that holds the Git credentials")
      ->capture_default_str();

  CLI::App* install = app.add_subcommand(
      "install", "apply the install set (CRDs, RBAC, the reconciler) and wait until it is ready");
  bool export_only = false;
  install->add_flag("--export", export_only,
                    "print the install set as YAML on stdout instead of applying it");
  AddInstallFlags(*install, install_flags);
  AddClusterFlags(*install, cluster_flags);

  CLI::App* uninstall = app.add_subcommand(
      "uninstall",
      "remove an install: the reconciler, finalizers of GitRepositories and Kustomizations, the "
      "CRDs (unless another install uses them), the namespace");
  std::string uninstall_namespace = "flux-system";
  bool keep_namespace = false;
  bool keep_crds = false;
  bool delete_git_manifests = false;
  uninstall->add_option("--namespace,-n", uninstall_namespace, "namespace of the install")
      ->capture_default_str();
  uninstall->add_flag("--keep-namespace", keep_namespace, "leave the namespace in place");
  uninstall->add_flag("--keep-crds", keep_crds,
                      "leave the CRDs (and every GitRepository and Kustomization) in place");
  uninstall->add_flag("--delete-git-manifests", delete_git_manifests,
                      "also remove <path>/<namespace>/ from Git (commit \"Uninstall Flux\"); "
                      "needs --url and its credentials");
  uninstall
      ->add_option("--secret-name", secret_name,
                   "the Git credentials Secret, deleted when the bootstrap made it")
      ->capture_default_str();
  AddGitFlags(*uninstall, git_flags);
  AddClusterFlags(*uninstall, cluster_flags);

  CLI::App* check = app.add_subcommand(
      "check",
      "check that the cluster answers, the CRDs are Established and the reconciler is "
      "Available");
  std::string check_namespace = "flux-system";
  check->add_option("--namespace,-n", check_namespace, "namespace of the install")
      ->capture_default_str();
  AddClusterFlags(*check, cluster_flags);

  CLI::App* kustomize_command =
      app.add_subcommand("kustomize", "build kustomizations as Flux's kustomize-controller does");
  kustomize_command->require_subcommand(1);
  CLI::App* kustomize_build = kustomize_command->add_subcommand(
      "build",
      "print the build of DIR exactly as `kustomize build DIR` does; remote resources and files "
      "outside the source root are refused");
  std::string kustomize_root = ".";
  std::string kustomize_dir = ".";
  kustomize_build
      ->add_option("--root", kustomize_root,
                   "the source root (a repository checkout): no file outside it is read")
      ->capture_default_str();
  kustomize_build->add_option("dir", kustomize_dir, "the kustomization directory")
      ->capture_default_str();

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& help) {
    return app.exit(help);
  } catch (const CLI::CallForAllHelp& help) {
    return app.exit(help);
  } catch (const CLI::ParseError& error) {
    std::cerr << "✗ " << error.what() << "\nRun with --help for the flags." << std::endl;
    return kExitUsage;
  }

  if (bootstrap_git->parsed()) {
    return RunBootstrapGit(install_flags, git_flags, cluster_flags, interval, secret_name);
  }
  if (install->parsed()) return RunInstall(install_flags, cluster_flags, export_only);
  if (uninstall->parsed()) {
    return RunUninstall(uninstall_namespace, git_flags, cluster_flags, keep_namespace, keep_crds,
                        delete_git_manifests, secret_name);
  }
  if (check->parsed()) return RunCheck(check_namespace, cluster_flags);
  if (kustomize_build->parsed()) return RunKustomizeBuild(kustomize_root, kustomize_dir);
  return kExitUsage;
}

}  // namespace
}  // namespace fluxcpp::bootstrap

int main(int argc, char** argv) { return fluxcpp::bootstrap::Main(argc, argv); }
