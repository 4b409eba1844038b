// The operation's deadline bounds http(s) conversations: a server that accepts the connection and
// then never says anything fails the operation with kDeadlineExceeded about when the deadline
// passes, naming the URL. The server is a real TCP listener of the test (nothing to mock: it is
// silence that is under test).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "lib/git/mirror.h"
#include "tests/e2e/git/git_ground.h"
#include "tests/e2e/support/ground.h"

namespace fluxcpp::git {
namespace {

using fluxcpp::testing::GroundEnv;
using fluxcpp::testing::ReadTextFile;
using fluxcpp::testing::ScratchDirectory;
using Clock = std::chrono::steady_clock;

// Listens on 127.0.0.1 at a free port, accepts every connection and never sends or reads a byte.
class SilentServer {
 public:
  SilentServer() {
    listener_ = socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(listener_ >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    REQUIRE(bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0);
    REQUIRE(listen(listener_, 16) == 0);
    socklen_t length = sizeof(address);
    REQUIRE(getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) == 0);
    port_ = ntohs(address.sin_port);
    acceptor_ = std::thread([this] {
      while (!stop_) {
        pollfd ready{listener_, POLLIN, 0};
        if (poll(&ready, 1, 50) > 0) {
          int connection = accept(listener_, nullptr, nullptr);
          if (connection >= 0) connections_.push_back(connection);
        }
      }
    });
  }
  ~SilentServer() {
    stop_ = true;
    acceptor_.join();
    for (int connection : connections_) close(connection);
    close(listener_);
  }
  SilentServer(const SilentServer&) = delete;
  SilentServer& operator=(const SilentServer&) = delete;

  int port() const { return port_; }

 private:
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::vector<int> connections_;
  std::thread acceptor_;
};

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

TEST_CASE("a deadline that leaves time is no obstacle") {
  auto repository = fluxcpp::testing::NewGroundRepository("deadline-ok");
  AuthOptions auth = fluxcpp::testing::GroundMtlsAuth();
  auto refs = ListRemoteRefs(repository.mtls_url, auth, Clock::now() + std::chrono::seconds(20));
  INFO(refs.status().ToString());
  CHECK(refs.ok());
}

}  // namespace
}  // namespace fluxcpp::git
