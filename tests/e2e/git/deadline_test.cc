// The operation's deadline bounds http(s) conversations: a server that accepts the connection and
// then never says anything fails the operation with kDeadlineExceeded about when the deadline
// passes, naming the URL. The server is a real TCP listener of the test (nothing to mock: it is
// silence that is under test).
#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "lib/git/mirror.h"
#include "tests/e2e/git/git_ground.h"
#include "tests/e2e/git/silent_server.h"
#include "tests/e2e/support/ground.h"

namespace fluxcpp::git {
namespace {

using fluxcpp::testing::GroundEnv;
using fluxcpp::testing::ReadTextFile;
using fluxcpp::testing::ScratchDirectory;
using fluxcpp::testing::SilentServer;
using Clock = std::chrono::steady_clock;

void CheckFailsAtDeadline(const absl::Status& status, Clock::time_point started,
                          std::chrono::milliseconds timeout, const std::string& url) {
  auto elapsed = Clock::now() - started;
  INFO(status.ToString());
  CHECK(status.code() == absl::StatusCode::kDeadlineExceeded);
  CHECK_THAT(std::string(status.message()), Catch::Contains(url));
  CHECK(elapsed >= timeout - std::chrono::milliseconds(50));
  CHECK(elapsed < timeout + std::chrono::milliseconds(1500));
}

TEST_CASE("a server that accepts and never answers fails the operation at its deadline") {
  SilentServer server;
  AuthOptions auth;
  std::string url;
  SECTION("https (the TLS handshake gets no answer)") {
    auth.ca_pem = ReadTextFile(GroundEnv("GIT_CA_FILE"));
    url = "https://127.0.0.1:" + std::to_string(server.port()) + "/git/silent.git";
  }
  SECTION("plain http (the request gets no answer)") {
    auth.allow_insecure_http = true;
    url = "http://127.0.0.1:" + std::to_string(server.port()) + "/git/silent.git";
  }
  constexpr std::chrono::milliseconds kTimeout(1500);

  auto started = Clock::now();
  auto refs = ListRemoteRefs(url, auth, started + kTimeout);
  REQUIRE_FALSE(refs.ok());
  CheckFailsAtDeadline(refs.status(), started, kTimeout, url);

  ScratchDirectory scratch;
  auto mirror = Mirror::Open(url, scratch.path() + "/mirror", auth);
  REQUIRE(mirror.ok());
  started = Clock::now();
  auto fetched = (*mirror)->Fetch("refs/heads/main", started + kTimeout);
  REQUIRE_FALSE(fetched.ok());
  CheckFailsAtDeadline(fetched.status(), started, kTimeout, url);
}

// libgit2's own SSH transport had no socket timeouts; lib/git's (ssh_transport.cc) bounds the TCP
// connect, the banner exchange, the key exchange and every read by the deadline.
TEST_CASE(
    "an SSH server that stalls fails the operation at its deadline, naming host and timeout") {
  std::string greeting;
  SECTION("silent from the start (no SSH banner)") {}
  SECTION("a banner, then silence in the key exchange") { greeting = "SSH-2.0-OpenSSH_9.2\r\n"; }
  SilentServer server(greeting);
  AuthOptions auth = fluxcpp::testing::GroundSshAuth();
  std::string url = "ssh://git@127.0.0.1:" + std::to_string(server.port()) + "/silent.git";
  constexpr std::chrono::milliseconds kTimeout(1500);

  auto started = Clock::now();
  auto refs = ListRemoteRefs(url, auth, started + kTimeout);
  REQUIRE_FALSE(refs.ok());
  CheckFailsAtDeadline(refs.status(), started, kTimeout, url);
  CHECK_THAT(std::string(refs.status().message()),
             Catch::Contains("[127.0.0.1]:" + std::to_string(server.port())) &&
                 Catch::Contains("timeout (1.5s)"));

  ScratchDirectory scratch;
  auto mirror = Mirror::Open(url, scratch.path() + "/mirror", auth);
  REQUIRE(mirror.ok());
  started = Clock::now();
  auto fetched = (*mirror)->Fetch("refs/heads/main", started + kTimeout);
  REQUIRE_FALSE(fetched.ok());
  CheckFailsAtDeadline(fetched.status(), started, kTimeout, url);
}

TEST_CASE("an SSH deadline that leaves time is no obstacle") {
  auto repository = fluxcpp::testing::NewGroundRepository("deadline-ssh-ok");
  auto refs = ListRemoteRefs(repository.ssh_url, fluxcpp::testing::GroundSshAuth(),
                             Clock::now() + std::chrono::seconds(20));
  INFO(refs.status().ToString());
  CHECK(refs.ok());
}

TEST_CASE("a deadline that leaves time is no obstacle") {
  auto repository = fluxcpp::testing::NewGroundRepository("deadline-ok");
  AuthOptions auth = fluxcpp::testing::GroundMtlsAuth();
  auto refs = ListRemoteRefs(repository.mtls_url, auth, Clock::now() + std::chrono::seconds(20));
  INFO(refs.status().ToString());
  CHECK(refs.ok());
}

}  // namespace
}  // namespace fluxcpp::git
