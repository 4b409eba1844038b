// The work queue between informers and workers, after client-go's rate-limited delaying queue:
//  - a key is queued at most once (adding it again while queued is a no-op);
//  - a key is handed to one worker at a time: re-added while in flight, it is queued again when
//    that worker calls Done, and the in-flight run's cancel flag turns true;
//  - delayed adds (AddAfter), with optional jitter of up to +10 %;
//  - per-key exponential backoff for failures (AddWithBackoff), reset by Forget;
//  - ShutDown wakes every waiter; Get then returns nothing.
// Time comes from an injectable Clock; TryGet never blocks, so tests step a fake clock.
//
// Thread-safety: every function may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>

#include "reconciler/runtime/clock.h"
#include "reconciler/runtime/controller.h"

namespace fluxcpp::reconciler {

struct WorkQueueOptions {
  BackoffOptions backoff;
  // Returns a number in [0, 1) for jitter; std::random_device seeded when empty.
  std::function<double()> random;
};

// One key handed to a worker; `cancel` turns true when the key is re-added or the queue shuts
// down while the worker holds it.
struct WorkItem {
  ObjectKey key;
  std::shared_ptr<std::atomic<bool>> cancel;
};

class WorkQueue {
 public:
  explicit WorkQueue(const Clock& clock = SteadyClock::Instance(), WorkQueueOptions options = {});
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  // Queues `key` now; replaces a pending delayed add of it (the run that follows decides when the
  // next one is due).
  void Add(const ObjectKey& key);
  // Queues `key` after `delay` (plus up to 10 % when `jitter`); an earlier pending add wins.
  // Returns the delay used.
  std::chrono::milliseconds AddAfter(const ObjectKey& key, std::chrono::milliseconds delay,
                                     bool jitter = false);
  // Queues `key` after its backoff: initial, doubling with each failure since the last Forget, at
  // most maximum. Returns the delay used.
  std::chrono::milliseconds AddWithBackoff(const ObjectKey& key);
  // Resets the backoff of `key` (after a successful run).
  void Forget(const ObjectKey& key);
  // Failures counted for `key` since the last Forget.
  int Failures(const ObjectKey& key) const;

  // Blocks until a key is ready or the queue shuts down (then returns nothing).
  std::optional<WorkItem> Get();
  // A ready key (delayed adds that are due count), or nothing; never blocks.
  std::optional<WorkItem> TryGet();
  // The worker holding `key` is finished with it; a re-add that came meanwhile is queued now.
  void Done(const ObjectKey& key);

  // Stops handing out keys, turns every in-flight cancel flag true and wakes every waiter.
  void ShutDown();
  bool ShuttingDown() const;

  // Keys ready now (not counting delayed or in-flight ones); for metrics and tests.
  size_t Length() const;
  // When the earliest delayed add is due, if any.
  std::optional<Clock::TimePoint> NextDue() const;

 private:
  void QueueLocked(const ObjectKey& key);
  void PromoteDueLocked();
  std::optional<WorkItem> PopLocked();
  std::chrono::milliseconds Jitter(std::chrono::milliseconds delay);

  const Clock& clock_;
  WorkQueueOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<ObjectKey> ready_;
  std::set<ObjectKey> queued_;  // the keys in ready_
  // Keys held by a worker, with their run's cancel flag.
  std::map<ObjectKey, std::shared_ptr<std::atomic<bool>>> in_flight_;
  std::set<ObjectKey> dirty_;  // re-added while in flight: queued again on Done
  std::map<ObjectKey, Clock::TimePoint> delayed_;
  std::map<ObjectKey, int> failures_;
  bool shutting_down_ = false;
};

}  // namespace fluxcpp::reconciler
