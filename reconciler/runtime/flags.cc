#include "reconciler/runtime/flags.h"

#include <CLI/CLI.hpp>
#include <cstdlib>

#include "absl/strings/str_split.h"
#include "reconciler/runtime/status.h"

namespace fluxcpp::reconciler {
namespace {

// A Go duration flag: parsed after CLI11, so the error names the flag.
struct DurationFlag {
  std::string name;
  std::string text;
  std::chrono::milliseconds* target;
};

}  // namespace

std::optional<std::string> ProcessEnvironment(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

absl::StatusOr<ReconcilerFlags> ParseFlags(const std::vector<std::string>& arguments,
                                           const EnvironmentLookup& environment) {
  ReconcilerFlags flags;
  if (auto runtime_namespace = environment("RUNTIME_NAMESPACE");
      runtime_namespace && !runtime_namespace->empty()) {
    flags.runtime_namespace = *runtime_namespace;
  }
  if (auto key_file = environment("SOPS_AGE_KEY_FILE"); key_file && !key_file->empty()) {
    flags.sops_age_key_file = *key_file;
  }
  CLI::App app("flux-reconciler: Flux's source and kustomize controllers for fluxcpp",
               "flux-reconciler");
  std::string log_level = "info";
  std::vector<DurationFlag> durations = {
      {"--requeue-dependency", "30s", &flags.requeue_dependency},
      {"--leader-election-lease-duration", "35s", &flags.leader_election_lease_duration},
      {"--leader-election-renew-deadline", "30s", &flags.leader_election_renew_deadline},
      {"--leader-election-retry-period", "5s", &flags.leader_election_retry_period},
      {"--graceful-shutdown-timeout", "6s", &flags.graceful_shutdown_timeout}};
  app.add_option("--log-level", log_level, "Log verbosity: debug, info or error.")
      ->capture_default_str();
  app.add_flag("--watch-all-namespaces{true}", flags.watch_all_namespaces,
               "Watch every namespace, or only the runtime namespace when false.")
      ->capture_default_str();
  app.add_option("--cluster-domain", flags.cluster_domain, "The cluster's internal domain.")
      ->capture_default_str();
  app.add_option("--concurrent", flags.concurrent, "Reconciles run at once per kind.")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_flag("--leader-elect{true}", flags.leader_elect,
               "Elect a leader so that only one replica reconciles.")
      ->capture_default_str();
  for (DurationFlag& duration : durations) {
    app.add_option(duration.name, duration.text, "A Go duration, e.g. 30s or 1m.")
        ->capture_default_str();
  }
  app.add_option("--health-addr", flags.health_addr, "Where /healthz and /readyz are served.")
      ->capture_default_str();
  app.add_option("--metrics-addr", flags.metrics_addr, "Where /metrics is served.")
      ->capture_default_str();
  app.add_option("--storage-addr", flags.storage_addr, "Where artifacts are served.")
      ->capture_default_str();
  app.add_option("--storage-path", flags.storage_path, "The folder artifacts are stored in.")
      ->capture_default_str();
  app.add_option("--storage-adv-addr", flags.storage_adv_addr,
                 "The address artifacts are advertised at (default: the Service's name).");
  app.add_option("--watch-label-selector", flags.watch_label_selector,
                 "Only reconcile objects with these labels (sharding).");
  app.add_option("--kubeconfig", flags.kubeconfig,
                 "A kubeconfig file (default: $KUBECONFIG, else in-cluster).");
  app.add_option("--sops-age-key-file", flags.sops_age_key_file,
                 "An age key file every Kustomization with spec.decryption may decrypt with "
                 "(default: $SOPS_AGE_KEY_FILE).");

  // CLI11 takes the arguments in reverse order.
  std::vector<std::string> reversed(arguments.rbegin(), arguments.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    flags.help = app.help();
    return flags;
  } catch (const CLI::ParseError& error) {
    return absl::InvalidArgumentError(std::string("flux-reconciler flags: ") + error.what());
  }

  auto level = ParseLogLevel(log_level);
  if (!level.ok()) {
    return absl::InvalidArgumentError("--log-level: " + std::string(level.status().message()));
  }
  flags.log_level = *level;
  for (const DurationFlag& duration : durations) {
    auto parsed = ParseDuration(duration.text);
    if (!parsed.ok()) {
      return absl::InvalidArgumentError(duration.name + ": " +
                                        std::string(parsed.status().message()));
    }
    *duration.target = *parsed;
  }
  if (flags.leader_elect) {
    if (flags.leader_election_renew_deadline >= flags.leader_election_lease_duration) {
      return absl::InvalidArgumentError(
          "--leader-election-renew-deadline must be shorter than "
          "--leader-election-lease-duration");
    }
    if (flags.leader_election_retry_period >= flags.leader_election_renew_deadline) {
      return absl::InvalidArgumentError(
          "--leader-election-retry-period must be shorter than --leader-election-renew-deadline");
    }
  }
  if (flags.storage_adv_addr.empty()) {
    flags.storage_adv_addr =
        "flux-reconciler." + flags.runtime_namespace + ".svc." + flags.cluster_domain + ".";
  }
  return flags;
}

absl::StatusOr<ReconcilerFlags> ParseFlags(int argc, const char* const* argv) {
  std::vector<std::string> arguments;
  for (int i = 1; i < argc; ++i) arguments.emplace_back(argv[i]);
  return ParseFlags(arguments);
}

ManagerOptions ManagerOptionsFromFlags(const ReconcilerFlags& flags) {
  ManagerOptions options;
  options.namespace_name = flags.runtime_namespace;
  options.watch_all_namespaces = flags.watch_all_namespaces;
  options.label_selector = flags.watch_label_selector;
  options.concurrent = flags.concurrent;
  options.leader_election = flags.leader_elect;
  options.leader_election_options.namespace_name = flags.runtime_namespace;
  options.leader_election_options.lease_duration = flags.leader_election_lease_duration;
  options.leader_election_options.renew_deadline = flags.leader_election_renew_deadline;
  options.leader_election_options.retry_period = flags.leader_election_retry_period;
  options.health_address = flags.health_addr;
  options.metrics_address = flags.metrics_addr;
  options.graceful_shutdown_timeout = flags.graceful_shutdown_timeout;
  return options;
}

absl::StatusOr<kube::ClusterConfig> ClusterConfigFromFlags(const ReconcilerFlags& flags,
                                                           const EnvironmentLookup& environment) {
  if (!flags.kubeconfig.empty()) {
    return kube::LoadKubeconfig(kube::KubeconfigOptions{.paths = {flags.kubeconfig}});
  }
  if (auto kubeconfig = environment("KUBECONFIG"); kubeconfig && !kubeconfig->empty()) {
    kube::KubeconfigOptions options;
    for (absl::string_view path : absl::StrSplit(*kubeconfig, ':', absl::SkipEmpty())) {
      options.paths.emplace_back(std::string(path));
    }
    return kube::LoadKubeconfig(options);
  }
  return kube::InClusterConfig();
}

}  // namespace fluxcpp::reconciler
