#include "reconciler/runtime/work_queue.h"

#include <catch2/catch.hpp>
#include <thread>

#include "fake_clock.h"

namespace fluxcpp::reconciler {
namespace {

using std::chrono::milliseconds;
using namespace std::chrono_literals;

const ObjectKey kApps{"flux-system", "apps"};
const ObjectKey kInfra{"flux-system", "infra"};

WorkQueueOptions FixedRandom(double value) {
  return WorkQueueOptions{.random = [value] { return value; }};
}

TEST_CASE("WorkQueue hands out each queued key once, in order") {
  FakeClock clock;
  WorkQueue queue(clock);
  queue.Add(kApps);
  queue.Add(kInfra);
  queue.Add(kApps);
  CHECK(queue.Length() == 2);
  auto first = queue.TryGet();
  auto second = queue.TryGet();
  REQUIRE(first);
  REQUIRE(second);
  CHECK(first->key == kApps);
  CHECK(second->key == kInfra);
  CHECK_FALSE(queue.TryGet());
}

TEST_CASE("WorkQueue never hands an in-flight key to a second worker") {
  FakeClock clock;
  WorkQueue queue(clock);
  queue.Add(kApps);
  auto running = queue.TryGet();
  REQUIRE(running);
  CHECK_FALSE(running->cancel->load());

  queue.Add(kApps);
  CHECK(running->cancel->load());  // the running reconcile learns the object changed
  CHECK_FALSE(queue.TryGet());     // but the key is not handed out twice
  queue.Add(kApps);                // coalesced with the pending re-add

  queue.Done(kApps);
  auto again = queue.TryGet();
  REQUIRE(again);
  CHECK(again->key == kApps);
  CHECK_FALSE(again->cancel->load());
  queue.Done(kApps);
  CHECK_FALSE(queue.TryGet());
}

TEST_CASE("WorkQueue delays AddAfter until the clock reaches it") {
  FakeClock clock;
  WorkQueue queue(clock);
  CHECK(queue.AddAfter(kApps, 10s) == 10s);
  CHECK_FALSE(queue.TryGet());
  clock.Advance(9999ms);
  CHECK_FALSE(queue.TryGet());
  clock.Advance(1ms);
  auto item = queue.TryGet();
  REQUIRE(item);
  CHECK(item->key == kApps);
}

TEST_CASE("WorkQueue keeps the earliest of two delayed adds, and Add replaces a delayed one") {
  FakeClock clock;
  WorkQueue queue(clock);
  queue.AddAfter(kApps, 10s);
  queue.AddAfter(kApps, 3s);
  queue.AddAfter(kApps, 20s);
  clock.Advance(3s);
  REQUIRE(queue.TryGet());
  queue.Done(kApps);
  clock.Advance(20s);
  CHECK_FALSE(queue.TryGet());  // the later adds were merged into the first

  queue.AddAfter(kInfra, 5s);
  queue.Add(kInfra);
  REQUIRE(queue.TryGet());
  queue.Done(kInfra);
  clock.Advance(5s);
  CHECK_FALSE(queue.TryGet());
}

TEST_CASE("WorkQueue jitter adds at most 10 percent") {
  FakeClock clock;
  SECTION("largest jitter") {
    WorkQueue queue(clock, FixedRandom(0.999));
    auto delay = queue.AddAfter(kApps, 60s, /*jitter=*/true);
    CHECK(delay > 60s);
    CHECK(delay <= 66s);
    clock.Advance(delay - 1ms);
    CHECK_FALSE(queue.TryGet());
    clock.Advance(1ms);
    CHECK(queue.TryGet());
  }
  SECTION("no jitter unless asked") {
    WorkQueue queue(clock, FixedRandom(0.999));
    CHECK(queue.AddAfter(kApps, 60s) == 60s);
  }
  SECTION("random jitter stays in range") {
    WorkQueue queue(clock);
    for (int i = 0; i < 200; ++i) {
      auto delay = queue.AddAfter(kApps, 1000ms, true);
      CHECK(delay >= 1000ms);
      CHECK(delay <= 1100ms);
    }
  }
}

TEST_CASE("WorkQueue backs off per key from 750 ms doubling to 15 minutes, reset by Forget") {
  FakeClock clock;
  WorkQueue queue(clock);
  std::vector<milliseconds> delays;
  for (int i = 0; i < 14; ++i) {
    delays.push_back(queue.AddWithBackoff(kApps));
    clock.Advance(delays.back());
    REQUIRE(queue.TryGet());
    queue.Done(kApps);
  }
  std::vector<milliseconds> expected = {750ms,    1500ms,   3000ms,   6000ms,   12000ms,
                                        24000ms,  48000ms,  96000ms,  192000ms, 384000ms,
                                        768000ms, 900000ms, 900000ms, 900000ms};
  CHECK(delays == expected);
  CHECK(queue.Failures(kApps) == 14);
  CHECK(queue.AddWithBackoff(kInfra) == 750ms);  // other keys have their own backoff

  queue.Forget(kApps);
  CHECK(queue.Failures(kApps) == 0);
  CHECK(queue.AddWithBackoff(kApps) == 750ms);
}

TEST_CASE("WorkQueue backoff honours configured bounds") {
  FakeClock clock;
  WorkQueue queue(clock, WorkQueueOptions{.backoff = {.initial = 100ms, .maximum = 350ms}});
  CHECK(queue.AddWithBackoff(kApps) == 100ms);
  CHECK(queue.AddWithBackoff(kApps) == 200ms);
  CHECK(queue.AddWithBackoff(kApps) == 350ms);
  CHECK(queue.AddWithBackoff(kApps) == 350ms);
}

TEST_CASE("WorkQueue ShutDown wakes blocked workers and cancels in-flight runs") {
  WorkQueue queue;
  queue.Add(kApps);
  auto running = queue.Get();
  REQUIRE(running);
  std::atomic<int> woke{0};
  std::vector<std::thread> waiters;
  for (int i = 0; i < 3; ++i) {
    waiters.emplace_back([&] {
      if (!queue.Get()) ++woke;
    });
  }
  std::this_thread::sleep_for(50ms);
  queue.ShutDown();
  for (auto& waiter : waiters) waiter.join();
  CHECK(woke == 3);
  CHECK(running->cancel->load());
  queue.Add(kInfra);
  CHECK_FALSE(queue.TryGet());
}

TEST_CASE("WorkQueue Get wakes for a delayed add on the machine clock") {
  WorkQueue queue;
  auto started = std::chrono::steady_clock::now();
  queue.AddAfter(kApps, 30ms);
  auto item = queue.Get();
  REQUIRE(item);
  CHECK(std::chrono::steady_clock::now() - started >= 30ms);
}

}  // namespace
}  // namespace fluxcpp::reconciler
