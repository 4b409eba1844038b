#include "lib/kube/transport.h"

#include <curl/curl.h>

#include <algorithm>
#include <random>
#include <thread>

#include "absl/status/status.h"

namespace fluxcpp::kube {
namespace {

using HeaderList = curl::Slist;

void AppendHeader(HeaderList& list, const std::string& header) {
  curl_slist* extended = curl_slist_append(list.get(), header.c_str());
  if (extended) {
    (void)list.release();
    list.reset(extended);
  }
}

bool DefaultIdempotent(const std::string& method) {
  return method == "GET" || method == "HEAD" || method == "PUT" || method == "DELETE";
}

// Failures where the request never reached the server, so even a POST may be sent again.
bool FailedBeforeSending(int curl_code) {
  return curl_code == CURLE_COULDNT_CONNECT || curl_code == CURLE_COULDNT_RESOLVE_HOST ||
         curl_code == CURLE_COULDNT_RESOLVE_PROXY;
}

bool BrokenConnection(int curl_code) {
  return FailedBeforeSending(curl_code) || curl_code == CURLE_GOT_NOTHING ||
         curl_code == CURLE_SEND_ERROR || curl_code == CURLE_RECV_ERROR ||
         curl_code == CURLE_PARTIAL_FILE || curl_code == CURLE_OPERATION_TIMEDOUT ||
         curl_code == CURLE_SSL_CONNECT_ERROR || curl_code == CURLE_HTTP2 ||
         curl_code == CURLE_HTTP2_STREAM;
}

std::chrono::milliseconds Backoff(const TransportOptions& options, int attempt,
                                  const std::string& retry_after) {
  if (!retry_after.empty() && std::all_of(retry_after.begin(), retry_after.end(), ::isdigit)) {
    std::chrono::milliseconds requested(std::stoll(retry_after) * 1000);
    return std::min(requested, std::chrono::milliseconds(options.max_backoff * 6));
  }
  std::chrono::milliseconds base = options.initial_backoff * (1LL << std::min(attempt, 10));
  base = std::min(base, options.max_backoff);
  // Jitter keeps many clients that failed together from retrying together.
  thread_local std::mt19937 random(std::random_device{}());
  std::uniform_int_distribution<long long> jitter(0, base.count() / 2);
  return std::chrono::milliseconds(base.count() / 2 + jitter(random) + base.count() / 4);
}

struct WriteTarget {
  const std::function<bool(std::string_view)>* on_data;
  bool stopped = false;
};

size_t WriteCallback(char* data, size_t size, size_t count, void* user) {
  auto* target = static_cast<WriteTarget*>(user);
  size_t bytes = size * count;
  if (!(*target->on_data)(std::string_view(data, bytes))) {
    target->stopped = true;
    return 0;  // makes curl end the transfer
  }
  return bytes;
}

size_t HeaderCallback(char* data, size_t size, size_t count, void* user) {
  auto* retry_after = static_cast<std::string*>(user);
  std::string_view line(data, size * count);
  constexpr std::string_view kName = "retry-after:";
  if (line.size() > kName.size()) {
    std::string lower(line.substr(0, kName.size()));
    std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
    if (lower == kName) {
      std::string value(line.substr(kName.size()));
      value.erase(0, value.find_first_not_of(" \t"));
      value.erase(value.find_last_not_of(" \t\r\n") + 1);
      *retry_after = value;
    }
  }
  return size * count;
}

int ProgressCallback(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  const auto* cancel = static_cast<const std::atomic<bool>*>(user);
  return cancel->load() ? 1 : 0;  // non-zero aborts the transfer
}

void SetBlob(CURL* handle, CURLoption option, const std::string& pem) {
  curl_blob blob{const_cast<char*>(pem.data()), pem.size(), CURL_BLOB_COPY};
  curl_easy_setopt(handle, option, &blob);
}

}  // namespace

Transport::Transport(ClusterConfig config, TransportOptions options)
    : config_(std::move(config)), options_(options), credentials_(config_) {}

Transport::~Transport() = default;

absl::StatusOr<std::unique_ptr<Transport>> Transport::Create(const ClusterConfig& config,
                                                             TransportOptions options) {
  curl::InitializeOnce();
  if (config.server.rfind("https://", 0) != 0 && config.server.rfind("http://", 0) != 0) {
    return absl::InvalidArgumentError("server \"" + config.server + "\" is not an http(s) URL");
  }
  return std::make_unique<Transport>(config, options);
}

curl::Easy Transport::Borrow() {
  {
    std::lock_guard lock(pool_mutex_);
    if (!idle_handles_.empty()) {
      curl::Easy handle = std::move(idle_handles_.back());
      idle_handles_.pop_back();
      return handle;
    }
  }
  return curl::NewEasy();
}

void Transport::Return(curl::Easy handle) {
  std::lock_guard lock(pool_mutex_);
  idle_handles_.push_back(std::move(handle));
}

Transport::Attempt Transport::Perform(const HttpRequest& request, const Credentials& credentials,
                                      const std::function<bool(std::string_view)>& on_data) {
  curl::Easy handle = Borrow();
  CURL* curl = handle.get();
  // reset keeps the handle's open connections and TLS sessions, which is the point of pooling
  curl_easy_reset(curl);
  std::string url = config_.server + request.path;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options_.connect_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");
  if (request.method == "GET") {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  } else if (request.method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
  }
  const TlsConfig& tls = config_.tls;
  if (!tls.ca_pem.empty()) SetBlob(curl, CURLOPT_CAINFO_BLOB, tls.ca_pem);
  if (tls.insecure_skip_verify) {
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if (!credentials.client_certificate_pem.empty()) {
    SetBlob(curl, CURLOPT_SSLCERT_BLOB, credentials.client_certificate_pem);
    curl_easy_setopt(curl, CURLOPT_SSLCERTTYPE, "PEM");
    SetBlob(curl, CURLOPT_SSLKEY_BLOB, credentials.client_key_pem);
    curl_easy_setopt(curl, CURLOPT_SSLKEYTYPE, "PEM");
  }
  if (!config_.proxy_url.empty()) curl_easy_setopt(curl, CURLOPT_PROXY, config_.proxy_url.c_str());

  HeaderList headers;
  AppendHeader(headers, "Accept: " + request.accept);
  AppendHeader(headers, "User-Agent: fluxcpp/0.1");
  if (!request.content_type.empty()) AppendHeader(headers, "Content-Type: " + request.content_type);
  if (!credentials.authorization.empty()) {
    AppendHeader(headers, "Authorization: " + credentials.authorization);
  }
  if (!config_.auth.impersonate_user.empty()) {
    AppendHeader(headers, "Impersonate-User: " + config_.auth.impersonate_user);
    for (const std::string& group : config_.auth.impersonate_groups) {
      AppendHeader(headers, "Impersonate-Group: " + group);
    }
  }
  for (const auto& [name, value] : request.headers) AppendHeader(headers, name + ": " + value);
  AppendHeader(headers, "Expect:");  // no 100-continue round trip for large bodies
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());

  Attempt attempt;
  WriteTarget target{&on_data};
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, WriteCallback);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &target);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, HeaderCallback);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &attempt.retry_after);
  if (request.cancel) {
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, ProgressCallback);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, request.cancel);
  }
  std::array<char, CURL_ERROR_SIZE> error_buffer{};
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer.data());

  requests_sent_.fetch_add(1);
  CURLcode code = curl_easy_perform(curl);
  attempt.curl_code = code;
  bool cancelled = code == CURLE_ABORTED_BY_CALLBACK && request.cancel && request.cancel->load();
  if (cancelled) {
    attempt.status =
        absl::CancelledError(request.method + " " + config_.server + request.path + ": cancelled");
  } else if (code == CURLE_OK || (code == CURLE_WRITE_ERROR && target.stopped)) {
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    attempt.status = status;
  } else {
    std::string detail = error_buffer[0] ? error_buffer.data() : curl_easy_strerror(code);
    attempt.status = absl::UnavailableError(request.method + " " + config_.server + request.path +
                                            ": " + detail);
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
  Return(std::move(handle));
  return attempt;
}

absl::StatusOr<HttpResponse> Transport::Send(const HttpRequest& request) {
  bool idempotent = request.idempotent.value_or(DefaultIdempotent(request.method));
  bool refreshed_credentials = false;
  absl::Status last_error;
  for (int attempt_number = 0; attempt_number < options_.max_attempts; ++attempt_number) {
    auto credentials = credentials_.Get();
    if (!credentials.ok()) return credentials.status();
    HttpResponse response;
    std::function<bool(std::string_view)> collect = [&response](std::string_view chunk) {
      response.body.append(chunk);
      return true;
    };
    Attempt attempt = Perform(request, *credentials, collect);
    std::chrono::milliseconds wait = Backoff(options_, attempt_number, attempt.retry_after);
    if (!attempt.status.ok()) {
      last_error = attempt.status.status();
      bool retry =
          idempotent ? BrokenConnection(attempt.curl_code) : FailedBeforeSending(attempt.curl_code);
      if (!retry) return last_error;
    } else {
      response.status = *attempt.status;
      if (response.status == 401 && !refreshed_credentials && credentials_.CanRefresh()) {
        credentials_.Invalidate();
        refreshed_credentials = true;
        continue;
      }
      bool server_busy = response.status == 429 ||
                         (idempotent && response.status >= 500 && response.status != 501);
      if (!server_busy || attempt_number + 1 == options_.max_attempts) return response;
    }
    std::this_thread::sleep_for(wait);
  }
  return last_error;
}

absl::StatusOr<long> Transport::Stream(const HttpRequest& request,
                                       const std::function<bool(std::string_view)>& on_data) {
  auto credentials = credentials_.Get();
  if (!credentials.ok()) return credentials.status();
  Attempt attempt = Perform(request, *credentials, on_data);
  return attempt.status;
}

}  // namespace fluxcpp::kube
