// HTTP(S) to one API server over libcurl: TLS verification on by default, connections kept and
// reused, timeouts, and retries with backoff on connection errors, 429 (honouring Retry-After) and,
// for idempotent calls, 5xx. A 401 refreshes rotating credentials once.
//
// Thread-safe: requests may be sent from any number of threads; each borrows a pooled curl handle.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/curl/handles.h"
#include "lib/kube/config.h"
#include "lib/kube/credentials.h"

namespace fluxcpp::kube {

struct HttpRequest {
  std::string method = "GET";
  std::string path;  // path and query, e.g. "/api/v1/namespaces?limit=500"
  std::string body;
  std::string content_type;
  std::string accept = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds timeout{60000};  // whole request; 0 for none (watches)
  // Retry after 5xx and broken connections. Defaults to true for GET, HEAD, PUT and DELETE.
  std::optional<bool> idempotent;
  // When set and it becomes true, the transfer stops within about a second (streams, shutdown).
  const std::atomic<bool>* cancel = nullptr;
};

struct HttpResponse {
  long status = 0;
  std::string body;
};

struct TransportOptions {
  int max_attempts = 5;
  std::chrono::milliseconds initial_backoff{200};
  std::chrono::milliseconds max_backoff{5000};
  std::chrono::milliseconds connect_timeout{10000};
};

class Transport {
 public:
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<Transport>> Create(
      const ClusterConfig& config, TransportOptions options = {});
  // Prefer Create, which checks the configuration first.
  Transport(ClusterConfig config, TransportOptions options);
  ~Transport();

  // Sends one request, retrying as described above. Any HTTP status is a response; only a request
  // that never got one is an error (Unavailable, naming the server).
  [[nodiscard]] absl::StatusOr<HttpResponse> Send(const HttpRequest& request);

  // Sends a request whose body is a stream (a watch): `on_data` gets each chunk as it arrives and
  // returns false to stop. Returns the status code once the stream ends. No retries: the caller
  // resumes.
  [[nodiscard]] absl::StatusOr<long> Stream(const HttpRequest& request,
                                            const std::function<bool(std::string_view)>& on_data);

  // Requests that reached the server (each attempt counts), for benchmarks and tests.
  uint64_t requests_sent() const { return requests_sent_.load(); }
  const std::string& server() const { return config_.server; }

 private:
  curl::Easy Borrow();
  void Return(curl::Easy handle);
  struct Attempt {
    absl::StatusOr<long> status;  // HTTP status, or a transport error
    int curl_code = 0;
    std::string retry_after;
  };
  Attempt Perform(const HttpRequest& request, const Credentials& credentials,
                  const std::function<bool(std::string_view)>& on_data);

  const ClusterConfig config_;
  const TransportOptions options_;
  CredentialSource credentials_;
  std::mutex pool_mutex_;
  std::vector<curl::Easy> idle_handles_;
  std::atomic<uint64_t> requests_sent_{0};
};

}  // namespace fluxcpp::kube
