#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <thread>

#include "reconciler/runtime/manager.h"

namespace fluxcpp::reconciler {
namespace {

TEST_CASE("SignalStop turns SIGTERM into the stop flag and ends cleanly") {
  std::atomic<bool> stop{false};
  {
    SignalStop signals(stop);
    CHECK_FALSE(stop.load());
    REQUIRE(kill(getpid(), SIGTERM) == 0);
    for (int i = 0; i < 200 && !stop.load(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    CHECK(stop.load());
  }
  std::atomic<bool> unused{false};
  { SignalStop signals(unused); }  // destruction alone does not set the flag
  CHECK_FALSE(unused.load());
}

}  // namespace
}  // namespace fluxcpp::reconciler
