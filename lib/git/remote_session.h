// One conversation with a remote: the libgit2 callbacks that hand out credentials, verify the SSH
// host key, and record rejected refs, plus the errors of the conversation with the URL redacted and
// secrets scrubbed. For http(s) remotes the session is also what the libcurl transport
// (http_transport.h) reads its settings from: it finds the session as the payload of the callbacks
// filled here; so does the SSH transport (ssh_transport.h). Private to lib/git.
//
// Not thread-safe, not movable (libgit2 holds its address as the callbacks' payload); make one per
// operation.
#pragma once

#include <git2.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "lib/git/auth.h"
#include "lib/git/url.h"

namespace fluxcpp::git {

class RemoteSession {
 public:
  RemoteSession(std::string url, const AuthOptions& auth);
  RemoteSession(const RemoteSession&) = delete;
  RemoteSession& operator=(const RemoteSession&) = delete;

  // Whether the URL and the options can be used together; check before connecting.
  const absl::Status& status() const { return status_; }
  const std::string& redacted_url() const { return redacted_url_; }

  // After `deadline`, the operation fails with kDeadlineExceeded. The transports (libcurl for
  // http(s), libssh2 for SSH) bound connecting, the handshakes, waiting and transferring by it, so
  // a silent or black-holed server fails on time.
  void SetDeadline(std::optional<std::chrono::steady_clock::time_point> deadline) {
    deadline_ = deadline;
  }
  const std::optional<std::chrono::steady_clock::time_point>& deadline() const { return deadline_; }
  const AuthOptions& auth() const { return auth_; }
  const RemoteUrl& remote_url() const { return parsed_; }

  // The session whose FillCallbacks filled `callbacks`, or nullptr when they are someone else's.
  static RemoteSession* FromCallbacks(const git_remote_callbacks& callbacks);

  // Records `status` as the reason this conversation failed (Error reports it) and returns the
  // libgit2 code that aborts the operation. For the transport, which finds the reasons itself.
  int Abort(absl::Status status) { return Fail(std::move(status)); }

  // Points the callbacks (and their payload) at this session.
  void FillCallbacks(git_remote_callbacks& callbacks);
  // Extra HTTP headers (the bearer token), for fetch, push and connect options.
  const git_strarray& custom_headers() const { return headers_array_; }

  // Refs the server refused in the last push, as "refs/heads/main: <reason>".
  const std::vector<std::string>& rejected_refs() const { return rejected_refs_; }

  // The error of a failed libgit2 call in this conversation: "<operation> <url>: <reason>", where
  // the reason is this session's own finding (host key, certificate, credentials) when it has one,
  // else libgit2's message. Never holds a secret.
  absl::Status Error(int error, absl::string_view operation) const;
  // Same form for a reason found by the caller.
  absl::Status Error(absl::StatusCode code, absl::string_view operation,
                     absl::string_view reason) const;

 private:
  static int Credentials(git_credential** out, const char* url, const char* username_from_url,
                         unsigned int allowed_types, void* payload);
  static int CertificateCheck(git_cert* certificate, int valid, const char* host, void* payload);
  static int TransferProgress(const git_indexer_progress* progress, void* payload);
  static int SidebandProgress(const char* text, int length, void* payload);
  // Fails the operation when the deadline passed; 0 otherwise.
  int CheckDeadline();
  static int PushUpdateReference(const char* refname, const char* status, void* payload);

  int Fail(absl::Status status);
  std::string Scrub(std::string text) const;

  std::string url_;
  std::string redacted_url_;
  const AuthOptions& auth_;
  RemoteUrl parsed_;
  absl::Status status_;
  int credential_attempts_ = 0;
  std::optional<absl::Status> failure_;
  std::optional<std::chrono::steady_clock::time_point> deadline_;
  std::vector<std::string> rejected_refs_;
  std::vector<std::string> headers_;
  std::vector<char*> header_pointers_;
  git_strarray headers_array_{nullptr, 0};
};

}  // namespace fluxcpp::git
