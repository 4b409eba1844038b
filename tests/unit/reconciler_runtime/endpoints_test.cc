#include "reconciler/runtime/endpoints.h"

#include <catch2/catch.hpp>

namespace fluxcpp::reconciler {
namespace {

TEST_CASE("ParseListenAddress reads Go's listen address forms") {
  auto any = ParseListenAddress(":9440");
  REQUIRE(any.ok());
  CHECK(any->host == "0.0.0.0");
  CHECK(any->port == 9440);
  auto loopback = ParseListenAddress("127.0.0.1:0");
  REQUIRE(loopback.ok());
  CHECK(loopback->host == "127.0.0.1");
  CHECK(loopback->port == 0);
  auto ipv6 = ParseListenAddress("[::1]:8080");
  REQUIRE(ipv6.ok());
  CHECK(ipv6->host == "::1");
  CHECK(ipv6->port == 8080);
}

TEST_CASE("ParseListenAddress names the address it refuses") {
  for (std::string text : {"9440", ":", ":http", ":70000", "::1:80", "host:-1"}) {
    auto parsed = ParseListenAddress(text);
    INFO(text);
    REQUIRE_FALSE(parsed.ok());
    CHECK(std::string(parsed.status().message()).find(text) != std::string::npos);
  }
}

}  // namespace
}  // namespace fluxcpp::reconciler
