#include "reconciler/runtime/log.h"

#include <catch2/catch.hpp>

namespace fluxcpp::reconciler {
namespace {

TEST_CASE("FormatLogLine writes Flux's JSON log shape with fields in order") {
  std::string line = FormatLogLine(LogLevel::kError, "reconcile finished",
                                   {{"controller", "gitrepository"}, {"duration", 0.5}},
                                   "2026-11-29T13:40:00.000Z");
  CHECK(line == R"({"level":"error","ts":"2026-11-29T13:40:00.000Z","msg":"reconcile finished",)"
                R"("controller":"gitrepository","duration":0.5})");
  auto parsed =
      manifest::Json::parse(FormatLogLine(LogLevel::kInfo, "quote \" and\nnewline", {}, "t"));
  CHECK(parsed["msg"] == "quote \" and\nnewline");
}

TEST_CASE("ParseLogLevel knows Flux's levels and names what it refuses") {
  CHECK(*ParseLogLevel("debug") == LogLevel::kDebug);
  CHECK(*ParseLogLevel("info") == LogLevel::kInfo);
  CHECK(*ParseLogLevel("error") == LogLevel::kError);
  auto refused = ParseLogLevel("verbose");
  REQUIRE_FALSE(refused.ok());
  CHECK(std::string(refused.status().message()).find("\"verbose\"") != std::string::npos);
}

TEST_CASE("SetLogLevel changes the level") {
  LogLevel before = GetLogLevel();
  SetLogLevel(LogLevel::kError);
  CHECK(GetLogLevel() == LogLevel::kError);
  SetLogLevel(before);
}

}  // namespace
}  // namespace fluxcpp::reconciler
