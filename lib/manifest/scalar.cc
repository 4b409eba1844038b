#include "lib/manifest/scalar.h"

#include <array>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <optional>
#include <regex>
#include <string>

#include "absl/status/status.h"

namespace fluxcpp::manifest {
namespace {

constexpr std::array<std::string_view, 11> kTrueWords = {
    "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"};
constexpr std::array<std::string_view, 11> kFalseWords = {
    "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"};
constexpr std::array<std::string_view, 5> kNullWords = {"", "~", "null", "Null", "NULL"};
// Special floats that JSON cannot carry; Kubernetes tooling rejects them too.
constexpr std::array<std::string_view, 12> kSpecialFloats = {".inf",  ".Inf",  ".INF",  "+.inf",
                                                             "+.Inf", "+.INF", "-.inf", "-.Inf",
                                                             "-.INF", ".nan",  ".NaN",  ".NAN"};

template <size_t N>
bool OneOf(const std::array<std::string_view, N>& words, std::string_view text) {
  for (std::string_view word : words) {
    if (word == text) return true;
  }
  return false;
}

struct ParsedInteger {
  bool negative = false;
  uint64_t magnitude = 0;
};

// Go's strconv.ParseInt/ParseUint with base 0: an optional sign, then 0x/0o/0b prefixes, a leading
// 0 for octal, or decimal. Returns false when the text is not such an integer or does not fit 64
// bits.
bool ParseGoInteger(std::string_view text, ParsedInteger& out) {
  size_t position = 0;
  if (!text.empty() && (text[0] == '+' || text[0] == '-')) {
    out.negative = text[0] == '-';
    position = 1;
  }
  std::string_view digits = text.substr(position);
  int base = 10;
  if (digits.size() > 1 && digits[0] == '0') {
    char prefix = static_cast<char>(digits[1] | 0x20);
    if (prefix == 'x')
      base = 16, digits.remove_prefix(2);
    else if (prefix == 'o')
      base = 8, digits.remove_prefix(2);
    else if (prefix == 'b')
      base = 2, digits.remove_prefix(2);
    else
      base = 8, digits.remove_prefix(1);
  }
  if (digits.empty()) return false;
  uint64_t value = 0;
  for (char c : digits) {
    int digit;
    if (c >= '0' && c <= '9')
      digit = c - '0';
    else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
      digit = (c | 0x20) - 'a' + 10;
    else
      return false;
    if (digit >= base) return false;
    if (value > (std::numeric_limits<uint64_t>::max() - digit) / base) return false;
    value = value * base + digit;
  }
  out.magnitude = value;
  return true;
}

// go-yaml v2's test for float syntax: optional sign, digits with an optional fraction (or a bare
// fraction), optional exponent.
bool LooksLikeYamlFloat(const std::string& text) {
  static const std::regex kFloat(R"([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?)");
  return std::regex_match(text, kFloat);
}

absl::StatusOr<Json> NumberFromDouble(double value, std::string_view text) {
  if (!std::isfinite(value)) {
    return absl::InvalidArgumentError("the number " + std::string(text) + " does not fit in JSON");
  }
  // kubectl's YAML → JSON → object round trip turns integral floats into integers.
  if (std::trunc(value) == value && std::fabs(value) < 9.2e18) {
    return Json(static_cast<int64_t>(value));
  }
  return Json(value);
}

std::optional<Json> ResolveNumber(std::string_view text) {
  std::string plain;
  for (char c : text) {
    if (c != '_') plain += c;
  }
  ParsedInteger integer;
  if (ParseGoInteger(plain, integer)) {
    if (!integer.negative) {
      if (integer.magnitude <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        return Json(static_cast<int64_t>(integer.magnitude));
      }
      // Past int64 Kubernetes' JSON decoding keeps only a float64.
      return Json(static_cast<double>(integer.magnitude));
    }
    if (integer.magnitude <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) + 1) {
      return Json(static_cast<int64_t>(0 - integer.magnitude));
    }
  }
  if (LooksLikeYamlFloat(plain)) {
    errno = 0;
    double value = std::strtod(plain.c_str(), nullptr);
    if (errno != ERANGE) {
      auto number = NumberFromDouble(value, text);
      if (number.ok()) return *number;
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> YamlTimestampAsRfc3339(std::string_view text) {
  // Go's time.Parse layouts "2006-1-2", "2006-1-2T15:4:5.999999999Z07:00" (also with `t`) and
  // "2006-1-2 15:4:5.999999999": one- or two-digit fields after a four-digit year.
  static const std::regex kTimestamp(
      R"(([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:([Tt ])([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})(?:\.([0-9]{1,9}))?(Z|[+-][0-9]{2}:[0-9]{2})?)?)");
  std::match_results<std::string_view::const_iterator> match;
  if (!std::regex_match(text.begin(), text.end(), match, kTimestamp)) return std::nullopt;
  auto number = [&](int group) { return std::stoi(match[group].str()); };
  int month = number(2), day = number(3);
  if (month < 1 || month > 12 || day < 1 || day > 31) return std::nullopt;
  bool has_time = match[4].matched;
  // The space-separated form takes no zone; the T form needs one.
  if (has_time && (match[4].str() == " ") == match[9].matched) return std::nullopt;
  int hour = has_time ? number(5) : 0, minute = has_time ? number(6) : 0,
      second = has_time ? number(7) : 0;
  if (hour > 23 || minute > 59 || second > 59) return std::nullopt;
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%s-%02d-%02dT%02d:%02d:%02d", match[1].str().c_str(), month,
                day, hour, minute, second);
  std::string result = buffer;
  std::string fraction = match[8].matched ? match[8].str() : "";
  while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
  if (!fraction.empty()) result += "." + fraction;
  std::string zone = match[9].matched ? match[9].str() : "Z";
  result += zone == "+00:00" ? "Z" : zone;
  return result;
}

absl::StatusOr<Json> ResolvePlainScalar(std::string_view text, ScalarTyping typing) {
  if (OneOf(kNullWords, text)) return Json(nullptr);
  if (typing == ScalarTyping::kKustomize) {
    if (text == "true" || text == "True" || text == "TRUE") return Json(true);
    if (text == "false" || text == "False" || text == "FALSE") return Json(false);
    if (auto timestamp = YamlTimestampAsRfc3339(text)) return Json(*timestamp);
  } else {
    if (OneOf(kTrueWords, text)) return Json(true);
    if (OneOf(kFalseWords, text)) return Json(false);
  }
  if (OneOf(kSpecialFloats, text)) {
    return absl::InvalidArgumentError("the value " + std::string(text) +
                                      " (infinity or not-a-number) does not fit in JSON");
  }
  char first = text.front();
  bool numeric_start =
      (first >= '0' && first <= '9') || first == '+' || first == '-' || first == '.';
  if (numeric_start) {
    if (auto number = ResolveNumber(text)) return *number;
  }
  return Json(std::string(text));
}

absl::StatusOr<Json> ResolveTaggedScalar(std::string_view tag, std::string_view text,
                                         ScalarTyping typing) {
  constexpr std::string_view kCorePrefix = "tag:yaml.org,2002:";
  if (!tag.starts_with(kCorePrefix)) return ResolvePlainScalar(text, typing);
  std::string_view type = tag.substr(kCorePrefix.size());
  if (type == "str" || type == "binary" || type == "timestamp") return Json(std::string(text));
  auto resolved = ResolvePlainScalar(text, typing);
  if (!resolved.ok()) return resolved;
  bool fits = (type == "int" && resolved->is_number_integer()) ||
              (type == "float" && resolved->is_number()) ||
              (type == "bool" && resolved->is_boolean()) || (type == "null" && resolved->is_null());
  if (type == "int" || type == "float" || type == "bool" || type == "null") {
    if (!fits) {
      return absl::InvalidArgumentError("'" + std::string(text) + "' is not a valid !!" +
                                        std::string(type));
    }
  }
  return resolved;
}

bool NeedsQuotes(std::string_view text) {
  auto resolved = ResolvePlainScalar(text);
  return !resolved.ok() || !resolved->is_string();
}

}  // namespace fluxcpp::manifest
