// A pod_runner (tests/env/pod_runner) for one test: started with a fresh state folder when
// constructed, stopped (SIGTERM, which stops every process it runs, then SIGKILL as a last resort)
// and its folder removed when the scope ends. Tests that use it depend on the pod_runner target.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

#include "lib/manifest/object.h"

namespace fluxcpp::testing {

struct PodRunnerOptions {
  std::map<std::string, std::string> images;  // image basename → binary
  std::string namespace_name;                 // empty: every namespace
  std::vector<std::string> extra_args;        // e.g. {"--no-default-args"}
};

class PodRunner {
 public:
  // Starts the runner and waits until it handled its first list of Pods; fails the test when it
  // does not get there.
  explicit PodRunner(PodRunnerOptions options);
  PodRunner(const PodRunner&) = delete;
  PodRunner& operator=(const PodRunner&) = delete;
  ~PodRunner();

  // Stops the runner and waits for it (and so for every process it ran); idempotent.
  void Stop();

  const std::string& state_directory() const { return state_directory_; }
  // The folder the runner keeps for `pod` (see tests/env/pod_runner/supervisor.h).
  std::string PodDirectory(const manifest::Json& pod) const;
  // The runner's own log, for INFO when a test fails.
  std::string Log() const;
  pid_t pid() const { return pid_; }

 private:
  std::string state_directory_;
  pid_t pid_ = -1;
};

}  // namespace fluxcpp::testing
