#include "reconciler/runtime/work_queue.h"

#include <algorithm>
#include <random>

namespace fluxcpp::reconciler {
namespace {

std::function<double()> DefaultRandom() {
  auto engine = std::make_shared<std::mt19937_64>(std::random_device{}());
  auto mutex = std::make_shared<std::mutex>();
  return [engine, mutex] {
    std::lock_guard lock(*mutex);
    return std::uniform_real_distribution<double>(0.0, 1.0)(*engine);
  };
}

}  // namespace

WorkQueue::WorkQueue(const Clock& clock, WorkQueueOptions options)
    : clock_(clock), options_(std::move(options)) {
  if (!options_.random) options_.random = DefaultRandom();
}

void WorkQueue::QueueLocked(const ObjectKey& key) {
  if (in_flight_.contains(key)) {
    dirty_.insert(key);
    return;
  }
  if (queued_.insert(key).second) {
    ready_.push_back(key);
    changed_.notify_one();
  }
}

void WorkQueue::Add(const ObjectKey& key) {
  std::lock_guard lock(mutex_);
  if (shutting_down_) return;
  delayed_.erase(key);
  if (auto running = in_flight_.find(key); running != in_flight_.end()) {
    running->second->store(true);
  }
  QueueLocked(key);
}

std::chrono::milliseconds WorkQueue::Jitter(std::chrono::milliseconds delay) {
  auto extra = static_cast<int64_t>(static_cast<double>(delay.count()) * 0.1 * options_.random());
  return delay + std::chrono::milliseconds(extra);
}

std::chrono::milliseconds WorkQueue::AddAfter(const ObjectKey& key, std::chrono::milliseconds delay,
                                              bool jitter) {
  if (jitter) delay = Jitter(delay);
  std::lock_guard lock(mutex_);
  if (shutting_down_) return delay;
  if (delay <= std::chrono::milliseconds(0)) {
    delayed_.erase(key);
    QueueLocked(key);
    return delay;
  }
  // Already waiting to run now: the sooner run decides about the next one.
  if (queued_.contains(key)) return delay;
  Clock::TimePoint due = clock_.Now() + delay;
  auto [pending, inserted] = delayed_.emplace(key, due);
  if (!inserted) pending->second = std::min(pending->second, due);
  changed_.notify_all();  // a waiter may have to wake sooner
  return delay;
}

std::chrono::milliseconds WorkQueue::AddWithBackoff(const ObjectKey& key) {
  std::chrono::milliseconds delay;
  {
    std::lock_guard lock(mutex_);
    int failures = failures_[key]++;
    delay = options_.backoff.initial;
    // Doubling stops once the maximum is reached, so the shift cannot overflow.
    for (int i = 0; i < failures && delay < options_.backoff.maximum; ++i) delay *= 2;
    delay = std::min(delay, options_.backoff.maximum);
  }
  return AddAfter(key, delay);
}

void WorkQueue::Forget(const ObjectKey& key) {
  std::lock_guard lock(mutex_);
  failures_.erase(key);
}

int WorkQueue::Failures(const ObjectKey& key) const {
  std::lock_guard lock(mutex_);
  auto found = failures_.find(key);
  return found == failures_.end() ? 0 : found->second;
}

void WorkQueue::PromoteDueLocked() {
  Clock::TimePoint now = clock_.Now();
  for (auto it = delayed_.begin(); it != delayed_.end();) {
    if (it->second <= now) {
      ObjectKey key = it->first;
      it = delayed_.erase(it);
      QueueLocked(key);
    } else {
      ++it;
    }
  }
}

std::optional<WorkItem> WorkQueue::PopLocked() {
  if (shutting_down_ || ready_.empty()) return std::nullopt;
  ObjectKey key = std::move(ready_.front());
  ready_.pop_front();
  queued_.erase(key);
  auto cancel = std::make_shared<std::atomic<bool>>(false);
  in_flight_.emplace(key, cancel);
  return WorkItem{std::move(key), std::move(cancel)};
}

std::optional<WorkItem> WorkQueue::Get() {
  std::unique_lock lock(mutex_);
  while (!shutting_down_) {
    PromoteDueLocked();
    if (auto item = PopLocked()) return item;
    if (delayed_.empty()) {
      changed_.wait(lock);
      continue;
    }
    Clock::TimePoint next =
        std::min_element(delayed_.begin(), delayed_.end(), [](const auto& a, const auto& b) {
          return a.second < b.second;
        })->second;
    // Capped so that a clock that is not the machine's (tests) is looked at again soon.
    auto wait =
        std::clamp(std::chrono::duration_cast<std::chrono::milliseconds>(next - clock_.Now()),
                   std::chrono::milliseconds(1), std::chrono::milliseconds(1000));
    changed_.wait_for(lock, wait);
  }
  return std::nullopt;
}

std::optional<WorkItem> WorkQueue::TryGet() {
  std::lock_guard lock(mutex_);
  PromoteDueLocked();
  return PopLocked();
}

void WorkQueue::Done(const ObjectKey& key) {
  std::lock_guard lock(mutex_);
  in_flight_.erase(key);
  if (dirty_.erase(key) > 0 && !shutting_down_) QueueLocked(key);
}

void WorkQueue::ShutDown() {
  std::lock_guard lock(mutex_);
  shutting_down_ = true;
  for (auto& [key, cancel] : in_flight_) cancel->store(true);
  changed_.notify_all();
}

bool WorkQueue::ShuttingDown() const {
  std::lock_guard lock(mutex_);
  return shutting_down_;
}

size_t WorkQueue::Length() const {
  std::lock_guard lock(mutex_);
  return ready_.size();
}

std::optional<Clock::TimePoint> WorkQueue::NextDue() const {
  std::lock_guard lock(mutex_);
  std::optional<Clock::TimePoint> next;
  for (const auto& [key, due] : delayed_) {
    if (!next || due < *next) next = due;
  }
  return next;
}

}  // namespace fluxcpp::reconciler
