// The Manager on the test ground: leader election between two Managers on one Lease, and the
// health and metrics endpoints over HTTP.
#include "reconciler/runtime/manager.h"

#include <httplib.h>

#include <catch2/catch.hpp>
#include <thread>

#include "lib/kube/errors.h"
#include "runtime_fixture.h"
#include "tests/e2e/support/ground.h"

namespace fluxcpp::reconciler {
namespace {

using namespace std::chrono_literals;
using testing::Eventually;
using testing::kGitRepository;
using testing::RecordingReconciler;

const manifest::GroupVersionKind kLease{"coordination.k8s.io", "v1", "Lease"};

ManagerOptions Options(const std::string& namespace_name, const std::string& lease_name) {
  ManagerOptions options;
  options.namespace_name = namespace_name;
  options.watch_all_namespaces = false;
  options.concurrent = 2;
  options.leader_election_options.lease_name = lease_name;
  // Short enough for a test, in the proportions of Flux's 35 s / 30 s / 5 s.
  options.leader_election_options.lease_duration = 3s;
  options.leader_election_options.renew_deadline = 2s;
  options.leader_election_options.retry_period = 200ms;
  options.health_address = "127.0.0.1:0";
  options.metrics_address = "127.0.0.1:0";
  return options;
}

// A Manager with one GitRepository controller, run on its own thread.
class RunningManager {
 public:
  RunningManager(kube::Client& client, ManagerOptions options)
      : reconciler_(client), manager_(client, std::move(options)) {
    manager_.AddController(reconciler_,
                           ControllerOptions{.name = "gitrepository", .kind = kGitRepository});
    thread_ = std::thread([this] { result_ = manager_.Run(stop_); });
    REQUIRE(Eventually([this] { return manager_.health_port() != 0; }));
  }
  ~RunningManager() { Stop().IgnoreError(); }
  absl::Status Stop() {
    stop_.store(true);
    if (thread_.joinable()) thread_.join();
    return result_;
  }
  Manager& manager() { return manager_; }
  RecordingReconciler& reconciler() { return reconciler_; }

 private:
  std::atomic<bool> stop_{false};
  absl::Status result_;
  RecordingReconciler reconciler_;
  Manager manager_;
  std::thread thread_;
};

std::string LeaseHolder(kube::Client& client, const std::string& namespace_name,
                        const std::string& name) {
  auto lease = client.Get(kLease, namespace_name, name);
  if (!lease.ok()) return "<" + std::string(lease.status().message()) + ">";
  return lease->json()["spec"].value("holderIdentity", "");
}

TEST_CASE("Of two Managers on one Lease only the leader reconciles; the other takes over") {
  auto client = fluxcpp::testing::AdminClient();
  testing::InstallFluxCrds(*client);
  fluxcpp::testing::ScopedNamespace ns(*client, "rt-leader");
  std::string lease_name = "flux-reconciler-" + fluxcpp::testing::RandomSuffix();
  ObjectKey key{ns.name(), "shared"};
  testing::CreateGitRepository(*client, ns.name(), "shared");

  auto first = std::make_unique<RunningManager>(*client, Options(ns.name(), lease_name));
  REQUIRE(Eventually([&] { return first->manager().Leading(); }));
  RunningManager second(*client, Options(ns.name(), lease_name));
  REQUIRE(Eventually([&] { return first->reconciler().CallsFor(key) == 1; }));
  CHECK(LeaseHolder(*client, ns.name(), lease_name) == first->manager().identity());

  // The standby's informers run (it is ready), but it does not reconcile.
  REQUIRE(Eventually([&] { return second.manager().Ready(); }));
  std::this_thread::sleep_for(1500ms);  // several renewals
  CHECK_FALSE(second.manager().Leading());
  CHECK(second.reconciler().CallsFor(key) == 0);
  testing::PatchGitRepository(*client, ns.name(), "shared", {{"spec", {{"interval", "3m"}}}});
  REQUIRE(Eventually([&] { return first->reconciler().CallsFor(key) == 2; }));
  CHECK(second.reconciler().CallsFor(key) == 0);

  // The leader stops and releases the Lease: the standby takes over at once, well before the
  // lease would have expired, and reconciles what it had queued.
  auto stopped_at = std::chrono::steady_clock::now();
  absl::Status first_result;
  std::thread stopper([&] { first_result = first->Stop(); });
  REQUIRE(Eventually([&] { return second.manager().Leading(); }, 5s));
  auto takeover = std::chrono::steady_clock::now() - stopped_at;
  stopper.join();
  CHECK(first_result.ok());
  CHECK(takeover < 2s);  // well before the 3 s lease could have expired
  CHECK(Eventually([&] { return second.reconciler().CallsFor(key) >= 1; }));
  CHECK(LeaseHolder(*client, ns.name(), lease_name) == second.manager().identity());
  WARN("takeover after " << std::chrono::duration_cast<std::chrono::milliseconds>(takeover).count()
                         << " ms");
  first.reset();

  CHECK(second.Stop().ok());
  CHECK(LeaseHolder(*client, ns.name(), lease_name).empty());
}

TEST_CASE("A Manager that loses its Lease stops reconciling and reports it") {
  auto client = fluxcpp::testing::AdminClient();
  testing::InstallFluxCrds(*client);
  fluxcpp::testing::ScopedNamespace ns(*client, "rt-lost");
  std::string lease_name = "flux-reconciler-" + fluxcpp::testing::RandomSuffix();
  RunningManager running(*client, Options(ns.name(), lease_name));
  REQUIRE(Eventually([&] { return running.manager().Leading(); }));

  // Another process takes the Lease over (as if our renewals had not reached the server).
  auto lease = client->Get(kLease, ns.name(), lease_name);
  REQUIRE(lease.ok());
  lease->json()["spec"]["holderIdentity"] = "intruder";
  lease->json()["spec"]["leaseDurationSeconds"] = 3600;
  REQUIRE(client->Update(*lease).ok());

  REQUIRE(Eventually([&] { return !running.manager().Leading(); }, 5s));
  absl::Status result = running.Stop();
  REQUIRE_FALSE(result.ok());
  CHECK(std::string(result.message()).find("intruder") != std::string::npos);
  CHECK(LeaseHolder(*client, ns.name(), lease_name) == "intruder");  // not released: not ours
}

TEST_CASE("Manager serves /healthz, /readyz and /metrics over HTTP") {
  auto client = fluxcpp::testing::AdminClient();
  testing::InstallFluxCrds(*client);
  fluxcpp::testing::ScopedNamespace ns(*client, "rt-http");
  ManagerOptions options = Options(ns.name(), "unused");
  options.leader_election = false;
  RunningManager running(*client, options);
  ObjectKey key{ns.name(), "observed"};
  testing::CreateGitRepository(*client, ns.name(), "observed");
  REQUIRE(Eventually([&] { return running.reconciler().CallsFor(key) == 1; }));

  httplib::Client health("127.0.0.1", running.manager().health_port());
  auto healthz = health.Get("/healthz");
  REQUIRE(healthz);
  CHECK(healthz->status == 200);
  CHECK(healthz->body == "ok");
  auto readyz = health.Get("/readyz");
  REQUIRE(readyz);
  CHECK(readyz->status == 200);
  auto missing = health.Get("/nothing");
  REQUIRE(missing);
  CHECK(missing->status == 404);

  httplib::Client metrics("127.0.0.1", running.manager().metrics_port());
  auto scraped = metrics.Get("/metrics");
  REQUIRE(scraped);
  CHECK(scraped->status == 200);
  CHECK(scraped->get_header_value("Content-Type").find("text/plain; version=0.0.4") == 0);
  const std::string& body = scraped->body;
  std::string object = R"(kind="GitRepository",name="observed",namespace=")" + ns.name() + "\"";
  CHECK(body.find("gotk_reconcile_duration_seconds_count{" + object + "} 1\n") !=
        std::string::npos);
  CHECK(body.find("gotk_reconcile_condition{" + object + R"(,status="True",type="Ready"} 1)") !=
        std::string::npos);
  CHECK(
      body.find(
          R"(controller_runtime_reconcile_total{controller="gitrepository",result="success"} 1)") !=
      std::string::npos);
  CHECK(
      body.find(R"(controller_runtime_max_concurrent_reconciles{controller="gitrepository"} 2)") !=
      std::string::npos);

  int health_port = running.manager().health_port();
  CHECK(running.Stop().ok());
  httplib::Client after("127.0.0.1", health_port);
  after.set_connection_timeout(1);
  CHECK_FALSE(after.Get("/healthz"));  // the server is gone
}

TEST_CASE("Manager reports an address it cannot listen on") {
  auto client = fluxcpp::testing::AdminClient();
  ManagerOptions options = Options("default", "unused");
  options.leader_election = false;
  options.health_address = "127.0.0.1:99999";
  Manager manager(*client, options);
  std::atomic<bool> stop{false};
  absl::Status result = manager.Run(stop);
  REQUIRE_FALSE(result.ok());
  CHECK(std::string(result.message()).find("127.0.0.1:99999") != std::string::npos);
}

}  // namespace
}  // namespace fluxcpp::reconciler
