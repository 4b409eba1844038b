// The command line of flux-reconciler: the flags of Flux's source-controller and
// kustomize-controller that apply to it, with the same names and defaults, so Flux's Deployment
// patches (e.g. `--concurrent=8`, `--watch-all-namespaces=false`) work unchanged.
//
// Pure functions; thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/kube/config.h"
#include "reconciler/runtime/log.h"
#include "reconciler/runtime/manager.h"

namespace fluxcpp::reconciler {

struct ReconcilerFlags {
  LogLevel log_level = LogLevel::kInfo;
  bool watch_all_namespaces = true;
  std::string cluster_domain = "cluster.local";
  int concurrent = 4;
  std::chrono::milliseconds requeue_dependency{std::chrono::seconds(30)};
  bool leader_elect = true;
  std::chrono::milliseconds leader_election_lease_duration{std::chrono::seconds(35)};
  std::chrono::milliseconds leader_election_renew_deadline{std::chrono::seconds(30)};
  std::chrono::milliseconds leader_election_retry_period{std::chrono::seconds(5)};
  // How long in-flight reconciles get after SIGTERM before the Lease is released regardless
  // (controller-runtime's GracefulShutdownTimeout; see ManagerOptions).
  std::chrono::milliseconds graceful_shutdown_timeout{std::chrono::seconds(6)};
  std::string health_addr = ":9440";
  std::string metrics_addr = ":8080";
  std::string storage_addr = ":9090";
  std::string storage_path = "/data";
  // Default: "flux-reconciler.<runtime namespace>.svc.<cluster domain>." — the Service that
  // serves artifacts, as Flux's source-controller advertises itself.
  std::string storage_adv_addr;
  std::string watch_label_selector;
  std::string kubeconfig;  // empty: $KUBECONFIG, else in-cluster
  // A default age key file for SOPS decryption (--sops-age-key-file, else $SOPS_AGE_KEY_FILE).
  std::string sops_age_key_file;
  // $RUNTIME_NAMESPACE (the Pod's namespace, from the downward API), "flux-system" when unset.
  std::string runtime_namespace = "flux-system";
  // Set when --help was asked for: print it and exit 0.
  std::optional<std::string> help;
};

// Looks an environment variable up; nothing when unset.
using EnvironmentLookup = std::function<std::optional<std::string>(const std::string& name)>;
// The process environment.
std::optional<std::string> ProcessEnvironment(const std::string& name);

// Parses `arguments` (without the program name). Errors name the flag and the value at fault.
[[nodiscard]] absl::StatusOr<ReconcilerFlags> ParseFlags(
    const std::vector<std::string>& arguments,
    const EnvironmentLookup& environment = ProcessEnvironment);
[[nodiscard]] absl::StatusOr<ReconcilerFlags> ParseFlags(int argc, const char* const* argv);

// The Manager's options for these flags.
ManagerOptions ManagerOptionsFromFlags(const ReconcilerFlags& flags);

// The cluster to talk to: --kubeconfig, else $KUBECONFIG, else the in-cluster configuration.
[[nodiscard]] absl::StatusOr<kube::ClusterConfig> ClusterConfigFromFlags(
    const ReconcilerFlags& flags, const EnvironmentLookup& environment = ProcessEnvironment);

}  // namespace fluxcpp::reconciler
