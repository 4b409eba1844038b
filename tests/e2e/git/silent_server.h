// A TCP server that accepts connections and never sends or reads a byte, to prove that deadlines
// bound conversations with a silent peer. Real sockets on 127.0.0.1; nothing is mocked, since the
// silence is what is under test.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace fluxcpp::testing {

// Listens on 127.0.0.1 at a free port, accepts every connection and never reads a byte; it sends
// nothing but `greeting` (e.g. an SSH banner, to stall a client after its first step).
class SilentServer {
 public:
  explicit SilentServer(std::string greeting = "") : greeting_(std::move(greeting)) {
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
          if (connection >= 0) {
            if (!greeting_.empty()) {
              [[maybe_unused]] ssize_t sent =
                  send(connection, greeting_.data(), greeting_.size(), MSG_NOSIGNAL);
            }
            connections_.push_back(connection);
          }
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
  std::string greeting_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::vector<int> connections_;
  std::thread acceptor_;
};

}  // namespace fluxcpp::testing
