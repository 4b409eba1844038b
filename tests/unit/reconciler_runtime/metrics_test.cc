#include "reconciler/runtime/metrics.h"

#include <catch2/catch.hpp>

namespace fluxcpp::reconciler {
namespace {

using manifest::Json;

const ObjectKey kKey{"flux-system", "flux-system"};

bool Contains(const std::string& text, const std::string& line) {
  return text.find(line + "\n") != std::string::npos;
}

TEST_CASE("Metrics renders reconcile durations as Flux's histogram and counts results") {
  Metrics metrics;
  metrics.ObserveReconcile("gitrepository", "GitRepository", kKey, 0.02, kResultSuccess);
  metrics.ObserveReconcile("gitrepository", "GitRepository", kKey, 3, kResultError);
  metrics.ObserveReconcile("gitrepository", "GitRepository", kKey, 0.2, kResultRequeueAfter);
  std::string text = metrics.Render();

  CHECK(Contains(text, "# TYPE gotk_reconcile_duration_seconds histogram"));
  const std::string labels = R"(kind="GitRepository",name="flux-system",namespace="flux-system")";
  CHECK(Contains(text, "gotk_reconcile_duration_seconds_bucket{" + labels + R"(,le="0.01"} 0)"));
  CHECK(Contains(text, "gotk_reconcile_duration_seconds_bucket{" + labels + R"(,le="0.025"} 1)"));
  CHECK(Contains(text, "gotk_reconcile_duration_seconds_bucket{" + labels + R"(,le="0.25"} 2)"));
  CHECK(Contains(text, "gotk_reconcile_duration_seconds_bucket{" + labels + R"(,le="2.5"} 2)"));
  CHECK(Contains(text, "gotk_reconcile_duration_seconds_bucket{" + labels + R"(,le="5"} 3)"));
  CHECK(Contains(text, "gotk_reconcile_duration_seconds_bucket{" + labels + R"(,le="+Inf"} 3)"));
  CHECK(Contains(text, "gotk_reconcile_duration_seconds_sum{" + labels + "} 3.22"));
  CHECK(Contains(text, "gotk_reconcile_duration_seconds_count{" + labels + "} 3"));

  CHECK(Contains(text, "# TYPE controller_runtime_reconcile_total counter"));
  CHECK(Contains(
      text,
      R"(controller_runtime_reconcile_total{controller="gitrepository",result="success"} 1)"));
  CHECK(Contains(
      text, R"(controller_runtime_reconcile_total{controller="gitrepository",result="error"} 1)"));
  CHECK(Contains(
      text,
      R"(controller_runtime_reconcile_total{controller="gitrepository",result="requeue_after"} 1)"));
  CHECK(
      Contains(text, R"(controller_runtime_reconcile_errors_total{controller="gitrepository"} 1)"));
  CHECK(metrics.HistogramCount("controller_runtime_reconcile_time_seconds",
                               {{"controller", "gitrepository"}}) == 3);
}

TEST_CASE("Metrics sets one condition gauge per status, and Deleted when the object is gone") {
  Metrics metrics;
  Json conditions = Json::parse(R"([
    {"type": "Ready", "status": "False", "reason": "GitOperationFailed"},
    {"type": "Reconciling", "status": "True"}])");
  metrics.RecordConditions("GitRepository", kKey, conditions);
  auto gauge = [&](const std::string& type, const std::string& status) {
    return metrics.Value("gotk_reconcile_condition", {{"kind", "GitRepository"},
                                                      {"name", "flux-system"},
                                                      {"namespace", "flux-system"},
                                                      {"status", status},
                                                      {"type", type}});
  };
  CHECK(gauge("Ready", "False") == 1);
  CHECK(gauge("Ready", "True") == 0);
  CHECK(gauge("Ready", "Unknown") == 0);
  CHECK(gauge("Ready", "Deleted") == 0);
  CHECK(gauge("Reconciling", "True") == 1);

  metrics.RecordConditions("GitRepository", kKey,
                           Json::parse(R"([{"type": "Ready", "status": "True"}])"));
  CHECK(gauge("Ready", "True") == 1);
  CHECK(gauge("Ready", "False") == 0);
  CHECK(Contains(
      metrics.Render(),
      R"(gotk_reconcile_condition{kind="GitRepository",name="flux-system",namespace="flux-system",status="True",type="Ready"} 1)"));

  metrics.RecordDeleted("GitRepository", kKey);
  CHECK(gauge("Ready", "Deleted") == 1);
  CHECK(gauge("Ready", "True") == 0);
  CHECK(gauge("Reconciling", "Deleted") == 1);
}

TEST_CASE("Metrics escapes label values and leaves out families without samples") {
  Metrics metrics;
  CHECK(metrics.Render().empty());
  metrics.ObserveReconcile("c", "Kind", ObjectKey{"ns", "a\"b\\c\nd"}, 1, kResultSuccess);
  CHECK(metrics.Render().find(R"(name="a\"b\\c\nd")") != std::string::npos);
  CHECK(RenderLabels({{"a", "1"}, {"b", "2"}}) == R"(a="1",b="2")");
}

TEST_CASE("Metrics tracks active workers, concurrency and queue depth") {
  Metrics metrics;
  metrics.SetMaxConcurrentReconciles("kustomization", 4);
  metrics.AddActiveWorkers("kustomization", 1);
  metrics.AddActiveWorkers("kustomization", 1);
  metrics.AddActiveWorkers("kustomization", -1);
  metrics.SetQueueDepth("kustomization", 7);
  std::string text = metrics.Render();
  CHECK(Contains(text,
                 R"(controller_runtime_max_concurrent_reconciles{controller="kustomization"} 4)"));
  CHECK(Contains(text, R"(controller_runtime_active_workers{controller="kustomization"} 1)"));
  CHECK(Contains(text, R"(workqueue_depth{name="kustomization"} 7)"));
}

TEST_CASE("Metrics reads rest_client_requests_total from its source at each render") {
  Metrics metrics;
  CHECK_FALSE(Contains(metrics.Render(), "rest_client_requests_total"));
  uint64_t sent = 41;
  metrics.CountRequestsWith([&sent] { return sent; });
  CHECK(Contains(metrics.Render(), "\nrest_client_requests_total 41"));
  sent = 1234;
  std::string text = metrics.Render();
  CHECK(Contains(text, "# TYPE rest_client_requests_total counter"));
  CHECK(Contains(text, "\nrest_client_requests_total 1234"));
}

}  // namespace
}  // namespace fluxcpp::reconciler
