// bootstrap's Deadline: what its waits poll, with the cancel flag the provider's StopProvider sets.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "bootstrap/workflow.h"

namespace fluxcpp::bootstrap {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::steady_clock;

TEST_CASE("a deadline without a cancel flag is never cancelled and pauses the whole interval") {
  Deadline deadline(seconds(60));
  CHECK_FALSE(deadline.Cancelled());
  CHECK_FALSE(deadline.Expired());
  CHECK(deadline.cancel() == nullptr);
  const auto start = steady_clock::now();
  deadline.Pause(milliseconds(120));
  CHECK(steady_clock::now() - start >= milliseconds(120));
}

TEST_CASE("a cancel ends a pause early and is seen by the waits") {
  std::atomic<bool> cancel{false};
  Deadline deadline(seconds(60), &cancel);
  CHECK_FALSE(deadline.Cancelled());
  std::thread canceller([&] {
    std::this_thread::sleep_for(milliseconds(100));
    cancel = true;
  });
  const auto start = steady_clock::now();
  deadline.Pause(milliseconds(30000));
  const auto took = steady_clock::now() - start;
  canceller.join();
  CHECK(deadline.Cancelled());
  CHECK(took < seconds(5));
  CHECK(took >= milliseconds(100));
  CHECK_FALSE(deadline.Expired());  // cancelled, not expired: the waits say which
}

}  // namespace
}  // namespace fluxcpp::bootstrap
