// LeaderElector's single steps against a real Lease: create, hold, release, expiry take-over.
#include "reconciler/runtime/leader_election.h"

#include <catch2/catch.hpp>
#include <thread>

#include "runtime_fixture.h"
#include "tests/e2e/support/ground.h"

namespace fluxcpp::reconciler {
namespace {

using namespace std::chrono_literals;

const manifest::GroupVersionKind kLease{"coordination.k8s.io", "v1", "Lease"};

LeaderElectionOptions Options(const std::string& namespace_name, const std::string& lease_name,
                              const std::string& identity) {
  return LeaderElectionOptions{.namespace_name = namespace_name,
                               .lease_name = lease_name,
                               .identity = identity,
                               .lease_duration = 1s,
                               .renew_deadline = 800ms,
                               .retry_period = 100ms};
}

manifest::Json LeaseSpec(kube::Client& client, const std::string& namespace_name,
                         const std::string& name) {
  auto lease = client.Get(kLease, namespace_name, name);
  REQUIRE(lease.ok());
  return lease->json()["spec"];
}

TEST_CASE("LeaderElector creates, holds, releases and hands over a Lease") {
  auto client = fluxcpp::testing::AdminClient();
  fluxcpp::testing::ScopedNamespace ns(*client, "rt-lease");
  LeaderElector alpha(*client, Options(ns.name(), "lock", "alpha"));
  LeaderElector beta(*client, Options(ns.name(), "lock", "beta"));

  auto acquired = alpha.TryAcquireOrRenew();
  REQUIRE(acquired.ok());
  CHECK(*acquired);
  manifest::Json spec = LeaseSpec(*client, ns.name(), "lock");
  CHECK(spec["holderIdentity"] == "alpha");
  CHECK(spec["leaseDurationSeconds"] == 1);
  CHECK(spec["leaseTransitions"] == 0);
  CHECK(spec["renewTime"].get<std::string>().size() == 27);  // MicroTime, microseconds, UTC

  auto refused = beta.TryAcquireOrRenew();
  REQUIRE(refused.ok());
  CHECK_FALSE(*refused);
  auto renewed = alpha.TryAcquireOrRenew();
  REQUIRE(renewed.ok());
  CHECK(*renewed);

  CHECK(beta.Release().ok());  // not the holder: leaves the Lease alone
  CHECK(LeaseSpec(*client, ns.name(), "lock")["holderIdentity"] == "alpha");
  CHECK(alpha.Release().ok());
  CHECK(LeaseSpec(*client, ns.name(), "lock").value("holderIdentity", "").empty());

  auto taken = beta.TryAcquireOrRenew();
  REQUIRE(taken.ok());
  CHECK(*taken);
  spec = LeaseSpec(*client, ns.name(), "lock");
  CHECK(spec["holderIdentity"] == "beta");
  CHECK(spec["leaseTransitions"] == 1);
}

TEST_CASE("LeaderElector takes over a Lease its holder stopped renewing") {
  auto client = fluxcpp::testing::AdminClient();
  fluxcpp::testing::ScopedNamespace ns(*client, "rt-expiry");
  LeaderElector crashed(*client, Options(ns.name(), "lock", "crashed"));
  LeaderElector successor(*client, Options(ns.name(), "lock", "successor"));
  REQUIRE(*crashed.TryAcquireOrRenew());
  std::atomic<bool> stop{false};
  auto started = std::chrono::steady_clock::now();
  REQUIRE(successor.Acquire(stop).ok());
  auto waited = std::chrono::steady_clock::now() - started;
  CHECK(waited >= 900ms);  // not before the 1 s lease ran out
  CHECK(waited < 3s);
  CHECK(LeaseSpec(*client, ns.name(), "lock")["holderIdentity"] == "successor");

  // The former holder learns it lost the Lease on its next renewal.
  absl::Status kept = crashed.KeepLeading(stop);
  REQUIRE_FALSE(kept.ok());
  CHECK(std::string(kept.message()).find("successor") != std::string::npos);
}

TEST_CASE("LeaderElector::Acquire returns Cancelled when stopped while waiting") {
  auto client = fluxcpp::testing::AdminClient();
  fluxcpp::testing::ScopedNamespace ns(*client, "rt-cancel-lease");
  LeaderElectionOptions holder_options = Options(ns.name(), "lock", "holder");
  holder_options.lease_duration = 60s;
  LeaderElector holder(*client, holder_options);
  REQUIRE(*holder.TryAcquireOrRenew());
  LeaderElector waiting(*client, Options(ns.name(), "lock", "waiting"));
  std::atomic<bool> stop{false};
  std::thread stopper([&] {
    std::this_thread::sleep_for(300ms);
    stop = true;
  });
  absl::Status acquired = waiting.Acquire(stop);
  stopper.join();
  CHECK(acquired.code() == absl::StatusCode::kCancelled);
  CHECK(std::string(acquired.message()).find("Lease/" + ns.name() + "/lock") != std::string::npos);
}

}  // namespace
}  // namespace fluxcpp::reconciler
