#include "lib/git/http_transport.h"

#include <curl/curl.h>
#include <git2.h>
#include <git2/sys/remote.h>
#include <git2/sys/transport.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "lib/curl/handles.h"
#include "lib/git/auth.h"
#include "lib/git/remote_session.h"
#include "lib/git/smart_subtransport.h"

namespace fluxcpp::git {
namespace {

constexpr int kMaxRedirects = 5;
constexpr char kUserAgent[] = "git/2.0 (fluxcpp; libcurl)";

// The URL without user-info (credentials travel as curl options) and without trailing slashes,
// to which "/info/refs" and "/git-upload-pack" are appended.
std::string RepositoryBaseUrl(absl::string_view url) {
  std::string base = RedactUrl(url);
  while (absl::EndsWith(base, "/")) base.pop_back();
  return base;
}

// A percent-decoded user-info part, as libgit2 reads it from a URL.
std::string Unescape(CURL* handle, const std::string& text) {
  if (text.find('%') == std::string::npos) return text;
  int length = 0;
  curl::String decoded(
      curl_easy_unescape(handle, text.data(), static_cast<int>(text.size()), &length));
  return decoded ? std::string(decoded.get(), static_cast<size_t>(length)) : text;
}

class HttpSubtransport;

// One HTTP request of the conversation: the GET of the ref advertisement, or one POST whose body
// libgit2 writes before it reads the answer. The request starts at the first read; the body is
// kept in memory until then (git's requests are small; pushes carry one pack). The answer streams:
// read() drives libcurl's multi interface only until the next bytes arrive.
class HttpStream {
 public:
  HttpStream(HttpSubtransport& subtransport, RemoteSession& session, git_smart_service_t action,
             std::string url, curl::Slist headers, std::string proxy, bool disable_proxy,
             bool follow_redirects)
      : binding_{{}, this},
        subtransport_(subtransport),
        session_(session),
        service_(SmartServiceOf(action)),
        url_(std::move(url)),
        headers_(std::move(headers)),
        proxy_(std::move(proxy)),
        disable_proxy_(disable_proxy),
        follow_redirects_(follow_redirects) {
    binding_.interface.read = &HttpStream::ReadCallback;
    binding_.interface.write = &HttpStream::WriteCallback;
    binding_.interface.free = &HttpStream::FreeCallback;
  }

  ~HttpStream() {
    if (attached_) curl_multi_remove_handle(multi_, easy_.get());
  }
  HttpStream(const HttpStream&) = delete;
  HttpStream& operator=(const HttpStream&) = delete;

  git_smart_subtransport_stream* interface() { return &binding_.interface; }
  void set_owner(git_smart_subtransport* owner) { binding_.interface.subtransport = owner; }

 private:
  static HttpStream& From(git_smart_subtransport_stream* stream) {
    return *reinterpret_cast<Binding<git_smart_subtransport_stream, HttpStream>*>(stream)->owner;
  }
  static int ReadCallback(git_smart_subtransport_stream* stream, char* buffer, size_t size,
                          size_t* bytes_read) {
    return From(stream).Read(buffer, size, bytes_read);
  }
  static int WriteCallback(git_smart_subtransport_stream* stream, const char* buffer,
                           size_t length) {
    return From(stream).Write(buffer, length);
  }
  static void FreeCallback(git_smart_subtransport_stream* stream) {
    std::unique_ptr<HttpStream> owned(&From(stream));
  }
  // Notices the server's CertificateRequest among the TLS handshake messages libcurl traces, so
  // that a handshake the server then breaks off (some servers only say "internal error") can be
  // reported as the client-certificate refusal it is.
  static int Trace(CURL* /*handle*/, curl_infotype type, char* data, size_t size, void* user) {
    constexpr unsigned char kCertificateRequest = 13;
    if (type != CURLINFO_SSL_DATA_IN || size < 4) return 0;
    const auto* bytes = reinterpret_cast<const unsigned char*>(data);
    size_t length = (size_t{bytes[1]} << 16) | (size_t{bytes[2]} << 8) | size_t{bytes[3]};
    if (bytes[0] == kCertificateRequest && length == size - 4) {
      static_cast<HttpStream*>(user)->client_certificate_requested_ = true;
    }
    return 0;
  }
  static size_t ReceiveBody(char* data, size_t size, size_t count, void* user) {
    auto& stream = *static_cast<HttpStream*>(user);
    stream.pending_.append(data, size * count);
    return size * count;
  }

  bool is_post() const { return !service_.advertisement; }

  int Write(const char* buffer, size_t length);
  int Read(char* buffer, size_t size, size_t* bytes_read);
  int Start();
  // Lets libcurl work until something arrived, the transfer ended or a short wait passed.
  int Pump();
  // The HTTP status and content type, once the answer's headers are in.
  int CheckResponse();
  absl::Status TransferError() const;
  std::string HostForMessages() const;

  Binding<git_smart_subtransport_stream, HttpStream> binding_;
  HttpSubtransport& subtransport_;
  RemoteSession& session_;
  SmartService service_;
  std::string url_;
  curl::Slist headers_;
  std::string proxy_;
  bool disable_proxy_;
  bool follow_redirects_;

  curl::Easy easy_;
  CURLM* multi_ = nullptr;  // the subtransport's, which outlives its streams
  bool attached_ = false;   // easy_ is in multi_
  std::string request_body_;
  std::string pending_;  // received and not yet read
  size_t pending_offset_ = 0;
  bool started_ = false;
  bool finished_ = false;
  bool response_checked_ = false;
  bool client_certificate_requested_ = false;
  CURLcode result_ = CURLE_OK;
  char error_buffer_[CURL_ERROR_SIZE] = {};
};

class HttpSubtransport {
 public:
  explicit HttpSubtransport(git_transport* owner) : binding_{{}, this}, owner_(owner) {
    binding_.interface.action = &HttpSubtransport::ActionCallback;
    binding_.interface.close = &HttpSubtransport::CloseCallback;
    binding_.interface.free = &HttpSubtransport::FreeCallback;
  }

  git_smart_subtransport* interface() { return &binding_.interface; }

  // After the ref advertisement was redirected: the POSTs go to the repository's new place.
  void set_base_url(std::string base_url) { base_url_ = std::move(base_url); }

  // One multi handle for the requests of this subtransport, one at a time: libcurl keeps its
  // connections there, so the POSTs reuse the connection (and TLS session) of the GET before.
  CURLM* multi() {
    if (!multi_) multi_ = curl::NewMulti();
    return multi_.get();
  }

 private:
  static HttpSubtransport& From(git_smart_subtransport* subtransport) {
    return *reinterpret_cast<Binding<git_smart_subtransport, HttpSubtransport>*>(subtransport)
                ->owner;
  }
  static int ActionCallback(git_smart_subtransport_stream** out,
                            git_smart_subtransport* subtransport, const char* url,
                            git_smart_service_t action) {
    return From(subtransport).Action(out, url, action);
  }
  static int CloseCallback(git_smart_subtransport* subtransport) {
    From(subtransport).base_url_.clear();
    return 0;
  }
  static void FreeCallback(git_smart_subtransport* subtransport) {
    std::unique_ptr<HttpSubtransport> owned(&From(subtransport));
  }

  int Action(git_smart_subtransport_stream** out, const char* url, git_smart_service_t action);

  Binding<git_smart_subtransport, HttpSubtransport> binding_;
  git_transport* owner_;
  std::string base_url_;
  curl::Multi multi_;
};

int HttpSubtransport::Action(git_smart_subtransport_stream** out, const char* url,
                             git_smart_service_t action) {
  *out = nullptr;
  ConnectOptionsCopy connect;
  if (int error = git_transport_remote_connect_options(&connect.options, owner_); error < 0) {
    return error;
  }
  RemoteSession* session = RemoteSession::FromCallbacks(connect.options.callbacks);
  if (session == nullptr) {
    git_error_set_str(GIT_ERROR_NET,
                      "http(s) remotes are served only for operations of lib/git (RemoteSession)");
    return -1;
  }
  SmartService service = SmartServiceOf(action);
  // An advertisement starts a conversation with the URL as configured; the requests after it
  // follow where a redirect took the advertisement.
  if (service.advertisement || base_url_.empty()) base_url_ = RepositoryBaseUrl(url);
  std::string request_url = service.advertisement
                                ? absl::StrCat(base_url_, "/info/refs?service=", service.name)
                                : absl::StrCat(base_url_, "/", service.name);

  curl_slist* raw_headers = nullptr;
  auto append = [&raw_headers](const std::string& header) {
    curl_slist* appended = curl_slist_append(raw_headers, header.c_str());
    if (appended != nullptr) raw_headers = appended;
    return appended != nullptr;
  };
  bool appended = true;
  for (size_t i = 0; i < connect.options.custom_headers.count; ++i) {
    appended = appended && append(connect.options.custom_headers.strings[i]);
  }
  if (service.advertisement) {
    appended = appended && append("Accept: */*");
  } else {
    appended = appended &&
               append(absl::StrCat("Content-Type: application/x-", service.name, "-request")) &&
               append(absl::StrCat("Accept: application/x-", service.name, "-result")) &&
               // No 100-continue round trip: git servers take the body right away.
               append("Expect:");
  }
  curl::Slist headers(raw_headers);
  if (!appended) {
    return session->Abort(absl::ResourceExhaustedError("out of memory building the request"));
  }

  const git_proxy_options& proxy = connect.options.proxy_opts;
  std::string proxy_url =
      proxy.type == GIT_PROXY_SPECIFIED && proxy.url != nullptr ? proxy.url : std::string();
  // GIT_PROXY_NONE (the default of lib/git's options) means none, not libcurl's environment.
  bool disable_proxy = proxy.type == GIT_PROXY_NONE;
  bool follow =
      service.advertisement && connect.options.follow_redirects != GIT_REMOTE_REDIRECT_NONE;

  auto stream =
      std::make_unique<HttpStream>(*this, *session, action, std::move(request_url),
                                   std::move(headers), std::move(proxy_url), disable_proxy, follow);
  stream->set_owner(interface());
  *out = stream.release()->interface();
  return 0;
}

int HttpStream::Write(const char* buffer, size_t length) {
  if (!is_post() || started_) {
    git_error_set_str(GIT_ERROR_NET, "cannot write to an HTTP request that was already sent");
    return -1;
  }
  request_body_.append(buffer, length);
  return 0;
}

int HttpStream::Read(char* buffer, size_t size, size_t* bytes_read) {
  *bytes_read = 0;
  if (!started_) {
    if (int error = Start(); error < 0) return error;
  }
  while (pending_offset_ == pending_.size() && !finished_) {
    if (int error = Pump(); error < 0) return error;
  }
  if (pending_offset_ == pending_.size()) {
    pending_.clear();
    pending_offset_ = 0;
    // The end of the answer; an error here cut it short.
    if (result_ != CURLE_OK) return session_.Abort(TransferError());
    return 0;
  }
  size_t count = std::min(size, pending_.size() - pending_offset_);
  std::memcpy(buffer, pending_.data() + pending_offset_, count);
  pending_offset_ += count;
  if (pending_offset_ == pending_.size()) {
    pending_.clear();
    pending_offset_ = 0;
  }
  *bytes_read = count;
  return 0;
}

int HttpStream::Start() {
  started_ = true;
  const AuthOptions& auth = session_.auth();
  using Clock = std::chrono::steady_clock;
  std::optional<long> remaining_ms;
  if (session_.deadline().has_value()) {
    auto remaining =
        std::chrono::duration_cast<std::chrono::milliseconds>(*session_.deadline() - Clock::now());
    if (remaining.count() <= 0) {
      return session_.Abort(absl::DeadlineExceededError("the operation's timeout passed"));
    }
    remaining_ms = static_cast<long>(remaining.count());
  }

  easy_ = curl::NewEasy();
  multi_ = subtransport_.multi();
  if (!easy_ || multi_ == nullptr) {
    return session_.Abort(absl::ResourceExhaustedError("out of memory starting a request"));
  }
  CURL* easy = easy_.get();
  bool https = absl::StartsWithIgnoreCase(url_, "https://");
  CURLcode set = CURLE_OK;
  auto option = [&set](CURLcode code) {
    if (set == CURLE_OK) set = code;
  };
  option(curl_easy_setopt(easy, CURLOPT_URL, url_.c_str()));
  option(curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https"));
  option(curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L));
  option(curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error_buffer_));
  option(curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &HttpStream::ReceiveBody));
  option(curl_easy_setopt(easy, CURLOPT_WRITEDATA, this));
  option(curl_easy_setopt(easy, CURLOPT_USERAGENT, kUserAgent));
  if (https) {
    // Verbose output goes to Trace only, which looks at TLS handshake messages and nothing else.
    option(curl_easy_setopt(easy, CURLOPT_DEBUGFUNCTION, &HttpStream::Trace));
    option(curl_easy_setopt(easy, CURLOPT_DEBUGDATA, this));
    option(curl_easy_setopt(easy, CURLOPT_VERBOSE, 1L));
  }
  option(curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers_.get()));
  if (is_post()) {
    option(curl_easy_setopt(easy, CURLOPT_POST, 1L));
    option(curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request_body_.data()));
    option(curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
                            static_cast<curl_off_t>(request_body_.size())));
  } else {
    option(curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L));
  }
  // As git does: redirects are followed for the ref advertisement only, and never from https
  // down to plain http unless that is allowed.
  option(curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, follow_redirects_ ? 1L : 0L));
  option(curl_easy_setopt(easy, CURLOPT_MAXREDIRS, static_cast<long>(kMaxRedirects)));
  option(curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR,
                          auth.allow_insecure_http ? "http,https" : "https"));

  const RemoteUrl& remote = session_.remote_url();
  std::string username = !auth.username.empty() ? auth.username : Unescape(easy, remote.user);
  std::string password = !auth.password.empty() ? auth.password : Unescape(easy, remote.password);
  // A bearer token travels in the Authorization header (RemoteSession's custom headers).
  if (auth.bearer_token.empty() && (!username.empty() || !password.empty())) {
    option(curl_easy_setopt(easy, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC)));
    option(curl_easy_setopt(easy, CURLOPT_USERNAME, username.c_str()));
    option(curl_easy_setopt(easy, CURLOPT_PASSWORD, password.c_str()));
  }

  if (https) {
    option(curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L));
    option(curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L));
    if (!auth.ca_pem.empty()) {
      // Only these CAs: the blob replaces the CA file, and the CA folder is turned off.
      curl_blob ca{const_cast<char*>(auth.ca_pem.data()), auth.ca_pem.size(), CURL_BLOB_COPY};
      option(curl_easy_setopt(easy, CURLOPT_CAINFO_BLOB, &ca));
      option(curl_easy_setopt(easy, CURLOPT_CAPATH, nullptr));
    }
    if (!auth.client_certificate_pem.empty()) {
      curl_blob certificate{const_cast<char*>(auth.client_certificate_pem.data()),
                            auth.client_certificate_pem.size(), CURL_BLOB_COPY};
      curl_blob key{const_cast<char*>(auth.client_key_pem.data()), auth.client_key_pem.size(),
                    CURL_BLOB_COPY};
      option(curl_easy_setopt(easy, CURLOPT_SSLCERT_BLOB, &certificate));
      option(curl_easy_setopt(easy, CURLOPT_SSLCERTTYPE, "PEM"));
      option(curl_easy_setopt(easy, CURLOPT_SSLKEY_BLOB, &key));
      option(curl_easy_setopt(easy, CURLOPT_SSLKEYTYPE, "PEM"));
    }
  }
  if (disable_proxy_) {
    option(curl_easy_setopt(easy, CURLOPT_PROXY, ""));
  } else if (!proxy_.empty()) {
    option(curl_easy_setopt(easy, CURLOPT_PROXY, proxy_.c_str()));
  }
  if (remaining_ms.has_value()) {
    // The deadline bounds the whole request: connecting to a black hole, a server that accepts
    // and then says nothing, and a transfer that stalls halfway. Pump also checks it between
    // waits, so the failure comes within a fraction of a second of the deadline.
    option(curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, *remaining_ms));
    option(curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, *remaining_ms));
  }
  if (set != CURLE_OK) {
    return session_.Abort(absl::InternalError(
        absl::StrCat("libcurl refused an option of the request: ", curl_easy_strerror(set))));
  }
  if (CURLMcode added = curl_multi_add_handle(multi_, easy); added != CURLM_OK) {
    return session_.Abort(absl::InternalError(
        absl::StrCat("libcurl cannot start the request: ", curl_multi_strerror(added))));
  }
  attached_ = true;
  return 0;
}

int HttpStream::Pump() {
  int running = 0;
  if (CURLMcode code = curl_multi_perform(multi_, &running); code != CURLM_OK) {
    return session_.Abort(
        absl::InternalError(absl::StrCat("libcurl failed: ", curl_multi_strerror(code))));
  }
  int queued = 0;
  while (CURLMsg* message = curl_multi_info_read(multi_, &queued)) {
    if (message->msg == CURLMSG_DONE && message->easy_handle == easy_.get()) {
      result_ = message->data.result;
      finished_ = true;
    }
  }
  if (finished_ && attached_) {
    // Detached now: the multi handle is free for the next request of the subtransport.
    curl_multi_remove_handle(multi_, easy_.get());
    attached_ = false;
  }
  if (!response_checked_ && (!pending_.empty() || finished_)) {
    if (finished_ && result_ != CURLE_OK) return session_.Abort(TransferError());
    response_checked_ = true;
    if (int error = CheckResponse(); error < 0) return error;
  }
  if (finished_ || pending_offset_ < pending_.size()) return 0;
  if (session_.deadline().has_value() && std::chrono::steady_clock::now() >= *session_.deadline()) {
    return session_.Abort(absl::DeadlineExceededError(
        absl::StrCat("the operation's timeout passed waiting for ", HostForMessages())));
  }
  int ready = 0;
  curl_multi_poll(multi_, nullptr, 0, 200, &ready);
  return 0;
}

std::string HttpStream::HostForMessages() const {
  const RemoteUrl& remote = session_.remote_url();
  return remote.port != 0 ? absl::StrCat(remote.host, ":", remote.port) : remote.host;
}

int HttpStream::CheckResponse() {
  long status = 0;
  curl_easy_getinfo(easy_.get(), CURLINFO_RESPONSE_CODE, &status);
  const AuthOptions& auth = session_.auth();
  std::string what =
      absl::StrCat("HTTP ", status, " for ", is_post() ? "POST " : "GET ", RedactUrl(url_));
  if (status == 401) {
    const RemoteUrl& remote = session_.remote_url();
    std::string username = !auth.username.empty() ? auth.username : remote.user;
    if (!auth.bearer_token.empty()) {
      return session_.Abort(absl::UnauthenticatedError(
          absl::StrCat("the server rejected the bearer token (", what, ")")));
    }
    if (username.empty() && auth.password.empty() && remote.password.empty()) {
      return session_.Abort(absl::UnauthenticatedError(absl::StrCat(
          "authentication required: the server asks for credentials and none are configured (",
          what, ")")));
    }
    return session_.Abort(absl::UnauthenticatedError(
        absl::StrCat("authentication failed: the server rejected the password of user ", username,
                     " (", what, ")")));
  }
  if (status == 403) {
    return session_.Abort(absl::PermissionDeniedError(
        absl::StrCat("the server refused access",
                     auth.bearer_token.empty() ? "" : " with the bearer token", " (", what, ")")));
  }
  if (status == 404) {
    return session_.Abort(
        absl::NotFoundError(absl::StrCat("no Git repository there (", what, ")")));
  }
  if (status >= 300 && status < 400) {
    return session_.Abort(absl::FailedPreconditionError(
        absl::StrCat("the server redirects (", what,
                     follow_redirects_ ? ", too many times or to plain HTTP"
                                       : "; Git follows redirects of the "
                                         "first request only",
                     ")")));
  }
  if (status >= 500) {
    return session_.Abort(absl::UnavailableError(absl::StrCat("the server failed (", what, ")")));
  }
  if (status != 200) {
    return session_.Abort(
        absl::UnavailableError(absl::StrCat("unexpected answer from the server (", what, ")")));
  }

  char* raw_content_type = nullptr;
  curl_easy_getinfo(easy_.get(), CURLINFO_CONTENT_TYPE, &raw_content_type);
  std::string content_type = raw_content_type != nullptr ? raw_content_type : "";
  std::string expected = absl::StrCat("application/x-", service_.name,
                                      service_.advertisement ? "-advertisement" : "-result");
  if (!absl::StartsWithIgnoreCase(content_type, expected)) {
    return session_.Abort(absl::FailedPreconditionError(
        absl::StrCat("the server does not speak Git's smart HTTP protocol there (", what,
                     " has Content-Type '", content_type, "', expected '", expected, "')")));
  }

  if (service_.advertisement) {
    char* raw_effective = nullptr;
    curl_easy_getinfo(easy_.get(), CURLINFO_EFFECTIVE_URL, &raw_effective);
    std::string effective = raw_effective != nullptr ? raw_effective : url_;
    if (effective != url_) {
      std::string suffix = absl::StrCat("/info/refs?service=", service_.name);
      if (!absl::EndsWith(effective, suffix)) {
        return session_.Abort(absl::FailedPreconditionError(absl::StrCat(
            "the server redirected to ", RedactUrl(effective), ", which is not a Git repository")));
      }
      subtransport_.set_base_url(effective.substr(0, effective.size() - suffix.size()));
    }
  }
  return 0;
}

absl::Status HttpStream::TransferError() const {
  std::string detail = error_buffer_[0] != '\0' ? error_buffer_ : curl_easy_strerror(result_);
  std::string host = HostForMessages();
  const AuthOptions& auth = session_.auth();
  std::string lower = absl::AsciiStrToLower(detail);
  switch (result_) {
    case CURLE_OPERATION_TIMEDOUT:
      return absl::DeadlineExceededError(
          absl::StrCat("the operation's timeout passed talking to ", host, " (", detail, ")"));
    case CURLE_PEER_FAILED_VERIFICATION:
      if (!auth.ca_pem.empty()) {
        return absl::UnauthenticatedError(
            absl::StrCat("the certificate of ", session_.remote_url().host,
                         " is not trusted by the configured CA: ", detail));
      }
      return absl::UnauthenticatedError(absl::StrCat(
          "the certificate of ", session_.remote_url().host,
          " is not trusted by the system's CAs (configure the server's CA): ", detail));
    case CURLE_SSL_CACERT_BADFILE:
      return absl::InvalidArgumentError(
          absl::StrCat("the CA bundle holds no usable PEM certificate (", detail, ")"));
    case CURLE_SSL_CERTPROBLEM:
      return absl::InvalidArgumentError(
          absl::StrCat("the TLS client certificate or its key cannot be used (", detail, ")"));
    case CURLE_TOO_MANY_REDIRECTS:
      return absl::FailedPreconditionError(
          absl::StrCat("more than ", kMaxRedirects, " redirects from ", host));
    case CURLE_UNSUPPORTED_PROTOCOL:
      return absl::FailedPreconditionError(absl::StrCat(
          "a redirect led to a protocol that is not allowed (https only, unless insecure HTTP is "
          "allowed): ",
          detail));
    default:
      break;
  }
  // A server that requires a client certificate ends the handshake with an alert (with TLS 1.3
  // the client sees it only on its first read). Its name may say why, or only "internal error":
  // then that the server asked for a certificate tells.
  bool tls_failure = result_ == CURLE_SSL_CONNECT_ERROR || result_ == CURLE_RECV_ERROR ||
                     result_ == CURLE_SEND_ERROR || absl::StrContains(lower, "alert");
  bool certificate_alert = false;
  for (absl::string_view alert :
       {"certificate required", "bad certificate", "unknown ca", "certificate unknown",
        "unsupported certificate", "certificate expired", "certificate revoked", "access denied"}) {
    certificate_alert = certificate_alert || absl::StrContains(lower, alert);
  }
  if (tls_failure && (certificate_alert || client_certificate_requested_)) {
    if (auth.client_certificate_pem.empty()) {
      return absl::UnauthenticatedError(absl::StrCat(
          host, " requires a TLS client certificate and none is configured (", detail, ")"));
    }
    return absl::UnauthenticatedError(
        absl::StrCat(host, " refused the TLS client certificate (", detail, ")"));
  }
  return absl::UnavailableError(absl::StrCat("cannot talk to ", host, ": ", detail));
}

int NewSubtransport(git_smart_subtransport** out, git_transport* owner, void* /*param*/) {
  auto subtransport = std::make_unique<HttpSubtransport>(owner);
  *out = subtransport.release()->interface();
  return 0;
}

int NewTransport(git_transport** out, git_remote* owner, void* param) {
  return git_transport_smart(out, owner, param);
}

}  // namespace

int RegisterHttpTransport() {
  // libgit2 keeps the address; rpc = 1: every request is a separate HTTP exchange.
  static git_smart_subtransport_definition definition{&NewSubtransport, 1, nullptr};
  // libgit2 appends "://" itself, whatever its header says about the argument.
  for (const char* scheme : {"http", "https"}) {
    if (int error = git_transport_register(scheme, &NewTransport, &definition); error < 0) {
      return error;
    }
  }
  return 0;
}

}  // namespace fluxcpp::git
