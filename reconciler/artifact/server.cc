#include "reconciler/artifact/server.h"

#include <httplib.h>

#include <atomic>
#include <charconv>
#include <chrono>
#include <thread>

#include "absl/strings/str_cat.h"

namespace fluxcpp::reconciler::artifact {

struct ArtifactServer::State {
  std::string root;
  std::string address;
  httplib::Server server;
  std::thread thread;
  int port = 0;
  std::atomic<bool> listen_returned{false};
};

ArtifactServer::ArtifactServer(std::string root, std::string address)
    : state_(std::make_unique<State>()) {
  state_->root = std::move(root);
  state_->address = std::move(address);
}

ArtifactServer::~ArtifactServer() { Stop(); }

absl::Status ArtifactServer::Start() {
  const std::string& address = state_->address;
  size_t colon = address.rfind(':');
  if (colon == std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("artifact server address '", address, "' has no port"));
  }
  std::string host = address.substr(0, colon);
  if (host.empty()) host = "0.0.0.0";
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  int port = -1;
  std::string port_text = address.substr(colon + 1);
  auto [end, error] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (error != std::errc() || end != port_text.data() + port_text.size() || port < 0 ||
      port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("artifact server address '", address, "' has an invalid port"));
  }
  // Only GET and HEAD of files below the root: the mount point refuses paths leaving it.
  if (!state_->server.set_mount_point("/", state_->root)) {
    return absl::InvalidArgumentError(
        absl::StrCat("artifact server: storage root ", state_->root, " is not a folder"));
  }
  state_->server.set_file_extension_and_mimetype_mapping("gz", "application/gzip");
  if (port == 0) {
    port = state_->server.bind_to_any_port(host);
    if (port < 0) port = 0;
  } else if (!state_->server.bind_to_port(host, port)) {
    port = 0;
  }
  if (port == 0) {
    return absl::UnavailableError(absl::StrCat("artifact server: cannot listen on ", address));
  }
  state_->port = port;
  state_->thread = std::thread([state = state_.get()] {
    state->server.listen_after_bind();
    state->listen_returned = true;
  });
  // httplib's stop() does nothing before the accept loop runs, so Stop right after Start would
  // hang; wait for the loop.
  while (!state_->server.is_running() && !state_->listen_returned) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (state_->listen_returned) {
    state_->thread.join();
    return absl::UnavailableError(absl::StrCat("artifact server: cannot serve on ", address));
  }
  return absl::OkStatus();
}

int ArtifactServer::port() const { return state_->port; }

void ArtifactServer::Stop() {
  if (!state_->thread.joinable()) return;
  state_->server.stop();
  state_->thread.join();
}

}  // namespace fluxcpp::reconciler::artifact
