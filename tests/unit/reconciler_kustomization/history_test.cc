#include "reconciler/kustomization/history.h"

#include <catch2/catch.hpp>

namespace fluxcpp::reconciler::kustomization {
namespace {

using namespace std::chrono_literals;
using manifest::Json;

HistoryRecord Record(const std::string& digest, std::chrono::seconds at) {
  return {.digest = digest,
          .revision = "main@sha1:" + digest,
          .status = "ReconciliationSucceeded",
          .time = std::chrono::system_clock::time_point(1'800'000'000s + at),
          .duration = 1500ms};
}

TEST_CASE("a new digest starts an entry with Flux's fields") {
  Json history;
  UpdateHistory(history, Record("sha256:aa", 0s));
  REQUIRE(history.size() == 1);
  const Json& entry = history[0];
  CHECK(entry["digest"] == "sha256:aa");
  CHECK(entry["firstReconciled"] == "2027-01-15T08:00:00Z");
  CHECK(entry["lastReconciled"] == "2027-01-15T08:00:00Z");
  CHECK(entry["lastReconciledDuration"] == "1.5s");
  CHECK(entry["lastReconciledStatus"] == "ReconciliationSucceeded");
  CHECK(entry["totalReconciliations"] == 1);
  CHECK(entry["metadata"]["revision"] == "main@sha1:sha256:aa");
}

TEST_CASE("the same digest is counted, moved to the front, and keeps its first time") {
  Json history;
  UpdateHistory(history, Record("sha256:aa", 0s));
  UpdateHistory(history, Record("sha256:bb", 60s));
  UpdateHistory(history, Record("sha256:aa", 120s));
  REQUIRE(history.size() == 2);
  CHECK(history[0]["digest"] == "sha256:aa");
  CHECK(history[0]["totalReconciliations"] == 2);
  CHECK(history[0]["firstReconciled"] == "2027-01-15T08:00:00Z");
  CHECK(history[0]["lastReconciled"] == "2027-01-15T08:02:00Z");
  CHECK(history[1]["digest"] == "sha256:bb");
}

TEST_CASE("only the five most recent digests are kept") {
  Json history;
  for (int i = 0; i < 7; ++i) {
    UpdateHistory(history, Record("sha256:" + std::to_string(i), std::chrono::seconds(i)));
  }
  REQUIRE(history.size() == kMaxHistory);
  CHECK(history[0]["digest"] == "sha256:6");
  CHECK(history[4]["digest"] == "sha256:2");
}

}  // namespace
}  // namespace fluxcpp::reconciler::kustomization
