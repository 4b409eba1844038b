// The Manager runs a reconciler process: its controllers, the health and metrics endpoints, and
// leader election, as controller-runtime's manager does for Flux's controllers.
//
// Run(stop): starts the endpoints and the controllers' informers at once (so a standby replica
// is ready), waits for leadership when leader election is on, then lets the controllers' workers
// reconcile until `stop` turns true or leadership is lost; it then cancels in-flight reconciles,
// lets them finish — for at most graceful_shutdown_timeout — and releases the Lease last, so a
// successor takes over at once (controller-runtime's GracefulShutdownTimeout and
// LeaderElectionReleaseOnCancel, as Flux's controllers set them).
//
// main() in a few lines:
//   auto flags = ParseFlags(argc, argv);            // reconciler/runtime/flags.h
//   SetLogLevel(flags->log_level);
//   std::atomic<bool> stop{false};
//   SignalStop signals(stop);                       // before any other thread starts
//   auto client = kube::Client::Create(*ClusterConfigFromFlags(*flags));
//   Manager manager(**client, ManagerOptionsFromFlags(*flags));
//   manager.AddController(reconciler, {.name = "gitrepository", .kind = ...});
//   return manager.Run(stop).ok() ? 0 : 1;
//
// Thread-safety: AddController before Run, from one thread; the accessors from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "lib/kube/client.h"
#include "reconciler/runtime/controller.h"
#include "reconciler/runtime/leader_election.h"
#include "reconciler/runtime/metrics.h"

namespace fluxcpp::reconciler {

struct ManagerOptions {
  // The namespace the reconciler runs in ($RUNTIME_NAMESPACE): the Lease lives here, and it is
  // the only namespace watched unless watch_all_namespaces.
  std::string namespace_name = "flux-system";
  bool watch_all_namespaces = true;
  std::string label_selector;  // sharding, applied to every controller
  int concurrent = 4;          // workers per controller
  bool leader_election = true;
  LeaderElectionOptions leader_election_options;  // namespace_name defaults to the above
  std::string health_address = ":9440";
  std::string metrics_address = ":8080";
  // How long in-flight reconciles get to finish after `stop` (or lost leadership). A reconcile
  // that outlasts it (one blocked in a call that cannot be cancelled, e.g. a Git fetch from a
  // server that stopped answering) is abandoned: the Lease is released all the same and the
  // process exits. Keep it well below the Pod's terminationGracePeriodSeconds (10 s in the
  // install): the kubelet's SIGKILL after that would leave the Lease held until it expires.
  std::chrono::milliseconds graceful_shutdown_timeout{std::chrono::seconds(6)};
};

class Manager {
 public:
  // `client` must outlive the Manager.
  Manager(kube::Client& client, ManagerOptions options);
  ~Manager();
  Manager(const Manager&) = delete;
  Manager& operator=(const Manager&) = delete;

  // Adds a controller for `reconciler` (which must outlive the Manager). The Manager fills in the
  // namespace scope, label selector, workers and metrics from its own options.
  Controller& AddController(Reconciler& reconciler, ControllerOptions options);

  // See the file comment. Errors: an endpoint cannot bind, a kind cannot be watched, or leadership
  // was lost (the process should then exit non-zero, as Flux's controllers do). When in-flight
  // reconciles outlast graceful_shutdown_timeout, Run does not return: their threads cannot be
  // joined, so once the Lease is released the process exits at once with status 1.
  [[nodiscard]] absl::Status Run(const std::atomic<bool>& stop);

  // Whether every controller's informers have synced (what /readyz answers).
  bool Ready() const;
  // Whether this process holds the leader Lease (always true without leader election, once Run
  // started).
  bool Leading() const { return leading_.load(); }
  // The bound ports of the endpoints once Run started them, else 0 (tests listen on port 0).
  int health_port() const { return health_port_.load(); }
  int metrics_port() const { return metrics_port_.load(); }
  Metrics& metrics() { return metrics_; }
  const std::string& identity() const { return options_.leader_election_options.identity; }

 private:
  kube::Client& client_;
  ManagerOptions options_;
  Metrics metrics_;
  std::vector<std::unique_ptr<Controller>> controllers_;
  std::atomic<bool> leading_{false};
  std::atomic<int> health_port_{0};
  std::atomic<int> metrics_port_{0};
};

// Turns SIGTERM and SIGINT into `stop`: blocks both signals in the calling thread (and so in every
// thread started after it — construct it first in main) and waits for them with sigwait on its own
// thread. A second signal exits at once with status 1, as controller-runtime does.
class SignalStop {
 public:
  explicit SignalStop(std::atomic<bool>& stop);
  ~SignalStop();
  SignalStop(const SignalStop&) = delete;
  SignalStop& operator=(const SignalStop&) = delete;

 private:
  std::atomic<bool>& stop_;
  std::atomic<bool> closing_{false};
  std::thread thread_;
};

}  // namespace fluxcpp::reconciler
