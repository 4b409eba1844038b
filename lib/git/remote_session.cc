#include "lib/git/remote_session.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "lib/git/known_hosts.h"
#include "lib/git/libgit2.h"

namespace fluxcpp::git {

RemoteSession::RemoteSession(std::string url, const AuthOptions& auth)
    : url_(std::move(url)), redacted_url_(RedactUrl(url_)), auth_(auth) {
  EnsureLibgit2();
  status_ = ValidateAuth(url_, auth_);
  if (!status_.ok()) return;
  absl::StatusOr<RemoteUrl> parsed = ParseRemoteUrl(url_);
  if (!parsed.ok()) {
    status_ = parsed.status();
    return;
  }
  parsed_ = *std::move(parsed);
  if (!auth_.bearer_token.empty() && parsed_.scheme != "ssh") {
    headers_.push_back(absl::StrCat("Authorization: Bearer ", auth_.bearer_token));
  }
  for (std::string& header : headers_) header_pointers_.push_back(header.data());
  headers_array_.strings = header_pointers_.data();
  headers_array_.count = header_pointers_.size();
}

void RemoteSession::FillCallbacks(git_remote_callbacks& callbacks) {
  callbacks.credentials = &RemoteSession::Credentials;
  callbacks.certificate_check = &RemoteSession::CertificateCheck;
  callbacks.push_update_reference = &RemoteSession::PushUpdateReference;
  if (deadline_.has_value()) {
    callbacks.transfer_progress = &RemoteSession::TransferProgress;
    callbacks.sideband_progress = &RemoteSession::SidebandProgress;
  }
  callbacks.payload = this;
}

RemoteSession* RemoteSession::FromCallbacks(const git_remote_callbacks& callbacks) {
  // Only FillCallbacks installs this credentials callback, and it sets the payload with it.
  if (callbacks.credentials != &RemoteSession::Credentials) return nullptr;
  return static_cast<RemoteSession*>(callbacks.payload);
}

int RemoteSession::Fail(absl::Status status) {
  failure_ = std::move(status);
  // libgit2 keeps the callback's error when one is set; ours replaces it in Error() anyway.
  git_error_set_str(GIT_ERROR_CALLBACK, std::string(failure_->message()).c_str());
  return GIT_EUSER;
}

int RemoteSession::Credentials(git_credential** out, const char* /*url*/,
                               const char* username_from_url, unsigned int allowed_types,
                               void* payload) {
  auto& session = *static_cast<RemoteSession*>(payload);
  if (int expired = session.CheckDeadline(); expired != 0) return expired;
  const AuthOptions& auth = session.auth_;
  if (session.parsed_.scheme == "ssh") {
    std::string user = username_from_url != nullptr && username_from_url[0] != '\0'
                           ? username_from_url
                           : (session.parsed_.user.empty() ? "git" : session.parsed_.user);
    if (allowed_types & GIT_CREDENTIAL_USERNAME) {
      return git_credential_username_new(out, user.c_str());
    }
    if (!(allowed_types & (GIT_CREDENTIAL_SSH_KEY | GIT_CREDENTIAL_SSH_MEMORY))) {
      return session.Fail(absl::UnauthenticatedError(absl::StrCat(
          "the SSH server does not accept public-key authentication for user ", user)));
    }
    if (++session.credential_attempts_ > 1) {
      return session.Fail(absl::UnauthenticatedError(
          absl::StrCat("the SSH server refused the private key for user ", user,
                       " (is its public key authorized for this repository?)")));
    }
    int error = git_credential_ssh_key_memory_new(
        out, user.c_str(), nullptr, auth.ssh_private_key.c_str(),
        auth.ssh_passphrase.empty() ? nullptr : auth.ssh_passphrase.c_str());
    if (error < 0) {
      return session.Fail(absl::InvalidArgumentError(
          absl::StrCat("the SSH private key cannot be used: ", LastErrorMessage(error))));
    }
    return 0;
  }

  // http(s) credentials are the libcurl transport's (http_transport.cc); it never asks here.
  return GIT_PASSTHROUGH;
}

int RemoteSession::CertificateCheck(git_cert* certificate, int valid, const char* host,
                                    void* payload) {
  auto& session = *static_cast<RemoteSession*>(payload);
  std::string host_name = host != nullptr ? host : session.parsed_.host;
  if (certificate->cert_type == GIT_CERT_HOSTKEY_LIBSSH2) {
    const auto* hostkey = reinterpret_cast<const git_cert_hostkey*>(certificate);
    PresentedHostKey key;
    if (hostkey->type & GIT_CERT_SSH_RAW) {
      key.blob.assign(hostkey->hostkey, hostkey->hostkey_len);
    } else if (hostkey->type & GIT_CERT_SSH_SHA256) {
      key.sha256.assign(reinterpret_cast<const char*>(hostkey->hash_sha256),
                        sizeof(hostkey->hash_sha256));
    } else {
      return session.Fail(absl::UnauthenticatedError(absl::StrCat(
          "host key verification failed for ", host_name, ": the transport gave no host key")));
    }
    absl::Status verified =
        VerifyHostKey(session.auth_.known_hosts, session.parsed_.host, session.parsed_.port, key);
    return verified.ok() ? 0 : session.Fail(std::move(verified));
  }
  // HTTPS certificates are verified by libcurl in the transport, which does not call back here.
  return valid ? 0 : GIT_PASSTHROUGH;
}

int RemoteSession::CheckDeadline() {
  if (!deadline_.has_value() || std::chrono::steady_clock::now() < *deadline_) return 0;
  return Fail(absl::DeadlineExceededError("the operation's timeout passed"));
}

int RemoteSession::TransferProgress(const git_indexer_progress* /*progress*/, void* payload) {
  return static_cast<RemoteSession*>(payload)->CheckDeadline();
}

int RemoteSession::SidebandProgress(const char* /*text*/, int /*length*/, void* payload) {
  return static_cast<RemoteSession*>(payload)->CheckDeadline();
}

int RemoteSession::PushUpdateReference(const char* refname, const char* status, void* payload) {
  auto& session = *static_cast<RemoteSession*>(payload);
  if (status != nullptr) session.rejected_refs_.push_back(absl::StrCat(refname, ": ", status));
  return 0;
}

std::string RemoteSession::Scrub(std::string text) const {
  std::vector<std::pair<std::string, std::string>> replacements;
  if (url_ != redacted_url_) replacements.emplace_back(url_, redacted_url_);
  for (const std::string* secret : {&auth_.password, &auth_.bearer_token, &auth_.ssh_passphrase,
                                    &auth_.client_key_pem, &parsed_.password}) {
    if (!secret->empty()) replacements.emplace_back(*secret, "<redacted>");
  }
  for (const auto& [from, to] : replacements) absl::StrReplaceAll({{from, to}}, &text);
  return text;
}

absl::Status RemoteSession::Error(int error, absl::string_view operation) const {
  if (failure_.has_value()) {
    return Error(failure_->code(), operation, failure_->message());
  }
  return Error(StatusCodeOf(error), operation, LastErrorMessage(error));
}

absl::Status RemoteSession::Error(absl::StatusCode code, absl::string_view operation,
                                  absl::string_view reason) const {
  return absl::Status(
      code, Scrub(absl::StrCat(operation, " ", redacted_url_, ": ", std::string(reason))));
}

}  // namespace fluxcpp::git
