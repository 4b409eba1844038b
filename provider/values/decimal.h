// An exact number for cty's `number` type: any decimal with arbitrarily many digits, or ±infinity.
// Terraform works with 512-bit floats and sends numbers that do not fit int64 or float64 as decimal
// text; keeping the decimal itself means "123456789012345678901234567890.5" comes back exactly as
// it arrived, and a float64 from the wire keeps its exact binary value (0.1 as a float64 is
// 0.1000000000000000055511151231257827021181583404541015625, which is not the decimal 0.1).
//
// Decimal is an immutable value type, safe to read from several threads.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace fluxcpp::provider::values {

class Decimal {
 public:
  // Zero.
  Decimal() = default;

  // Decimal text: an optional sign, digits with an optional fraction, an optional exponent
  // (`-12.5e3`), or `Inf`/`+Inf`/`-Inf`/`Infinity` in any case. NaN is not a number in cty.
  [[nodiscard]] static absl::StatusOr<Decimal> Parse(std::string_view text);
  static Decimal FromInt64(int64_t value);
  static Decimal FromUint64(uint64_t value);
  // The exact value of `value`; fails only for NaN.
  [[nodiscard]] static absl::StatusOr<Decimal> FromDouble(double value);
  static Decimal Infinity(bool negative = false);

  bool IsZero() const { return !infinite_ && digits_.empty(); }
  bool IsNegative() const { return negative_; }
  bool IsInfinite() const { return infinite_; }
  bool IsInteger() const { return !infinite_ && exponent_ >= 0; }

  // Fail (OutOfRange) when the number is not an integer or is beyond int64.
  [[nodiscard]] absl::StatusOr<int64_t> ToInt64() const;
  // The nearest double (so 0.1 gives 0.1); fails (OutOfRange) when the magnitude is beyond double.
  // Infinities convert to infinities.
  [[nodiscard]] absl::StatusOr<double> ToDouble() const;
  // Whether ToDouble is exact: what decides between float64 and decimal text on the wire.
  bool IsExactDouble() const;

  // Plain decimal text ("-12.5", "100000000000000000000", "0.001"), the way Go's
  // big.Float.Text('f', -1) writes it; scientific ("1.5e+4000") only when plain text would exceed
  // about a thousand characters. "+Inf" / "-Inf" for infinities. Parse reads it back exactly.
  std::string ToString() const;

  // Numeric comparison: 1.50 == 1.5.
  friend bool operator==(const Decimal& a, const Decimal& b) = default;
  friend std::strong_ordering operator<=>(const Decimal& a, const Decimal& b);

 private:
  // Compares magnitudes, ignoring signs.
  static std::strong_ordering CompareMagnitude(const Decimal& a, const Decimal& b);

  // Canonical form, so the defaulted == is numeric equality: value = ±digits_ × 10^exponent_,
  // where digits_ has neither leading nor trailing zeros (empty for zero, which is never negative).
  bool negative_ = false;
  bool infinite_ = false;
  std::string digits_;
  int64_t exponent_ = 0;
};

}  // namespace fluxcpp::provider::values
