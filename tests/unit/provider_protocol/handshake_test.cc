#include "provider/protocol/handshake.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

namespace fluxcpp::provider::protocol {
namespace {

TEST_CASE("the magic cookie must be exactly Terraform's") {
  CHECK(MagicCookieMatches("d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"));
  CHECK_FALSE(MagicCookieMatches(nullptr));
  CHECK_FALSE(MagicCookieMatches(""));
  CHECK_FALSE(MagicCookieMatches("d602bf8f"));
  CHECK_FALSE(
      MagicCookieMatches("d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2 "));
}

TEST_CASE("the highest common protocol version is chosen") {
  CHECK(*NegotiateProtocolVersion("5,6") == 6);
  CHECK(*NegotiateProtocolVersion("6,5") == 6);
  CHECK(*NegotiateProtocolVersion(" 5 , 6 ") == 6);
  CHECK(*NegotiateProtocolVersion("6") == 6);
  CHECK(*NegotiateProtocolVersion("5,6,7") == 6);
  CHECK(*NegotiateProtocolVersion("x,6") == 6);
  CHECK(*NegotiateProtocolVersion("4,5", {4, 5, 6}) == 5);
}

TEST_CASE("without PLUGIN_PROTOCOL_VERSIONS the server's version is assumed") {
  CHECK(*NegotiateProtocolVersion(nullptr) == 6);
  CHECK(*NegotiateProtocolVersion("") == 6);
  CHECK(*NegotiateProtocolVersion("  ") == 6);
}

TEST_CASE("a core that speaks none of our versions gets an actionable error") {
  absl::StatusOr<int> version = NegotiateProtocolVersion("4,5");
  REQUIRE_FALSE(version.ok());
  CHECK(version.status().code() == absl::StatusCode::kFailedPrecondition);
  const std::string message(version.status().message());
  CHECK_THAT(message, Catch::Contains("\"4,5\""));
  CHECK_THAT(message, Catch::Contains("speaks only 6"));
  CHECK_FALSE(NegotiateProtocolVersion("x,y").ok());
}

TEST_CASE("base64 uses the standard alphabet without padding") {
  CHECK(EncodeBase64Raw("") == "");
  CHECK(EncodeBase64Raw("f") == "Zg");
  CHECK(EncodeBase64Raw("fo") == "Zm8");
  CHECK(EncodeBase64Raw("foo") == "Zm9v");
  CHECK(EncodeBase64Raw("foob") == "Zm9vYg");
  CHECK(EncodeBase64Raw("fooba") == "Zm9vYmE");
  CHECK(EncodeBase64Raw("foobar") == "Zm9vYmFy");
  CHECK(EncodeBase64Raw(std::string("\xfb\xff\xbf", 3)) == "+/+/");
  CHECK(EncodeBase64Raw(std::string("\0\0", 2)) == "AAA");
}

TEST_CASE("the handshake line has exactly six fields and ends in a newline") {
  const std::string line = FormatHandshakeLine(
      {.address = "/tmp/plugin-flux-abc/plugin.sock", .server_certificate_der = "fooba"});
  CHECK(line == "1|6|unix|/tmp/plugin-flux-abc/plugin.sock|grpc|Zm9vYmE\n");
  CHECK(std::count(line.begin(), line.end(), '|') == 5);
  CHECK(std::count(line.begin(), line.end(), '\n') == 1);
}

TEST_CASE("a plaintext handshake line leaves the certificate field empty") {
  CHECK(FormatHandshakeLine({.address = "/tmp/p/plugin.sock"}) ==
        "1|6|unix|/tmp/p/plugin.sock|grpc|\n");
  CHECK(FormatHandshakeLine({.network = "tcp", .address = "127.0.0.1:10000"}) ==
        "1|6|tcp|127.0.0.1:10000|grpc|\n");
}

TEST_CASE("the reattach value names every address with the socket") {
  const nlohmann::json reattach = nlohmann::json::parse(ReattachProvidersJson(
      {"registry.opentofu.org/fluxcd/flux", "registry.terraform.io/fluxcd/flux"}, 4242, "unix",
      "/tmp/p/plugin.sock"));
  REQUIRE(reattach.size() == 2);
  for (const auto& [address, entry] : reattach.items()) {
    INFO(address);
    CHECK(entry["Protocol"] == "grpc");
    CHECK(entry["ProtocolVersion"] == 6);
    CHECK(entry["Pid"] == 4242);
    CHECK(entry["Test"] == true);
    CHECK(entry["Addr"]["Network"] == "unix");
    CHECK(entry["Addr"]["String"] == "/tmp/p/plugin.sock");
  }
}

}  // namespace
}  // namespace fluxcpp::provider::protocol
