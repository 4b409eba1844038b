// Time as the controller runtime sees it, behind an interface so that tests of backoff and
// requeue delays step a fake clock instead of sleeping.
//
// Thread-safety: implementations must be safe to call from any thread.
#pragma once

#include <chrono>

namespace fluxcpp::reconciler {

class Clock {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;
};

// The monotonic clock of the machine.
class SteadyClock final : public Clock {
 public:
  TimePoint Now() const override { return std::chrono::steady_clock::now(); }
  // One instance serves every user; it holds no state.
  static const SteadyClock& Instance() {
    static const SteadyClock clock;
    return clock;
  }
};

}  // namespace fluxcpp::reconciler
