#include "reconciler/runtime/log.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace fluxcpp::reconciler {
namespace {

std::atomic<LogLevel> log_level{LogLevel::kInfo};
std::mutex output_mutex;

std::string_view LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

// RFC 3339 in UTC with milliseconds, as zap's ISO 8601 encoder writes for Flux.
std::string NowTimestamp() {
  auto now = std::chrono::system_clock::now();
  std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) %
                std::chrono::seconds(1);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[96];
  std::snprintf(buffer, sizeof(buffer), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<int>(millis.count()));
  return buffer;
}

}  // namespace

absl::StatusOr<LogLevel> ParseLogLevel(std::string_view text) {
  if (text == "debug" || text == "trace") return LogLevel::kDebug;
  if (text == "info") return LogLevel::kInfo;
  if (text == "error") return LogLevel::kError;
  return absl::InvalidArgumentError("log level \"" + std::string(text) +
                                    "\" is not one of debug, info, error");
}

void SetLogLevel(LogLevel level) { log_level.store(level); }
LogLevel GetLogLevel() { return log_level.load(); }

std::string FormatLogLine(LogLevel level, std::string_view message, const LogFields& fields,
                          std::string_view timestamp) {
  manifest::Json line = {{"level", LevelName(level)}, {"ts", timestamp}, {"msg", message}};
  for (const auto& [key, value] : fields) line[key] = value;
  return line.dump(-1, ' ', false, manifest::Json::error_handler_t::replace);
}

void Log(LogLevel level, std::string_view message, const LogFields& fields) {
  if (level < log_level.load()) return;
  std::string line = FormatLogLine(level, message, fields, NowTimestamp());
  line.push_back('\n');
  std::lock_guard lock(output_mutex);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace fluxcpp::reconciler
