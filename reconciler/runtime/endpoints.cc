#include "reconciler/runtime/endpoints.h"

#include <httplib.h>

#include <charconv>
#include <thread>

namespace fluxcpp::reconciler {

absl::StatusOr<ListenAddress> ParseListenAddress(const std::string& address) {
  auto invalid = [&address](const std::string& why) {
    return absl::InvalidArgumentError("listen address \"" + address + "\": " + why);
  };
  size_t colon = address.rfind(':');
  if (colon == std::string::npos) return invalid("expected host:port or :port");
  std::string host = address.substr(0, colon);
  std::string port_text = address.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string::npos) {
    return invalid("an IPv6 host must be in brackets");
  }
  int port = -1;
  auto [end, error] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || error != std::errc() || end != port_text.data() + port_text.size() ||
      port < 0 || port > 65535) {
    return invalid("port \"" + port_text + "\" is not a number from 0 to 65535");
  }
  return ListenAddress{.host = host.empty() ? "0.0.0.0" : host, .port = port};
}

struct HttpEndpoint::Server {
  httplib::Server http;
  std::thread thread;
  std::atomic<bool> finished{false};
};

HttpEndpoint::HttpEndpoint() : server_(std::make_unique<Server>()) {}

HttpEndpoint::~HttpEndpoint() { Stop(); }

absl::StatusOr<std::unique_ptr<HttpEndpoint>> HttpEndpoint::Start(const std::string& address,
                                                                  Routes routes) {
  auto listen = ParseListenAddress(address);
  if (!listen.ok()) return listen.status();
  auto endpoint = std::make_unique<HttpEndpoint>();
  httplib::Server& http = endpoint->server_->http;
  for (auto& [path, handler] : routes) {
    http.Get(path, [handler = std::move(handler)](const httplib::Request&, httplib::Response& res) {
      HttpResponse response = handler();
      res.status = response.status;
      res.set_content(response.body, response.content_type.c_str());
    });
  }
  if (listen->port == 0) {
    endpoint->port_ = http.bind_to_any_port(listen->host);
    if (endpoint->port_ < 0) endpoint->port_ = 0;
  } else if (http.bind_to_port(listen->host, listen->port)) {
    endpoint->port_ = listen->port;
  }
  if (endpoint->port_ == 0) {
    return absl::UnavailableError("listen on " + address + ": cannot bind (in use or no access)");
  }
  Server& server = *endpoint->server_;
  server.thread = std::thread([&server] {
    server.http.listen_after_bind();
    server.finished.store(true);
  });
  // A stop() before the server loop runs would be lost and leave Stop joining forever.
  while (!http.is_running() && !server.finished.load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return endpoint;
}

void HttpEndpoint::Stop() {
  if (!server_ || !server_->thread.joinable()) return;
  server_->http.stop();
  server_->thread.join();
}

absl::StatusOr<std::unique_ptr<HttpEndpoint>> StartHealthEndpoint(const std::string& address,
                                                                  std::function<bool()> ready) {
  return HttpEndpoint::Start(address, {{"/healthz", [] { return HttpResponse{.body = "ok"}; }},
                                       {"/readyz", [ready = std::move(ready)] {
                                          if (ready()) return HttpResponse{.body = "ok"};
                                          return HttpResponse{
                                              .status = 500,
                                              .body = "not ready: informers have not synced yet"};
                                        }}});
}

absl::StatusOr<std::unique_ptr<HttpEndpoint>> StartMetricsEndpoint(const std::string& address,
                                                                   const Metrics& metrics) {
  return HttpEndpoint::Start(address, {{"/metrics", [&metrics] {
                                          return HttpResponse{.content_type =
                                                                  "text/plain; version=0.0.4; "
                                                                  "charset=utf-8",
                                                              .body = metrics.Render()};
                                        }}});
}

}  // namespace fluxcpp::reconciler
