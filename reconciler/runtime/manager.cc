#include "reconciler/runtime/manager.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <mutex>

#include "reconciler/runtime/endpoints.h"
#include "reconciler/runtime/log.h"
#include "reconciler/runtime/status.h"

namespace fluxcpp::reconciler {

Manager::Manager(kube::Client& client, ManagerOptions options)
    : client_(client), options_(std::move(options)) {
  LeaderElectionOptions& election = options_.leader_election_options;
  if (election.namespace_name.empty()) election.namespace_name = options_.namespace_name;
  if (election.identity.empty()) election.identity = DefaultLeaderIdentity();
  metrics_.CountRequestsWith([&client] { return client.transport().requests_sent(); });
}

Manager::~Manager() = default;

Controller& Manager::AddController(Reconciler& reconciler, ControllerOptions options) {
  options.namespace_name = options_.watch_all_namespaces ? "" : options_.namespace_name;
  if (options.label_selector.empty()) options.label_selector = options_.label_selector;
  options.workers = options_.concurrent;
  options.metrics = &metrics_;
  controllers_.push_back(std::make_unique<Controller>(client_, reconciler, std::move(options)));
  return *controllers_.back();
}

bool Manager::Ready() const {
  for (const auto& controller : controllers_) {
    if (!controller->Synced()) return false;
  }
  return true;
}

absl::Status Manager::Run(const std::atomic<bool>& stop) {
  auto health = StartHealthEndpoint(options_.health_address, [this] { return Ready(); });
  if (!health.ok()) return health.status();
  auto metrics = StartMetricsEndpoint(options_.metrics_address, metrics_);
  if (!metrics.ok()) return metrics.status();
  health_port_.store((*health)->port());
  metrics_port_.store((*metrics)->port());
  LogInfo("serving health and metrics",
          {{"healthPort", (*health)->port()}, {"metricsPort", (*metrics)->port()}});

  // The controllers stop with `stop`, when leadership is lost, or when one of them fails.
  std::atomic<bool> controllers_stop{false};
  std::mutex failure_mutex;
  absl::Status failure;
  std::vector<std::thread> threads;
  for (auto& controller : controllers_) {
    threads.emplace_back([&, controller = controller.get()] {
      absl::Status ran = controller->Run(controllers_stop, leading_);
      if (!ran.ok()) {
        std::lock_guard lock(failure_mutex);
        if (failure.ok()) failure = ran;
        controllers_stop.store(true);
      }
    });
  }
  // `stop` or a failed controller ends the wait for leadership and the renewals.
  std::atomic<bool> election_stop{false};
  std::thread watchdog([&] {
    while (!stop.load() && !controllers_stop.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    election_stop.store(true);
  });

  std::optional<LeaderElector> elector;
  absl::Status lost;
  if (options_.leader_election) {
    elector.emplace(client_, options_.leader_election_options);
    if (elector->Acquire(election_stop).ok()) {
      leading_.store(true);
      lost = elector->KeepLeading(election_stop);
      if (!lost.ok()) LogError("leader election lost", {{"error", std::string(lost.message())}});
    }
  } else {
    leading_.store(true);
    while (!election_stop.load()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  controllers_stop.store(true);
  // A successor should start only once no reconcile runs any more (the informers need not be
  // closed) — but start it must, before the kubelet's SIGKILL: the wait is bounded.
  const auto shutdown_started = std::chrono::steady_clock::now();
  const auto shutdown_deadline = shutdown_started + options_.graceful_shutdown_timeout;
  auto still_reconciling = [this] {
    std::string names;
    for (const auto& controller : controllers_) {
      if (!controller->Reconciling()) continue;
      names += (names.empty() ? "" : ",") + controller->name();
    }
    return names;
  };
  std::string abandoned = still_reconciling();
  while (!abandoned.empty() && std::chrono::steady_clock::now() < shutdown_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    abandoned = still_reconciling();
  }
  if (!abandoned.empty()) {
    LogError("graceful shutdown timed out; abandoning the reconciles still running",
             {{"timeout", FormatDuration(options_.graceful_shutdown_timeout)},
              {"controllers", abandoned}});
  } else {
    LogInfo("reconciles finished",
            {{"duration",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - shutdown_started)
                  .count()}});
  }
  if (elector && leading_.load() && lost.ok()) {
    absl::Status released = elector->Release();
    if (!released.ok()) {
      LogError("releasing the leader lease failed", {{"error", std::string(released.message())}});
    }
  }
  leading_.store(false);
  if (!abandoned.empty()) {
    // The stuck workers hold references into this frame and the controllers: neither joining
    // nor returning is possible. The Lease is free; nothing else needs an orderly end.
    std::_Exit(1);
  }
  for (std::thread& thread : threads) thread.join();
  watchdog.join();
  (*health)->Stop();
  (*metrics)->Stop();
  std::lock_guard lock(failure_mutex);
  if (!failure.ok()) return failure;
  return lost;
}

SignalStop::SignalStop(std::atomic<bool>& stop) : stop_(stop) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  thread_ = std::thread([this, signals] {
    int received = 0;
    while (sigwait(&signals, &received) == 0) {
      if (closing_.load()) return;
      if (stop_.exchange(true)) {
        LogError("second signal, exiting at once", {{"signal", received}});
        std::_Exit(1);
      }
      LogInfo("signal received, shutting down", {{"signal", received}});
    }
  });
}

SignalStop::~SignalStop() {
  closing_.store(true);
  // Wakes the sigwait; the signal is blocked everywhere, so only that thread takes it.
  pthread_kill(thread_.native_handle(), SIGTERM);
  thread_.join();
}

}  // namespace fluxcpp::reconciler
