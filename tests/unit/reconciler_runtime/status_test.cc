#include "reconciler/runtime/status.h"

#include <catch2/catch.hpp>

#include "reconciler/runtime/controller.h"

namespace fluxcpp::reconciler {
namespace {

using std::chrono::milliseconds;
using namespace std::chrono_literals;

std::chrono::system_clock::time_point At(std::time_t seconds) {
  return std::chrono::system_clock::from_time_t(seconds);
}

TEST_CASE("ParseDuration reads Go durations as Flux intervals use them") {
  CHECK(*ParseDuration("1m") == milliseconds(60000));
  CHECK(*ParseDuration("1m30s") == milliseconds(90000));
  CHECK(*ParseDuration("1.5h") == milliseconds(5400000));
  CHECK(*ParseDuration("500ms") == milliseconds(500));
  CHECK(*ParseDuration("10m0s") == milliseconds(600000));
  CHECK(*ParseDuration("0") == milliseconds(0));
  CHECK(*ParseDuration("2h45m") == milliseconds(9900000));
}

TEST_CASE("ParseDuration names the text it refuses") {
  for (std::string_view text : {"", "10", "m", "-1m", "1d", "1m x"}) {
    auto parsed = ParseDuration(text);
    REQUIRE_FALSE(parsed.ok());
    CHECK(std::string(parsed.status().message()).find("\"" + std::string(text) + "\"") !=
          std::string::npos);
  }
}

TEST_CASE("FormatDuration spells durations as Go's Duration.String") {
  CHECK(FormatDuration(60s) == "1m0s");
  CHECK(FormatDuration(10min) == "10m0s");
  CHECK(FormatDuration(1h) == "1h0m0s");
  CHECK(FormatDuration(500ms) == "500ms");
  CHECK(FormatDuration(1500ms) == "1.5s");
  CHECK(FormatDuration(0ms) == "0s");
}

TEST_CASE("FormatTime writes RFC 3339 in UTC") {
  CHECK(FormatTime(At(0)) == "1970-01-01T00:00:00Z");
  CHECK(FormatTime(At(1796000000)) == "2026-11-30T00:53:20Z");
}

TEST_CASE("SetCondition keeps the transition time while the status stays") {
  manifest::Json conditions;
  SetCondition(conditions, {"Ready", "False", "Progressing", "working", 1}, At(100));
  REQUIRE(conditions.size() == 1);
  CHECK(conditions[0]["lastTransitionTime"] == FormatTime(At(100)));

  SetCondition(conditions, {"Ready", "False", "BuildFailed", "broken", 2}, At(200));
  CHECK(conditions[0]["lastTransitionTime"] == FormatTime(At(100)));
  CHECK(conditions[0]["reason"] == "BuildFailed");
  CHECK(conditions[0]["observedGeneration"] == 2);

  SetCondition(conditions, {"Ready", "True", "Succeeded", "done", 2}, At(300));
  CHECK(conditions[0]["lastTransitionTime"] == FormatTime(At(300)));
  CHECK(IsConditionTrue(conditions, "Ready"));

  SetCondition(conditions, {"Reconciling", "True", "Progressing", "", 2}, At(300));
  CHECK(conditions.size() == 2);
  RemoveCondition(conditions, "Reconciling");
  CHECK(conditions.size() == 1);
  CHECK(FindCondition(conditions, "Reconciling") == nullptr);
  CHECK_FALSE(IsConditionTrue(conditions, "Stalled"));
}

TEST_CASE("ObjectKey prints namespace and name") {
  ObjectKey namespaced{"flux-system", "apps"};
  ObjectKey cluster_scoped{"", "cluster-wide"};
  CHECK(namespaced.ToString() == "flux-system/apps");
  CHECK(cluster_scoped.ToString() == "cluster-wide");
}

}  // namespace
}  // namespace fluxcpp::reconciler
