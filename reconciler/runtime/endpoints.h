// The reconciler's HTTP endpoints, each a small server on its own thread: health (/healthz,
// /readyz) and Prometheus metrics (/metrics), as controller-runtime serves them on :9440 and
// :8080.
//
// Thread-safety: an HttpEndpoint is started and stopped by its owner; its handlers run on the
// server's thread and must be thread-safe.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "reconciler/runtime/metrics.h"

namespace fluxcpp::reconciler {

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

struct ListenAddress {
  std::string host;  // "0.0.0.0" when the address gave none (":9440")
  int port = 0;      // 0: any free port
};

// Parses Go's listen address forms: ":9440", "127.0.0.1:0", "[::1]:8080", "localhost:8080". The
// error names the text.
[[nodiscard]] absl::StatusOr<ListenAddress> ParseListenAddress(const std::string& address);

// An HTTP server answering GET on fixed paths, on its own thread until Stop or destruction.
class HttpEndpoint {
 public:
  using Routes = std::map<std::string, std::function<HttpResponse()>>;

  // Binds `address` and starts serving; the error names the address.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<HttpEndpoint>> Start(
      const std::string& address, Routes routes);
  HttpEndpoint();  // not serving; use Start
  ~HttpEndpoint();
  HttpEndpoint(const HttpEndpoint&) = delete;
  HttpEndpoint& operator=(const HttpEndpoint&) = delete;

  // The bound port (the one chosen when the address asked for port 0).
  int port() const { return port_; }
  // Stops serving and joins the thread; idempotent.
  void Stop();

 private:
  struct Server;
  std::unique_ptr<Server> server_;
  int port_ = 0;
};

// /healthz answers "ok" while the process runs; /readyz answers 200 "ok" once `ready` returns
// true and 500 with the reason otherwise.
[[nodiscard]] absl::StatusOr<std::unique_ptr<HttpEndpoint>> StartHealthEndpoint(
    const std::string& address, std::function<bool()> ready);

// /metrics answers `metrics.Render()` in the Prometheus text format. `metrics` must outlive the
// endpoint.
[[nodiscard]] absl::StatusOr<std::unique_ptr<HttpEndpoint>> StartMetricsEndpoint(
    const std::string& address, const Metrics& metrics);

}  // namespace fluxcpp::reconciler
