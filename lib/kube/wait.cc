#include <algorithm>
#include <thread>

#include "lib/kube/apply.h"
#include "lib/kube/concurrency.h"
#include "lib/kube/errors.h"
#include "lib/kube/health.h"

namespace fluxcpp::kube {

absl::Status WaitForSet(Client& client, const std::vector<Object>& objects,
                        const WaitOptions& options) {
  auto deadline = std::chrono::steady_clock::now() + options.timeout;
  std::vector<Health> health(objects.size());
  for (;;) {
    ForEachConcurrently(objects.size(), 4, [&](size_t index) {
      const Object& object = objects[index];
      if (health[index].status == HealthStatus::kCurrent) return;  // Current stays settled
      auto live = client.Get(object.Gvk(), object.Namespace(), object.Name());
      if (live.ok()) {
        health[index] = ComputeHealth(live->json());
      } else if (live.status().code() == absl::StatusCode::kNotFound) {
        health[index] = {HealthStatus::kNotFound, object.Describe() + ": not found"};
      } else {
        health[index] = {HealthStatus::kUnknown, std::string(live.status().message())};
      }
    });
    std::string failed;
    std::string pending;
    int not_ready = 0;
    for (size_t i = 0; i < objects.size(); ++i) {
      if (health[i].status == HealthStatus::kCurrent) continue;
      ++not_ready;
      std::string line = "\n  " + objects[i].Describe() + " is " +
                         std::string(ToString(health[i].status)) +
                         (health[i].message.empty() ? "" : ": " + health[i].message);
      (health[i].status == HealthStatus::kFailed ? failed : pending) += line;
    }
    if (not_ready == 0) return absl::OkStatus();
    if (!failed.empty()) return absl::FailedPreconditionError("health check failed:" + failed);
    if (std::chrono::steady_clock::now() + options.interval > deadline) {
      return absl::DeadlineExceededError(
          "timed out after " + std::to_string(options.timeout.count()) + "s waiting for " +
          std::to_string(not_ready) + " of " + std::to_string(objects.size()) +
          " objects to become ready:" + pending);
    }
    // Sleep in short slices so a cancel is noticed quickly.
    auto wake = std::chrono::steady_clock::now() + options.interval;
    while (std::chrono::steady_clock::now() < wake) {
      if (options.cancel != nullptr && options.cancel->load()) {
        return absl::CancelledError("health check canceled with " + std::to_string(not_ready) +
                                    " of " + std::to_string(objects.size()) +
                                    " objects not ready:" + pending);
      }
      std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
          std::chrono::milliseconds(100), wake - std::chrono::steady_clock::now()));
    }
  }
}

}  // namespace fluxcpp::kube
