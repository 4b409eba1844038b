#include "provider/values/decimal.h"

#include <catch2/catch.hpp>
#include <cmath>

namespace fluxcpp::provider::values {
namespace {

Decimal D(std::string_view text) {
  auto number = Decimal::Parse(text);
  REQUIRE(number.ok());
  return *number;
}

TEST_CASE("decimal text is kept exactly") {
  CHECK(D("123456789012345678901234567890.5").ToString() == "123456789012345678901234567890.5");
  CHECK(D("-0.000000000000000000000000000001").ToString() == "-0.000000000000000000000000000001");
  CHECK(D("1e3").ToString() == "1000");
  CHECK(D("1.2500").ToString() == "1.25");
  CHECK(D("+7").ToString() == "7");
  CHECK(D("-0").ToString() == "0");
  CHECK(D(".5").ToString() == "0.5");
  CHECK(D("5.").ToString() == "5");
  CHECK(D("-Inf").ToString() == "-Inf");
  CHECK(D("infinity").IsInfinite());
}

TEST_CASE("huge exponents switch to scientific notation and read back") {
  Decimal huge = D("1.5e5000");
  CHECK(huge.ToString() == "1.5e+5000");
  CHECK(D(huge.ToString()) == huge);
  Decimal tiny = D("-2e-5000");
  CHECK(tiny.ToString() == "-2e-5000");
  CHECK(D(tiny.ToString()) == tiny);
}

TEST_CASE("equality and order are numeric") {
  CHECK(D("1.50") == D("1.5"));
  CHECK(D("100") == D("1e2"));
  CHECK(D("0") == D("-0.000"));
  CHECK(D("-1") < D("0"));
  CHECK(D("0") < D("0.5"));
  CHECK(D("0.5") < D("0.51"));
  CHECK(D("0.51") < D("1"));
  CHECK(D("-2") < D("-1.5"));
  CHECK(D("1") < D("1e400"));
  CHECK(D("1e400") < Decimal::Infinity());
  CHECK(Decimal::Infinity(true) < D("-1e400"));
}

TEST_CASE("int64 conversion fails when the number does not fit") {
  CHECK(*D("9223372036854775807").ToInt64() == INT64_MAX);
  CHECK(*D("-9223372036854775808").ToInt64() == INT64_MIN);
  CHECK(*D("4.2e1").ToInt64() == 42);
  CHECK(*D("0").ToInt64() == 0);
  CHECK(*Decimal().ToInt64() == 0);
  CHECK(D("9223372036854775808").ToInt64().status().code() == absl::StatusCode::kOutOfRange);
  CHECK(D("1e30").ToInt64().status().code() == absl::StatusCode::kOutOfRange);
  auto fraction = D("1.5").ToInt64();
  REQUIRE_FALSE(fraction.ok());
  CHECK(std::string(fraction.status().message()) == "1.5 is not an integer");
  CHECK_FALSE(Decimal::Infinity().ToInt64().ok());
  CHECK(*Decimal::FromInt64(INT64_MIN).ToInt64() == INT64_MIN);
  CHECK(Decimal::FromUint64(UINT64_MAX).ToString() == "18446744073709551615");
}

TEST_CASE("double conversion is nearest, and fails beyond double's range") {
  CHECK(*D("0.1").ToDouble() == 0.1);
  CHECK(*D("-2.5").ToDouble() == -2.5);
  CHECK(*D("1e-400").ToDouble() == 0.0);
  CHECK(std::isinf(*Decimal::Infinity().ToDouble()));
  CHECK(D("1e400").ToDouble().status().code() == absl::StatusCode::kOutOfRange);
}

TEST_CASE("a double keeps its exact binary value") {
  Decimal tenth = *Decimal::FromDouble(0.1);
  CHECK(tenth.ToString() == "0.1000000000000000055511151231257827021181583404541015625");
  CHECK(tenth.IsExactDouble());
  CHECK_FALSE(D("0.1").IsExactDouble());
  CHECK(D("0.5").IsExactDouble());
  CHECK(D("9223372036854775808").IsExactDouble());
  CHECK_FALSE(D("9223372036854775809").IsExactDouble());
  CHECK(Decimal::FromDouble(5e-324)->IsExactDouble());
  CHECK_FALSE(*Decimal::FromDouble(1e300) == D("1e300"));  // 1e300 is not a double
  CHECK(Decimal::FromDouble(-0.0)->IsZero());
  CHECK_FALSE(Decimal::FromDouble(std::nan("")).ok());
}

TEST_CASE("text that is not a number is refused") {
  for (const char* text : {"", "-", ".", "e5", "1e", "1e+", "abc", "1.2.3", "--1", "0x10", "1 ",
                           "nan", "1e1000000001"}) {
    INFO(text);
    CHECK_FALSE(Decimal::Parse(text).ok());
  }
  CHECK(std::string(Decimal::Parse("abc").status().message()) == "\"abc\" is not a number");
}

}  // namespace
}  // namespace fluxcpp::provider::values
