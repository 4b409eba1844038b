#include "reconciler/runtime/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace fluxcpp::reconciler {
namespace {

// Reconciles range from milliseconds (nothing changed) to minutes (health checks), so the buckets
// reach further than Prometheus' defaults.
const std::vector<double> kDurationBuckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
                                              2.5,   5,    10,    30,   60,  120,  300, 600};

// The condition statuses Flux's gauge has a series for.
constexpr std::string_view kConditionStatuses[] = {"True", "False", "Unknown", "Deleted"};

std::string FormatNumber(double value) {
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (std::isnan(value)) return "NaN";
  char buffer[64];
  auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return std::string(buffer, result.ptr);
}

// Prometheus's text format escapes backslashes and newlines in help texts, and double quotes as
// well in label values.
std::string Escape(std::string_view text, bool quotes) {
  std::string escaped;
  for (char c : text) {
    if (c == '\\') {
      escaped += "\\\\";
    } else if (c == '\n') {
      escaped += "\\n";
    } else if (c == '"' && quotes) {
      escaped += "\\\"";
    } else {
      escaped.push_back(c);
    }
  }
  return escaped;
}

std::string EscapeLabelValue(std::string_view value) { return Escape(value, true); }
std::string EscapeHelp(std::string_view help) { return Escape(help, false); }

std::string ObjectId(std::string_view kind, const ObjectKey& key) {
  return std::string(kind) + "/" + key.ToString();
}

std::string Series(std::string_view name, const std::string& labels) {
  return labels.empty() ? std::string(name) : std::string(name) + "{" + labels + "}";
}

}  // namespace

std::string RenderLabels(const Metrics::Labels& labels) {
  std::string text;
  for (const auto& [name, value] : labels) {
    if (!text.empty()) text += ",";
    text += name + "=\"" + EscapeLabelValue(value) + "\"";
  }
  return text;
}

Metrics::Metrics() {
  Define("gotk_reconcile_duration_seconds", Type::kHistogram,
         "The duration in seconds of a GitOps Toolkit resource reconciliation.", kDurationBuckets);
  Define("gotk_reconcile_condition", Type::kGauge,
         "The current condition status of a GitOps Toolkit resource reconciliation.");
  Define("controller_runtime_reconcile_total", Type::kCounter,
         "Total number of reconciliations per controller");
  Define("controller_runtime_reconcile_errors_total", Type::kCounter,
         "Total number of reconciliation errors per controller");
  Define("controller_runtime_reconcile_time_seconds", Type::kHistogram,
         "Length of time per reconciliation per controller", kDurationBuckets);
  Define("controller_runtime_max_concurrent_reconciles", Type::kGauge,
         "Maximum number of concurrent reconciles per controller");
  Define("controller_runtime_active_workers", Type::kGauge,
         "Number of currently used workers per controller");
  Define("workqueue_depth", Type::kGauge, "Current depth of workqueue");
  Define("rest_client_requests_total", Type::kCounter,
         "Number of HTTP requests sent to the Kubernetes API server");
}

void Metrics::CountRequestsWith(std::function<uint64_t()> requests_sent) {
  std::lock_guard lock(mutex_);
  requests_sent_ = std::move(requests_sent);
}

void Metrics::Define(std::string name, Type type, std::string help, std::vector<double> bounds) {
  families_.emplace(std::move(name),
                    Family{.type = type, .help = std::move(help), .bounds = std::move(bounds)});
}

void Metrics::AddLocked(std::string_view name, const Labels& labels, double delta) {
  families_.find(name)->second.values[RenderLabels(labels)] += delta;
}

void Metrics::SetLocked(std::string_view name, const Labels& labels, double value) {
  families_.find(name)->second.values[RenderLabels(labels)] = value;
}

void Metrics::ObserveLocked(std::string_view name, const Labels& labels, double value) {
  Family& family = families_.find(name)->second;
  Histogram& histogram = family.histograms[RenderLabels(labels)];
  histogram.buckets.resize(family.bounds.size());
  for (size_t i = 0; i < family.bounds.size(); ++i) {
    if (value <= family.bounds[i]) {
      ++histogram.buckets[i];
      break;
    }
  }
  histogram.sum += value;
  ++histogram.count;
}

void Metrics::ObserveReconcile(std::string_view controller, std::string_view kind,
                               const ObjectKey& key, double seconds, std::string_view result) {
  std::lock_guard lock(mutex_);
  Labels by_controller = {{"controller", std::string(controller)}};
  ObserveLocked(
      "gotk_reconcile_duration_seconds",
      {{"kind", std::string(kind)}, {"name", key.name}, {"namespace", key.namespace_name}},
      seconds);
  ObserveLocked("controller_runtime_reconcile_time_seconds", by_controller, seconds);
  AddLocked("controller_runtime_reconcile_total",
            {{"controller", std::string(controller)}, {"result", std::string(result)}}, 1);
  if (result == kResultError)
    AddLocked("controller_runtime_reconcile_errors_total", by_controller, 1);
}

void Metrics::RecordConditions(std::string_view kind, const ObjectKey& key,
                               const manifest::Json& conditions) {
  if (!conditions.is_array()) return;
  std::lock_guard lock(mutex_);
  std::vector<std::string>& types = condition_types_[ObjectId(kind, key)];
  for (const manifest::Json& condition : conditions) {
    if (!condition.is_object()) continue;
    std::string type = condition.value("type", "");
    std::string status = condition.value("status", "");
    if (type.empty()) continue;
    if (std::find(types.begin(), types.end(), type) == types.end()) types.push_back(type);
    SetConditionLocked(kind, key, type, status);
  }
}

void Metrics::SetConditionLocked(std::string_view kind, const ObjectKey& key,
                                 const std::string& type, std::string_view status) {
  // One series per possible status, 1 for the current one, as Flux's gauge has it.
  for (std::string_view candidate : kConditionStatuses) {
    SetLocked("gotk_reconcile_condition",
              {{"kind", std::string(kind)},
               {"name", key.name},
               {"namespace", key.namespace_name},
               {"status", std::string(candidate)},
               {"type", type}},
              candidate == status ? 1 : 0);
  }
}

void Metrics::RecordDeleted(std::string_view kind, const ObjectKey& key) {
  std::lock_guard lock(mutex_);
  auto found = condition_types_.find(ObjectId(kind, key));
  if (found == condition_types_.end()) return;
  for (const std::string& type : found->second) {
    SetConditionLocked(kind, key, type, "Deleted");
  }
}

void Metrics::SetMaxConcurrentReconciles(std::string_view controller, int workers) {
  std::lock_guard lock(mutex_);
  SetLocked("controller_runtime_max_concurrent_reconciles",
            {{"controller", std::string(controller)}}, workers);
}

void Metrics::AddActiveWorkers(std::string_view controller, int delta) {
  std::lock_guard lock(mutex_);
  AddLocked("controller_runtime_active_workers", {{"controller", std::string(controller)}}, delta);
}

void Metrics::SetQueueDepth(std::string_view controller, size_t depth) {
  std::lock_guard lock(mutex_);
  SetLocked("workqueue_depth", {{"name", std::string(controller)}}, static_cast<double>(depth));
}

double Metrics::Value(std::string_view name, const Labels& labels) const {
  std::lock_guard lock(mutex_);
  auto family = families_.find(name);
  if (family == families_.end()) return 0;
  auto series = family->second.values.find(RenderLabels(labels));
  return series == family->second.values.end() ? 0 : series->second;
}

uint64_t Metrics::HistogramCount(std::string_view name, const Labels& labels) const {
  std::lock_guard lock(mutex_);
  auto family = families_.find(name);
  if (family == families_.end()) return 0;
  auto series = family->second.histograms.find(RenderLabels(labels));
  return series == family->second.histograms.end() ? 0 : series->second.count;
}

std::string Metrics::Render() const {
  std::lock_guard lock(mutex_);
  if (requests_sent_) {
    families_.find("rest_client_requests_total")->second.values[""] =
        static_cast<double>(requests_sent_());
  }
  std::string text;
  for (const auto& [name, family] : families_) {
    if (family.values.empty() && family.histograms.empty()) continue;
    std::string_view type = family.type == Type::kCounter ? "counter"
                            : family.type == Type::kGauge ? "gauge"
                                                          : "histogram";
    text += "# HELP " + name + " " + EscapeHelp(family.help) + "\n";
    text += "# TYPE " + name + " " + std::string(type) + "\n";
    for (const auto& [labels, value] : family.values) {
      text += Series(name, labels) + " " + FormatNumber(value) + "\n";
    }
    for (const auto& [labels, histogram] : family.histograms) {
      std::string prefix = labels.empty() ? "" : labels + ",";
      uint64_t cumulative = 0;
      for (size_t i = 0; i < family.bounds.size(); ++i) {
        cumulative += histogram.buckets[i];
        text += name + "_bucket{" + prefix + "le=\"" + FormatNumber(family.bounds[i]) + "\"} " +
                std::to_string(cumulative) + "\n";
      }
      text += name + "_bucket{" + prefix + "le=\"+Inf\"} " + std::to_string(histogram.count) + "\n";
      text += Series(name + "_sum", labels) + " " + FormatNumber(histogram.sum) + "\n";
      text += Series(name + "_count", labels) + " " + std::to_string(histogram.count) + "\n";
    }
  }
  return text;
}

}  // namespace fluxcpp::reconciler
