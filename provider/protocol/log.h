// The provider's log: hclog-style JSON lines on stderr, which go-plugin in Terraform and OpenTofu
// parses into their own log (shown with TF_LOG / TF_LOG_PROVIDER). stdout belongs to the handshake
// and is never written by the log.
//
// The only global mutable state of the provider; thread-safe (one line is written at a time).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fluxcpp::provider::protocol {

enum class LogLevel { kTrace, kDebug, kInfo, kWarn, kError };

// Extra key/value pairs of a log line (values are written as JSON strings).
using LogFields = std::vector<std::pair<std::string_view, std::string_view>>;

// Writes `{"@level":"info","@message":...,"@module":"flux","@timestamp":...,<fields>}` to stderr.
void Log(LogLevel level, std::string_view message, const LogFields& fields = {});

// The JSON line Log writes, without writing it; for tests.
std::string FormatLogLine(LogLevel level, std::string_view message, const LogFields& fields,
                          std::string_view timestamp);

}  // namespace fluxcpp::provider::protocol
