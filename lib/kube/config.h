// How to reach and authenticate to one Kubernetes API server: loaded from kubeconfig files
// (KUBECONFIG with several paths merged, contexts, clusters, users) or from the in-cluster
// environment of a Pod.
//
// ClusterConfig is a plain value; loading functions are thread-safe.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace fluxcpp::kube {

struct TlsConfig {
  std::string ca_pem;  // empty: the system's trust store
  std::string client_certificate_pem;
  std::string client_key_pem;
  bool insecure_skip_verify = false;
  std::string server_name;  // overrides the host name checked against the certificate
};

// A client-go credential plugin (client.authentication.k8s.io/v1): a command whose standard output
// is an ExecCredential with a token or a client certificate.
struct ExecPlugin {
  std::string api_version = "client.authentication.k8s.io/v1";
  std::string command;  // resolved against working_directory when relative with a slash
  std::vector<std::string> args;
  std::vector<std::pair<std::string, std::string>> env;
  std::string working_directory;  // the folder of the kubeconfig that named the plugin
  bool provide_cluster_info = false;
};

struct AuthConfig {
  std::string token;
  std::string token_file;  // re-read when it changes, as a projected ServiceAccount token rotates
  std::string username;
  std::string password;
  std::optional<ExecPlugin> exec;
  // Impersonation: act as this user (and groups), e.g. "system:serviceaccount:apps:deployer".
  std::string impersonate_user;
  std::vector<std::string> impersonate_groups;
};

struct ClusterConfig {
  std::string server;  // "https://127.0.0.1:6443"
  TlsConfig tls;
  AuthConfig auth;
  std::string proxy_url;
  std::string namespace_name =
      "default";             // the context's namespace, for callers that want a default
  std::string context_name;  // empty for in-cluster configuration

  // A copy that acts as the given ServiceAccount through impersonation.
  ClusterConfig ImpersonatingServiceAccount(const std::string& namespace_name,
                                            const std::string& service_account) const;
};

struct KubeconfigOptions {
  // Files to merge; empty means $KUBECONFIG (colon-separated) or else ~/.kube/config.
  std::vector<std::string> paths;
  std::string context;  // empty: current-context
  // Entries used instead of those the context names, as kubectl's --user / --cluster and the
  // Go provider's config_context_auth_info / config_context_cluster (client-go's overrides). With
  // `cluster` set, a kubeconfig without any context works too. Empty: the context's.
  std::string user;
  std::string cluster;
};

// Loads and merges kubeconfig files the way kubectl does: for clusters, users and contexts the
// first file that defines a name wins, and the first non-empty current-context wins. Relative file
// references resolve against the folder of the file that holds them. Errors name the file and the
// entry.
[[nodiscard]] absl::StatusOr<ClusterConfig> LoadKubeconfig(const KubeconfigOptions& options = {});

// Parses one kubeconfig document held in memory; relative paths resolve against `base_directory`.
[[nodiscard]] absl::StatusOr<ClusterConfig> ParseKubeconfig(const std::string& text,
                                                            const std::string& base_directory,
                                                            const std::string& context = "");

struct InClusterOptions {
  // Where a Pod finds its ServiceAccount; overridable for tests.
  std::string service_account_directory = "/var/run/secrets/kubernetes.io/serviceaccount";
};

// The configuration of a process running in a Pod: KUBERNETES_SERVICE_HOST/PORT, the mounted token
// (as a token file, so rotation is followed) and the mounted CA.
[[nodiscard]] absl::StatusOr<ClusterConfig> InClusterConfig(const InClusterOptions& options = {});

// In-cluster configuration when KUBERNETES_SERVICE_HOST is set, kubeconfig otherwise.
[[nodiscard]] absl::StatusOr<ClusterConfig> DefaultConfig();

}  // namespace fluxcpp::kube
