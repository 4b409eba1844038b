#include "reconciler/runtime/flags.h"

#include <catch2/catch.hpp>
#include <map>

namespace fluxcpp::reconciler {
namespace {

using namespace std::chrono_literals;

EnvironmentLookup Environment(std::map<std::string, std::string> values) {
  return [values = std::move(values)](const std::string& name) -> std::optional<std::string> {
    auto found = values.find(name);
    if (found == values.end()) return std::nullopt;
    return found->second;
  };
}

ReconcilerFlags Parse(std::vector<std::string> arguments,
                      std::map<std::string, std::string> environment = {}) {
  auto flags = ParseFlags(arguments, Environment(std::move(environment)));
  INFO((flags.ok() ? "" : std::string(flags.status().message())));
  REQUIRE(flags.ok());
  return *flags;
}

std::string Error(std::vector<std::string> arguments) {
  auto flags = ParseFlags(arguments, Environment({}));
  REQUIRE_FALSE(flags.ok());
  return std::string(flags.status().message());
}

TEST_CASE("ParseFlags gives Flux's defaults") {
  ReconcilerFlags flags = Parse({}, {{"RUNTIME_NAMESPACE", "gitops"}});
  CHECK(flags.log_level == LogLevel::kInfo);
  CHECK(flags.watch_all_namespaces);
  CHECK(flags.cluster_domain == "cluster.local");
  CHECK(flags.concurrent == 4);
  CHECK(flags.requeue_dependency == 30s);
  CHECK(flags.leader_elect);
  CHECK(flags.leader_election_lease_duration == 35s);
  CHECK(flags.leader_election_renew_deadline == 30s);
  CHECK(flags.leader_election_retry_period == 5s);
  // Below the install's terminationGracePeriodSeconds (10 s), so the Lease is released first.
  CHECK(flags.graceful_shutdown_timeout == 6s);
  CHECK(flags.health_addr == ":9440");
  CHECK(flags.metrics_addr == ":8080");
  CHECK(flags.storage_addr == ":9090");
  CHECK(flags.storage_path == "/data");
  CHECK(flags.storage_adv_addr == "flux-reconciler.gitops.svc.cluster.local.");
  CHECK(flags.watch_label_selector.empty());
  CHECK(flags.kubeconfig.empty());
  CHECK(flags.runtime_namespace == "gitops");
  CHECK_FALSE(flags.help);
}

TEST_CASE("ParseFlags reads every flag in Flux's spelling") {
  ReconcilerFlags flags = Parse(
      {"--log-level=debug", "--watch-all-namespaces=false", "--cluster-domain", "example.internal",
       "--concurrent=10", "--requeue-dependency=5s", "--leader-elect=false",
       "--leader-election-lease-duration=1m", "--leader-election-renew-deadline=40s",
       "--leader-election-retry-period=2s", "--health-addr=127.0.0.1:0", "--metrics-addr=:18080",
       "--storage-addr=:19090", "--storage-path=/tmp/artifacts",
       "--watch-label-selector=sharding.fluxcd.io/key=shard1", "--kubeconfig=/etc/kube/config"});
  CHECK(flags.log_level == LogLevel::kDebug);
  CHECK_FALSE(flags.watch_all_namespaces);
  CHECK(flags.cluster_domain == "example.internal");
  CHECK(flags.concurrent == 10);
  CHECK(flags.requeue_dependency == 5s);
  CHECK_FALSE(flags.leader_elect);
  CHECK(flags.leader_election_lease_duration == 60s);
  CHECK(flags.leader_election_renew_deadline == 40s);
  CHECK(flags.leader_election_retry_period == 2s);
  CHECK(flags.health_addr == "127.0.0.1:0");
  CHECK(flags.metrics_addr == ":18080");
  CHECK(flags.storage_addr == ":19090");
  CHECK(flags.storage_path == "/tmp/artifacts");
  CHECK(flags.watch_label_selector == "sharding.fluxcd.io/key=shard1");
  CHECK(flags.kubeconfig == "/etc/kube/config");
  CHECK(flags.runtime_namespace == "flux-system");
  CHECK(flags.storage_adv_addr == "flux-reconciler.flux-system.svc.example.internal.");
}

TEST_CASE("ParseFlags takes boolean flags bare and explicit") {
  CHECK(Parse({"--leader-elect"}).leader_elect);
  CHECK(Parse({"--leader-elect=true"}).leader_elect);
  CHECK_FALSE(Parse({"--watch-all-namespaces=false"}).watch_all_namespaces);
  CHECK(Parse({"--storage-adv-addr=source.example:80"}).storage_adv_addr == "source.example:80");
}

TEST_CASE("ParseFlags names the flag at fault") {
  CHECK(Error({"--log-level=verbose"}).find("--log-level") != std::string::npos);
  CHECK(Error({"--requeue-dependency=soon"}).find("--requeue-dependency") != std::string::npos);
  CHECK(Error({"--concurrent=0"}).find("--concurrent") != std::string::npos);
  CHECK(Error({"--concurrent=many"}).find("--concurrent") != std::string::npos);
  CHECK(Error({"--no-such-flag"}).find("--no-such-flag") != std::string::npos);
  CHECK(Error({"--leader-election-renew-deadline=40s"}).find("--leader-election-renew-deadline") !=
        std::string::npos);
}

TEST_CASE("ParseFlags returns the help text for --help") {
  ReconcilerFlags flags = Parse({"--help"});
  REQUIRE(flags.help);
  CHECK(flags.help->find("--watch-label-selector") != std::string::npos);
  CHECK(flags.help->find("--leader-election-lease-duration") != std::string::npos);
}

TEST_CASE("ManagerOptionsFromFlags carries scope, sharding, concurrency and election") {
  ReconcilerFlags flags =
      Parse({"--watch-all-namespaces=false", "--concurrent=7", "--watch-label-selector=shard=a",
             "--leader-election-retry-period=1s", "--health-addr=:1", "--metrics-addr=:2",
             "--graceful-shutdown-timeout=3s"},
            {{"RUNTIME_NAMESPACE", "gitops"}});
  ManagerOptions options = ManagerOptionsFromFlags(flags);
  CHECK(options.graceful_shutdown_timeout == 3s);
  CHECK(options.namespace_name == "gitops");
  CHECK_FALSE(options.watch_all_namespaces);
  CHECK(options.concurrent == 7);
  CHECK(options.label_selector == "shard=a");
  CHECK(options.leader_election);
  CHECK(options.leader_election_options.namespace_name == "gitops");
  CHECK(options.leader_election_options.lease_duration == 35s);
  CHECK(options.leader_election_options.retry_period == 1s);
  CHECK(options.health_address == ":1");
  CHECK(options.metrics_address == ":2");
}

TEST_CASE("ClusterConfigFromFlags names the kubeconfig it cannot read") {
  ReconcilerFlags flags = Parse({"--kubeconfig=/nonexistent/kubeconfig"});
  auto config = ClusterConfigFromFlags(flags, Environment({}));
  REQUIRE_FALSE(config.ok());
  CHECK(std::string(config.status().message()).find("/nonexistent/kubeconfig") !=
        std::string::npos);
}

}  // namespace
}  // namespace fluxcpp::reconciler

namespace fluxcpp::reconciler {
namespace {

TEST_CASE("The default SOPS age key file comes from --sops-age-key-file, else SOPS_AGE_KEY_FILE") {
  CHECK(Parse({}).sops_age_key_file.empty());
  CHECK(Parse({}, {{"SOPS_AGE_KEY_FILE", "/env/keys.txt"}}).sops_age_key_file == "/env/keys.txt");
  CHECK(Parse({"--sops-age-key-file=/flag/keys.txt"}, {{"SOPS_AGE_KEY_FILE", "/env/keys.txt"}})
            .sops_age_key_file == "/flag/keys.txt");
}

}  // namespace
}  // namespace fluxcpp::reconciler
