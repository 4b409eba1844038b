// The reconciler's Prometheus metrics, with Flux's and controller-runtime's names so existing
// dashboards and alerts work:
//   gotk_reconcile_duration_seconds{kind,name,namespace}          histogram
//   gotk_reconcile_condition{kind,name,namespace,type,status}     gauge, 1 for the current status
//   of
//                                                                  each condition, 0 for the others
//                                                                  (status "Deleted" once the
//                                                                  object is gone)
//   controller_runtime_reconcile_total{controller,result}         counter; result is success,
//   error,
//                                                                  requeue or requeue_after
//   controller_runtime_reconcile_errors_total{controller}         counter
//   controller_runtime_reconcile_time_seconds{controller}         histogram
//   controller_runtime_max_concurrent_reconciles{controller}      gauge
//   controller_runtime_active_workers{controller}                 gauge
//   workqueue_depth{name}                                         gauge
//   rest_client_requests_total                                    counter; requests sent to the
//                                                                  API server (every attempt)
// Render() gives the Prometheus text exposition format (version 0.0.4).
//
// Thread-safety: every function may be called from any thread.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lib/manifest/object.h"
#include "reconciler/runtime/controller.h"

namespace fluxcpp::reconciler {

// controller_runtime_reconcile_total's result label values.
inline constexpr std::string_view kResultSuccess = "success";
inline constexpr std::string_view kResultError = "error";
inline constexpr std::string_view kResultRequeue = "requeue";
inline constexpr std::string_view kResultRequeueAfter = "requeue_after";

class Metrics {
 public:
  Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // One finished reconcile of `key` (an object of `kind`) by `controller`.
  void ObserveReconcile(std::string_view controller, std::string_view kind, const ObjectKey& key,
                        double seconds, std::string_view result);
  // The conditions an object's status holds now (a JSON array of metav1.Condition).
  void RecordConditions(std::string_view kind, const ObjectKey& key,
                        const manifest::Json& conditions);
  // The object is gone: each of its condition gauges moves to status "Deleted".
  void RecordDeleted(std::string_view kind, const ObjectKey& key);
  void SetMaxConcurrentReconciles(std::string_view controller, int workers);
  void AddActiveWorkers(std::string_view controller, int delta);
  void SetQueueDepth(std::string_view controller, size_t depth);
  // Where rest_client_requests_total comes from; read at each Render.
  void CountRequestsWith(std::function<uint64_t()> requests_sent);

  // Every metric in the Prometheus text format, families sorted by name.
  std::string Render() const;

  using Labels = std::vector<std::pair<std::string, std::string>>;
  // The value of one counter or gauge series, 0 when absent; for tests.
  double Value(std::string_view name, const Labels& labels) const;
  // The sample count of one histogram series; for tests.
  uint64_t HistogramCount(std::string_view name, const Labels& labels) const;

 private:
  enum class Type { kCounter, kGauge, kHistogram };
  struct Histogram {
    std::vector<uint64_t> buckets;  // per upper bound, not cumulative
    double sum = 0;
    uint64_t count = 0;
  };
  struct Family {
    Type type;
    std::string help;
    std::vector<double> bounds;  // histograms only
    // Series keyed by their rendered label set.
    std::map<std::string, double> values;
    std::map<std::string, Histogram> histograms;
  };
  void Define(std::string name, Type type, std::string help, std::vector<double> bounds = {});
  void AddLocked(std::string_view name, const Labels& labels, double delta);
  void SetLocked(std::string_view name, const Labels& labels, double value);
  // gotk_reconcile_condition for one condition type of an object, at `status`.
  void SetConditionLocked(std::string_view kind, const ObjectKey& key, const std::string& type,
                          std::string_view status);
  void ObserveLocked(std::string_view name, const Labels& labels, double value);

  mutable std::mutex mutex_;
  // Mutable: Render refreshes the series read from elsewhere (requests_sent_) first.
  mutable std::map<std::string, Family, std::less<>> families_;
  std::function<uint64_t()> requests_sent_;
  // The condition types recorded per object, so RecordDeleted knows which gauges to move.
  std::map<std::string, std::vector<std::string>> condition_types_;
};

// `name="value",other="x"` with Prometheus escaping (backslash, double quote, newline).
std::string RenderLabels(const Metrics::Labels& labels);

}  // namespace fluxcpp::reconciler
