// The controller runtime the reconcilers are written against: a Reconciler turns one object's spec
// into the world and its status, and says when it wants to run again; a Controller feeds it keys
// from an informer (list + watch) through a work queue with per-object exponential backoff, with
// a fixed number of workers, so no object is reconciled by two workers at once.
//
// Thread-safety: Reconcile is called from several workers at once, each time for a different key;
// Controller's public functions may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <compare>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "lib/kube/client.h"

namespace fluxcpp::reconciler {

using manifest::GroupVersionKind;
using manifest::Json;

struct ObjectKey {
  std::string namespace_name;  // empty for cluster-scoped kinds
  std::string name;

  // "flux-system/flux-system", or the name alone when cluster-scoped.
  std::string ToString() const {
    return namespace_name.empty() ? name : namespace_name + "/" + name;
  }
  friend auto operator<=>(const ObjectKey&, const ObjectKey&) = default;
};

// What a reconcile asks of the controller next. Failures come in three kinds (see STYLE.md):
// terminal ones are Done (the object is Stalled until its spec changes), transient ones Retry with
// backoff, and not-ready ones RequeueAfter a fixed delay.
struct Outcome {
  enum class Kind { kDone, kRequeueAfter, kRetryWithBackoff };
  Kind kind = Kind::kDone;
  // For kRequeueAfter: the delay before the next run. The controller adds up to +10 % jitter
  // when `jitter` is set (the object's interval), none otherwise (a fixed retry delay).
  std::chrono::milliseconds after{0};
  bool jitter = false;
  // For kRetryWithBackoff (and for logs and metrics in every kind): why the reconcile failed.
  absl::Status error;
  // The status.conditions the reconcile wrote, for the condition gauges; null when unchanged.
  Json conditions;

  static Outcome Done() { return {}; }
  static Outcome RequeueAfter(std::chrono::milliseconds delay, bool jitter = false) {
    return {.kind = Kind::kRequeueAfter, .after = delay, .jitter = jitter};
  }
  static Outcome Retry(absl::Status error) {
    return {.kind = Kind::kRetryWithBackoff, .error = std::move(error)};
  }
};

class Controller;
class ObjectCache;

// Handed to each Reconcile call.
struct ReconcileContext {
  // Turns true when the controller shuts down, or when the object (or a related object, see
  // Controller::WatchRelated) changed while this reconcile was running, so long waits — health
  // checks — stop early and the new state is reconciled next.
  const std::atomic<bool>& cancel;
  // The controller running the reconcile, whose informer caches (Controller::CacheOf) spare
  // reads from the API server; null when a test calls Reconcile directly.
  const Controller* controller = nullptr;
  // Turns true (before `cancel` does) when the cancel is the controller shutting down rather than
  // a change: the process is going away and another leader takes the object over, so an
  // interrupted run should not report a failure it did not see. Null: never.
  const std::atomic<bool>* shutting_down = nullptr;

  bool ShuttingDown() const { return shutting_down != nullptr && shutting_down->load(); }

  // The informer cache of `kind` (the controller's own or one of WatchRelated), else null.
  const ObjectCache* CacheOf(const GroupVersionKind& kind) const;
};

class Reconciler {
 public:
  virtual ~Reconciler() = default;
  // Reconciles the object named `key`, reading it from the API server or from the controller's
  // cache when that is known to be current (it may be gone, or being deleted: then clean up and
  // drop the finalizer). Writes status itself, once.
  virtual Outcome Reconcile(const ObjectKey& key, const ReconcileContext& context) = 0;
};

struct BackoffOptions {
  std::chrono::milliseconds initial{750};
  std::chrono::milliseconds maximum{std::chrono::minutes(15)};
};

class Metrics;

struct ControllerOptions {
  std::string name;  // "gitrepository", "kustomization": logs, metrics and events
  GroupVersionKind kind;
  std::string namespace_name;  // empty: every namespace
  std::string label_selector;  // sharding, e.g. "sharding.fluxcd.io/key=shard1"
  int workers = 4;
  BackoffOptions backoff;
  // Where reconcile durations, results and conditions are recorded; none when null. Not owned;
  // must outlive the Controller.
  Metrics* metrics = nullptr;
};

// The objects an informer holds, by key; a consistent copy of each.
class ObjectCache {
 public:
  virtual ~ObjectCache() = default;
  virtual std::optional<manifest::Object> Get(const ObjectKey& key) const = 0;
  virtual std::vector<manifest::Object> List() const = 0;
  // Calls `visit` with each object in turn, without copying them (List copies all); `visit` must
  // not call back into the cache. The default goes through List.
  virtual void ForEach(const std::function<void(const manifest::Object&)>& visit) const {
    for (const manifest::Object& object : List()) visit(object);
  }
};

class Controller {
 public:
  Controller(kube::Client& client, Reconciler& reconciler, ControllerOptions options);
  ~Controller();
  Controller(const Controller&) = delete;
  Controller& operator=(const Controller&) = delete;

  // Also watches `kind` (same namespace scope and selector) and enqueues the keys `map` returns
  // for each change of one of its objects — a GitRepository's new artifact wakes the
  // Kustomizations that use it. Call before Run. For the controller's own kind no second watch is
  // started: `map` sees the events of its own informer.
  using RelatedMapper = std::function<std::vector<ObjectKey>(const kube::WatchEvent& event)>;
  void WatchRelated(const GroupVersionKind& kind, RelatedMapper map);

  // Queues a reconcile of `key` now (coalesced with one already queued); if it is being
  // reconciled, that run's cancel flag turns true and it runs again afterwards.
  void Enqueue(const ObjectKey& key);

  // Runs the informers and workers until `stop` turns true, then cancels in-flight reconciles
  // (their context says ShuttingDown) and lets them finish.
  // Returns an error only when the kind cannot be watched at all. Runs once per Controller.
  [[nodiscard]] absl::Status Run(const std::atomic<bool>& stop);
  // The same, but the workers start only once `elected` turns true (leader election): the
  // informers fill the cache and the queue meanwhile, so a standby is ready and takes over at once.
  [[nodiscard]] absl::Status Run(const std::atomic<bool>& stop, const std::atomic<bool>& elected);

  // ControllerOptions::name.
  const std::string& name() const;

  // Whether the informers have delivered their initial lists (for /readyz).
  bool Synced() const;

  // Whether Run may still start workers or has reconciles running; false before Run and as soon
  // as its workers finished after `stop` (while the informers may still be closing), so a
  // leader can hand its Lease over without waiting for them.
  bool Reconciling() const;

  // The objects of the controller's own kind, as last seen by its informer.
  const ObjectCache& cache() const;
  // The same for `kind`: the controller's own kind or one watched with WatchRelated; null for
  // others. Its objects may lag behind the API server by the watch's latency.
  const ObjectCache* CacheOf(const GroupVersionKind& kind) const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace fluxcpp::reconciler
