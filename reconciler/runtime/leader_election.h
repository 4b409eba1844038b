// Leader election on a coordination.k8s.io/v1 Lease, as client-go's leaderelection does it, so
// that of several reconciler replicas one reconciles at a time:
//  - acquire: create the Lease, or take it over when it is free (holderIdentity empty, as a leader
//    leaves it on shutdown) or expired (renewTime + leaseDurationSeconds in the past);
//  - renew every retry period; when renewals keep failing for the renew deadline, or another
//    holder shows up, leadership is lost and the process must stop reconciling;
//  - release on shutdown, so a successor takes over at once instead of waiting for expiry.
// Every write carries the resourceVersion read just before, so two candidates never both win.
//
// Thread-safety: one LeaderElector is used by one thread at a time.
#pragma once

#include <atomic>
#include <chrono>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "lib/kube/client.h"

namespace fluxcpp::reconciler {

struct LeaderElectionOptions {
  std::string namespace_name;  // required; the Manager gives its own
  std::string lease_name = "flux-reconciler-leader-election";
  std::string identity;  // empty: DefaultLeaderIdentity()
  // Flux's defaults.
  std::chrono::milliseconds lease_duration{std::chrono::seconds(35)};
  std::chrono::milliseconds renew_deadline{std::chrono::seconds(30)};
  std::chrono::milliseconds retry_period{std::chrono::seconds(5)};
};

// "<hostname>_<random suffix>": unique per process, readable in the Lease.
std::string DefaultLeaderIdentity();

class LeaderElector {
 public:
  LeaderElector(kube::Client& client, LeaderElectionOptions options);

  // Tries every retry period until this process holds the Lease (OK) or `stop` turns true
  // (Cancelled). API errors are logged and retried.
  [[nodiscard]] absl::Status Acquire(const std::atomic<bool>& stop);

  // Renews every retry period until `stop` turns true (OK) or leadership is lost (Aborted, naming
  // the Lease and why).
  [[nodiscard]] absl::Status KeepLeading(const std::atomic<bool>& stop);

  // Gives the Lease up (holderIdentity cleared) if this process still holds it.
  [[nodiscard]] absl::Status Release();

  // One attempt to acquire or renew: true when this process holds the Lease afterwards, false when
  // someone else does (or won a concurrent write).
  [[nodiscard]] absl::StatusOr<bool> TryAcquireOrRenew();

  const std::string& identity() const { return options_.identity; }
  const LeaderElectionOptions& options() const { return options_; }

 private:
  std::string Describe() const;

  kube::Client& client_;
  LeaderElectionOptions options_;
  // Who held the Lease when we last looked, for the message when leadership is lost.
  std::string observed_holder_;
};

}  // namespace fluxcpp::reconciler
