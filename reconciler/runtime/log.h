// The reconciler's log: JSON lines on stderr, shaped as Flux's controllers write them
// ({"level":"info","ts":"2026-11-29T13:40:00.123Z","msg":"...",<fields>}), so the same log
// pipelines and `flux logs` filters work.
//
// The level is the only global mutable state of the reconciler; everything is thread-safe (one line
// is written at a time).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/manifest/object.h"

namespace fluxcpp::reconciler {

enum class LogLevel { kDebug, kInfo, kError };

// Extra key/value pairs of a log line, in order.
using LogFields = std::vector<std::pair<std::string, manifest::Json>>;

// "debug", "info" or "error" (Flux's --log-level values); the error names the text.
[[nodiscard]] absl::StatusOr<LogLevel> ParseLogLevel(std::string_view text);

// Lines below `level` are dropped; the default is info.
void SetLogLevel(LogLevel level);
LogLevel GetLogLevel();

void Log(LogLevel level, std::string_view message, const LogFields& fields = {});
inline void LogDebug(std::string_view message, const LogFields& fields = {}) {
  Log(LogLevel::kDebug, message, fields);
}
inline void LogInfo(std::string_view message, const LogFields& fields = {}) {
  Log(LogLevel::kInfo, message, fields);
}
inline void LogError(std::string_view message, const LogFields& fields = {}) {
  Log(LogLevel::kError, message, fields);
}

// The JSON line Log writes (without the newline), without writing it; for tests.
std::string FormatLogLine(LogLevel level, std::string_view message, const LogFields& fields,
                          std::string_view timestamp);

}  // namespace fluxcpp::reconciler
