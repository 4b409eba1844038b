#include "reconciler/runtime/controller.h"

#include <exception>
#include <mutex>
#include <thread>

#include "reconciler/runtime/informer.h"
#include "reconciler/runtime/log.h"
#include "reconciler/runtime/metrics.h"
#include "reconciler/runtime/status.h"
#include "reconciler/runtime/work_queue.h"

namespace fluxcpp::reconciler {
namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(20);

std::string_view OutcomeName(Outcome::Kind kind) {
  switch (kind) {
    case Outcome::Kind::kDone:
      return "done";
    case Outcome::Kind::kRequeueAfter:
      return "requeue_after";
    case Outcome::Kind::kRetryWithBackoff:
      return "retry";
  }
  return "done";
}

// Waits until `condition` holds or `stop` turns true; returns whether the condition holds.
template <typename Condition>
bool WaitFor(const std::atomic<bool>& stop, Condition condition) {
  while (!stop.load()) {
    if (condition()) return true;
    std::this_thread::sleep_for(kPollInterval);
  }
  return condition();
}

}  // namespace

struct Controller::State {
  State(kube::Client& client, Reconciler& reconciler, ControllerOptions options)
      : client(client),
        reconciler(reconciler),
        options(std::move(options)),
        queue(SteadyClock::Instance(), WorkQueueOptions{.backoff = this->options.backoff}),
        informer(client, this->options.kind, this->options.namespace_name,
                 this->options.label_selector,
                 [this](const kube::WatchEvent& event, const manifest::Object* previous) {
                   OnOwnEvent(event, previous);
                 }) {}

  void OnOwnEvent(const kube::WatchEvent& event, const manifest::Object* previous) {
    ObjectKey key = KeyOf(event.object);
    if (event.type == kube::WatchEventType::kDeleted && options.metrics) {
      options.metrics->RecordDeleted(options.kind.kind, key);
    }
    if (ShouldReconcile(event, previous)) {
      LogDebug("enqueue", {{"controller", options.name}, {"key", key.ToString()}});
      queue.Add(key);
      if (options.metrics) options.metrics->SetQueueDepth(options.name, queue.Length());
    }
    for (const RelatedMapper& map : own_kind_mappers) {
      for (const ObjectKey& related_key : map(event)) queue.Add(related_key);
    }
  }

  void RunWorker() {
    while (auto item = queue.Get()) {
      ReconcileOne(*item);
      queue.Done(item->key);
      if (options.metrics) options.metrics->SetQueueDepth(options.name, queue.Length());
    }
  }

  void ReconcileOne(const WorkItem& item) {
    if (options.metrics) options.metrics->AddActiveWorkers(options.name, 1);
    auto started = std::chrono::steady_clock::now();
    Outcome outcome;
    try {
      outcome = reconciler.Reconcile(item.key, ReconcileContext{.cancel = *item.cancel,
                                                                .controller = owner,
                                                                .shutting_down = &shutting_down});
    } catch (const std::exception& error) {
      outcome = Outcome::Retry(absl::InternalError(options.name + " " + item.key.ToString() +
                                                   ": reconcile threw: " + error.what()));
    }
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (options.metrics) options.metrics->AddActiveWorkers(options.name, -1);

    std::string_view result = kResultSuccess;
    LogFields fields = {{"controller", options.name},
                        {"kind", options.kind.kind},
                        {"name", item.key.name},
                        {"namespace", item.key.namespace_name},
                        {"key", item.key.ToString()},
                        {"duration", seconds},
                        {"outcome", OutcomeName(outcome.kind)}};
    switch (outcome.kind) {
      case Outcome::Kind::kDone:
        queue.Forget(item.key);
        break;
      case Outcome::Kind::kRequeueAfter: {
        queue.Forget(item.key);
        auto delay = queue.AddAfter(item.key, outcome.after, outcome.jitter);
        fields.emplace_back("requeueAfter", FormatDuration(delay));
        result = kResultRequeueAfter;
        break;
      }
      case Outcome::Kind::kRetryWithBackoff: {
        auto delay = queue.AddWithBackoff(item.key);
        fields.emplace_back("retryAfter", FormatDuration(delay));
        result = kResultError;
        break;
      }
    }
    if (!outcome.error.ok()) fields.emplace_back("error", std::string(outcome.error.message()));
    if (options.metrics) {
      options.metrics->ObserveReconcile(options.name, options.kind.kind, item.key, seconds, result);
      if (!outcome.conditions.is_null()) {
        options.metrics->RecordConditions(options.kind.kind, item.key, outcome.conditions);
      }
    }
    Log(outcome.error.ok() ? LogLevel::kInfo : LogLevel::kError, "reconcile finished", fields);
  }

  kube::Client& client;
  Reconciler& reconciler;
  ControllerOptions options;
  const Controller* owner = nullptr;
  WorkQueue queue;
  Informer informer;
  std::vector<std::unique_ptr<Informer>> related;
  // Mappers of WatchRelated for the controller's own kind: they see its informer's events.
  std::vector<RelatedMapper> own_kind_mappers;
  std::atomic<bool> reconciling{false};
  std::atomic<bool> shutting_down{false};  // set before the queue cancels in-flight runs
  std::atomic<bool> ran{false};            // Run works once: its queue shuts down at the end
};

Controller::Controller(kube::Client& client, Reconciler& reconciler, ControllerOptions options)
    : state_(std::make_unique<State>(client, reconciler, std::move(options))) {
  if (state_->options.workers < 1) state_->options.workers = 1;
  state_->owner = this;
}

Controller::~Controller() = default;

void Controller::WatchRelated(const GroupVersionKind& kind, RelatedMapper map) {
  State& state = *state_;
  if (kind == state.options.kind) {
    // A second informer would only hold a second copy of every object and watch them again.
    state.own_kind_mappers.push_back(std::move(map));
    return;
  }
  state.related.push_back(std::make_unique<Informer>(
      state.client, kind, state.options.namespace_name, state.options.label_selector,
      [&state, map = std::move(map)](const kube::WatchEvent& event, const manifest::Object*) {
        for (const ObjectKey& key : map(event)) state.queue.Add(key);
      }));
}

void Controller::Enqueue(const ObjectKey& key) { state_->queue.Add(key); }

absl::Status Controller::Run(const std::atomic<bool>& stop) {
  static const std::atomic<bool> kAlwaysElected{true};
  return Run(stop, kAlwaysElected);
}

absl::Status Controller::Run(const std::atomic<bool>& stop, const std::atomic<bool>& elected) {
  State& state = *state_;
  if (state.ran.exchange(true)) {
    return absl::FailedPreconditionError("controller " + state.options.name + " ran already");
  }
  state.reconciling.store(true);
  if (state.options.metrics) {
    state.options.metrics->SetMaxConcurrentReconciles(state.options.name, state.options.workers);
  }
  // The informers stop with `stop` or when one of them cannot watch at all.
  std::atomic<bool> informers_stop{false};
  std::mutex failure_mutex;
  absl::Status failure;
  std::atomic<bool> failed{false};
  std::vector<Informer*> informers = {&state.informer};
  for (auto& related : state.related) informers.push_back(related.get());
  std::vector<std::thread> informer_threads;
  for (Informer* informer : informers) {
    informer_threads.emplace_back([&, informer] {
      absl::Status watched = informer->Run(informers_stop);
      if (!watched.ok()) {
        std::lock_guard lock(failure_mutex);
        if (failure.ok()) failure = watched;
        failed.store(true);
      }
    });
  }
  auto ready_or_failed = [&] { return failed.load() || (Synced() && elected.load()); };
  std::vector<std::thread> workers;
  if (WaitFor(stop, ready_or_failed) && !failed.load() && !stop.load()) {
    LogInfo("starting workers",
            {{"controller", state.options.name}, {"workers", state.options.workers}});
    for (int i = 0; i < state.options.workers; ++i) {
      workers.emplace_back([&state] { state.RunWorker(); });
    }
    WaitFor(stop, [&] { return failed.load(); });
  }
  // Cancels in-flight runs and lets them finish; the informers (which only feed the queue) stop
  // meanwhile.
  state.shutting_down.store(true);
  state.queue.ShutDown();
  informers_stop.store(true);
  for (std::thread& worker : workers) worker.join();
  state.reconciling.store(false);
  for (std::thread& thread : informer_threads) thread.join();
  LogInfo("controller stopped", {{"controller", state.options.name}});
  std::lock_guard lock(failure_mutex);
  return failure;
}

bool Controller::Synced() const {
  if (!state_->informer.Synced()) return false;
  for (const auto& related : state_->related) {
    if (!related->Synced()) return false;
  }
  return true;
}

const std::string& Controller::name() const { return state_->options.name; }

bool Controller::Reconciling() const { return state_->reconciling.load(); }

const ObjectCache& Controller::cache() const { return state_->informer; }

const ObjectCache* Controller::CacheOf(const GroupVersionKind& kind) const {
  if (kind == state_->options.kind) return &state_->informer;
  for (const auto& related : state_->related) {
    if (related->kind() == kind) return related.get();
  }
  return nullptr;
}

const ObjectCache* ReconcileContext::CacheOf(const GroupVersionKind& kind) const {
  return controller == nullptr ? nullptr : controller->CacheOf(kind);
}

}  // namespace fluxcpp::reconciler
