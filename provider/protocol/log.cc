#include "provider/protocol/log.h"

#include <unistd.h>

#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace fluxcpp::provider::protocol {
namespace {

std::string_view LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kTrace:
      return "trace";
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

std::mutex& LogMutex() {
  static std::mutex mutex;
  return mutex;
}

}  // namespace

std::string FormatLogLine(LogLevel level, std::string_view message, const LogFields& fields,
                          std::string_view timestamp) {
  nlohmann::ordered_json line;
  line["@level"] = LevelName(level);
  line["@message"] = message;
  line["@module"] = "flux";
  line["@timestamp"] = timestamp;
  for (const auto& [key, value] : fields) line[std::string(key)] = value;
  // Invalid UTF-8 (from a hostile input echoed in a message) is replaced rather than thrown on.
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

void Log(LogLevel level, std::string_view message, const LogFields& fields) {
  // hclog's layout, which go-plugin parses: microseconds and a numeric zone.
  const std::string timestamp =
      absl::FormatTime("%Y-%m-%dT%H:%M:%E6S%Ez", absl::Now(), absl::LocalTimeZone());
  const std::string line = FormatLogLine(level, message, fields, timestamp);
  std::lock_guard<std::mutex> lock(LogMutex());
  // One write per line, so concurrent processes sharing stderr do not interleave inside a line.
  size_t written = 0;
  while (written < line.size()) {
    const ssize_t n = ::write(STDERR_FILENO, line.data() + written, line.size() - written);
    if (n <= 0) return;  // stderr is gone; logging must never fail the provider
    written += static_cast<size_t>(n);
  }
}

}  // namespace fluxcpp::provider::protocol
