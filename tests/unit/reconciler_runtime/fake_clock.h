// A clock that moves only when a test advances it.
#pragma once

#include <atomic>

#include "reconciler/runtime/clock.h"

namespace fluxcpp::reconciler {

class FakeClock final : public Clock {
 public:
  TimePoint Now() const override { return TimePoint(std::chrono::milliseconds(now_ms_.load())); }
  void Advance(std::chrono::milliseconds step) { now_ms_ += step.count(); }

 private:
  std::atomic<int64_t> now_ms_{1'000'000};
};

}  // namespace fluxcpp::reconciler
