// The kubelet part of the pod runner: keeps one local process per (Pod, container) whose image the
// runner knows, for as long as the Pod is Running and not being deleted. Each process gets a
// ServiceAccount token bound to its Pod (TokenRequest API, refreshed at 80% of its lifetime like
// the kubelet does) behind a kubeconfig, stops with SIGTERM and then SIGKILL after the Pod's grace
// period, and is started again with backoff when it exits while its Pod still runs.
//
// State folder layout (stable, tests read it):
//   <state>/pods/<namespace>_<pod>_<uid>/
//     serviceaccount/{token,ca.crt,namespace}   what the kubelet would mount
//     kubeconfig                                 KUBECONFIG of the pod's processes
//     volumes/<volume>/                          emptyDir folders (removed with the pod)
//     <container>.log                            the process's output, every start appended
//     <container>.pid                            present while the process runs
//
// Like a kubelet, the runner keeps a deleted Pod in the API until its processes have exited (so
// their Pod-bound token stays valid during a graceful shutdown): while it runs a process for a Pod
// it marks the Pod with kRunningAnnotation, which the ground's kwok pod-delete stage skips
// (tests/env/kwok/pod-delete-stage.yaml), and it removes the mark once the Pod is no longer
// wanted (deleted, not Running) and none of its processes runs, or when the runner stops.
//
// Thread-safety: PodSeen/PodGone/Resync may be called from any thread while Run runs on another.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "lib/kube/client.h"
#include "tests/env/pod_runner/launch_plan.h"

namespace fluxcpp::pod_runner {

inline constexpr char kRunningAnnotation[] = "pod-runner.fluxcpp.io/running";

struct SupervisorOptions {
  std::map<std::string, std::string> images;  // image basename → absolute path of a binary
  std::string state_directory;
  std::vector<DefaultArg> default_args = ReconcilerDefaultArgs();
  std::string server;                         // the API server the pods' kubeconfig names
  std::string ca_pem;                         // its CA
  std::chrono::seconds token_lifetime{3607};  // the kubelet's default for projected tokens
  std::chrono::milliseconds initial_backoff{1000};
  std::chrono::milliseconds max_backoff{30000};
};

class Supervisor {
 public:
  // `client` acts as the runner (creates tokens); it must outlive the Supervisor.
  Supervisor(kube::Client& client, SupervisorOptions options);
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;

  // A Pod was added or changed (from a watch).
  void PodSeen(const Json& pod);
  // A Pod is gone.
  void PodGone(const Json& pod);
  // The complete set of Pods in scope (after a list): those not in it are gone.
  void Resync(const std::vector<Json>& pods);

  // Supervises until `stop` becomes true, then stops every process (SIGTERM, SIGKILL after its
  // grace period) and returns once all have exited.
  void Run(const std::atomic<bool>& stop);
  // Wakes Run early (after PodSeen and friends, or when `stop` was set).
  void Wake();

 private:
  using Clock = std::chrono::steady_clock;
  struct Process {
    std::string container;
    pid_t pid = -1;  // -1: not running
    int starts = 0;
    Clock::time_point started_at;
    Clock::time_point next_start;  // backoff after an exit
    std::chrono::milliseconds backoff{0};
    bool stopping = false;
    Clock::time_point kill_at;
  };
  struct PodState {
    Json pod;
    bool present = true;  // false once the Pod is gone from the API
    std::string directory;
    std::map<std::string, Process> processes;  // by container name
    Clock::time_point token_refresh_at;
    bool has_token = false;
    bool marked = false;  // carries kRunningAnnotation (as far as the runner knows)
  };

  bool Wanted(const PodState& state) const;
  std::vector<Json> MatchingContainers(const Json& pod) const;
  int GraceSeconds(const Json& pod) const;
  void Step(bool stopping_all);
  void Reap(PodState& state);
  void StartMissing(PodState& state);
  void StopAll(PodState& state);
  absl::Status EnsureCredentials(PodState& state);
  absl::Status Mark(PodState& state);
  void Unmark(PodState& state);
  absl::Status Start(PodState& state, Process& process, const Json& container);
  bool AnyRunning();

  kube::Client& client_;
  SupervisorOptions options_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::map<std::string, PodState> pods_;  // by uid
};

}  // namespace fluxcpp::pod_runner
