#include "provider/values/decimal.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdlib>

namespace fluxcpp::provider::values {

namespace {

// Exponents beyond this are refused when parsing: no real number needs them, and keeping them small
// means the arithmetic on exponents cannot overflow.
constexpr int64_t kMaxExponent = 1'000'000'000;
// Plain text longer than this is written in scientific notation instead.
constexpr int64_t kMaxPlainLength = 1024;
// The significant digits of the exact decimal expansion of any double: 767 for the smallest
// subnormals, so this precision never rounds.
constexpr int kExactDoubleDigits = 767;

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return (x | 0x20) == (y | 0x20);
         });
}

}  // namespace

absl::StatusOr<Decimal> Decimal::Parse(std::string_view text) {
  auto invalid = [&] {
    return absl::InvalidArgumentError("\"" + std::string(text.substr(0, 64)) +
                                      (text.size() > 64 ? "…" : "") + "\" is not a number");
  };
  Decimal result;
  std::string_view rest = text;
  if (!rest.empty() && (rest[0] == '+' || rest[0] == '-')) {
    result.negative_ = rest[0] == '-';
    rest.remove_prefix(1);
  }
  if (EqualsIgnoringCase(rest, "inf") || EqualsIgnoringCase(rest, "infinity")) {
    result.infinite_ = true;
    return result;
  }
  // Digits before and after the point, then the exponent.
  size_t i = 0;
  std::string digits;
  int64_t exponent = 0;
  bool any_digit = false;
  while (i < rest.size() && rest[i] >= '0' && rest[i] <= '9') {
    digits += rest[i++];
    any_digit = true;
  }
  if (i < rest.size() && rest[i] == '.') {
    ++i;
    while (i < rest.size() && rest[i] >= '0' && rest[i] <= '9') {
      digits += rest[i++];
      --exponent;
      any_digit = true;
    }
  }
  if (!any_digit) return invalid();
  if (i < rest.size() && (rest[i] == 'e' || rest[i] == 'E')) {
    ++i;
    bool exponent_negative = false;
    if (i < rest.size() && (rest[i] == '+' || rest[i] == '-')) exponent_negative = rest[i++] == '-';
    if (i == rest.size()) return invalid();
    int64_t written = 0;
    while (i < rest.size() && rest[i] >= '0' && rest[i] <= '9') {
      written = written * 10 + (rest[i++] - '0');
      if (written > kMaxExponent) {
        return absl::OutOfRangeError("the exponent of \"" + std::string(text.substr(0, 64)) +
                                     "\" is out of range");
      }
    }
    exponent += exponent_negative ? -written : written;
  }
  if (i != rest.size()) return invalid();

  // Canonical form: no leading zeros, trailing zeros folded into the exponent.
  size_t first = digits.find_first_not_of('0');
  if (first == std::string::npos) return Decimal();  // zero, whatever its sign
  size_t last = digits.find_last_not_of('0');
  exponent += static_cast<int64_t>(digits.size() - 1 - last);
  result.digits_ = digits.substr(first, last - first + 1);
  result.exponent_ = exponent;
  if (std::abs(result.exponent_) > 2 * kMaxExponent) {
    return absl::OutOfRangeError("the exponent of \"" + std::string(text.substr(0, 64)) +
                                 "\" is out of range");
  }
  return result;
}

Decimal Decimal::FromInt64(int64_t value) {
  if (value >= 0) return FromUint64(static_cast<uint64_t>(value));
  // -(value + 1) + 1 avoids negating INT64_MIN.
  Decimal result = FromUint64(static_cast<uint64_t>(-(value + 1)) + 1);
  result.negative_ = true;
  return result;
}

Decimal Decimal::FromUint64(uint64_t value) {
  return *Parse(std::to_string(value));  // digits always parse
}

absl::StatusOr<Decimal> Decimal::FromDouble(double value) {
  if (std::isnan(value)) return absl::InvalidArgumentError("NaN is not a number");
  if (std::isinf(value)) return Infinity(value < 0);
  // Every double is a finite binary fraction, so it has a finite decimal expansion; printing it
  // with enough digits (to_chars rounds exactly) gives that expansion.
  std::array<char, kExactDoubleDigits + 32> buffer;
  auto [end, error] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value,
                                    std::chars_format::scientific, kExactDoubleDigits);
  if (error != std::errc()) return absl::InternalError("cannot print a double");
  return Parse(std::string_view(buffer.data(), end - buffer.data()));
}

Decimal Decimal::Infinity(bool negative) {
  Decimal result;
  result.infinite_ = true;
  result.negative_ = negative;
  return result;
}

absl::StatusOr<int64_t> Decimal::ToInt64() const {
  if (!IsInteger()) return absl::OutOfRangeError(ToString() + " is not an integer");
  if (IsZero()) return 0;
  // Past 19 digits the value cannot fit; from_chars checks the range below that.
  if (static_cast<int64_t>(digits_.size()) + exponent_ > 19) {
    return absl::OutOfRangeError(ToString() + " does not fit in a 64-bit integer");
  }
  std::string text = (negative_ ? "-" : "") + digits_ + std::string(exponent_, '0');
  int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) {
    return absl::OutOfRangeError(ToString() + " does not fit in a 64-bit integer");
  }
  return value;
}

absl::StatusOr<double> Decimal::ToDouble() const {
  if (infinite_) return negative_ ? -HUGE_VAL : HUGE_VAL;
  if (IsZero()) return 0.0;
  // The position of the most significant digit decides overflow and underflow before parsing.
  int64_t magnitude = static_cast<int64_t>(digits_.size()) + exponent_;
  if (magnitude > 310) return absl::OutOfRangeError(ToString() + " does not fit in a double");
  if (magnitude < -330) return negative_ ? -0.0 : 0.0;
  std::string text = (negative_ ? "-" : "") + digits_ + "e" + std::to_string(exponent_);
  double value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error == std::errc::result_out_of_range) {
    if (magnitude > 0) return absl::OutOfRangeError(ToString() + " does not fit in a double");
    return negative_ ? -0.0 : 0.0;
  }
  if (error != std::errc() || end != text.data() + text.size()) {
    return absl::InternalError("cannot convert " + ToString() + " to a double");
  }
  return value;
}

bool Decimal::IsExactDouble() const {
  if (infinite_ || IsZero()) return true;
  // A double has at most 767 significant decimal digits and its exponent is bounded, so anything
  // longer or further out cannot be one (this also keeps the check cheap for huge inputs).
  int64_t magnitude = static_cast<int64_t>(digits_.size()) + exponent_;
  if (digits_.size() > kExactDoubleDigits || magnitude > 310 || magnitude < -330) return false;
  auto nearest = ToDouble();
  if (!nearest.ok() || *nearest == 0.0) return false;
  auto back = FromDouble(*nearest);
  return back.ok() && *back == *this;
}

std::string Decimal::ToString() const {
  if (infinite_) return negative_ ? "-Inf" : "+Inf";
  if (digits_.empty()) return "0";
  std::string text = negative_ ? "-" : "";
  const int64_t count = static_cast<int64_t>(digits_.size());
  const int64_t point = count + exponent_;  // digits before the decimal point
  const int64_t plain_length = std::max({count, point, count - point + 1});
  if (plain_length > kMaxPlainLength) {
    text += digits_[0];
    if (count > 1) text += "." + digits_.substr(1);
    int64_t scientific_exponent = point - 1;
    text += scientific_exponent < 0 ? "e-" : "e+";
    text += std::to_string(std::abs(scientific_exponent));
    return text;
  }
  if (exponent_ >= 0) {
    text += digits_ + std::string(exponent_, '0');
  } else if (point > 0) {
    text += digits_.substr(0, point) + "." + digits_.substr(point);
  } else {
    text += "0." + std::string(-point, '0') + digits_;
  }
  return text;
}

std::strong_ordering Decimal::CompareMagnitude(const Decimal& a, const Decimal& b) {
  if (a.infinite_ || b.infinite_) return a.infinite_ <=> b.infinite_;
  if (a.IsZero() || b.IsZero()) return !a.IsZero() <=> !b.IsZero();
  int64_t a_magnitude = static_cast<int64_t>(a.digits_.size()) + a.exponent_;
  int64_t b_magnitude = static_cast<int64_t>(b.digits_.size()) + b.exponent_;
  if (a_magnitude != b_magnitude) return a_magnitude <=> b_magnitude;
  // Same leading position: the digit strings compare like fractions (a missing digit is a zero,
  // and no digit string ends in zero, so the shorter prefix is smaller).
  int order = a.digits_.compare(b.digits_);
  return order <=> 0;
}

std::strong_ordering operator<=>(const Decimal& a, const Decimal& b) {
  if (a.negative_ != b.negative_) {
    // Zero is never negative, so different signs mean different values.
    return a.negative_ ? std::strong_ordering::less : std::strong_ordering::greater;
  }
  std::strong_ordering magnitude = Decimal::CompareMagnitude(a, b);
  if (!a.negative_) return magnitude;
  return 0 <=> magnitude;
}

}  // namespace fluxcpp::provider::values
