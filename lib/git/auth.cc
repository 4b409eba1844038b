#include "lib/git/auth.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "lib/git/url.h"

namespace fluxcpp::git {

std::string RedactUrl(absl::string_view url) {
  size_t separator = url.find("://");
  if (separator == absl::string_view::npos) {
    // scp-like user@host:path carries no password.
    return std::string(url);
  }
  size_t authority_start = separator + 3;
  size_t authority_end = url.find('/', authority_start);
  if (authority_end == absl::string_view::npos) authority_end = url.size();
  absl::string_view authority = url.substr(authority_start, authority_end - authority_start);
  size_t at = authority.rfind('@');
  if (at == absl::string_view::npos) return std::string(url);
  absl::string_view user_info = authority.substr(0, at);
  std::string kept;
  if (absl::StartsWithIgnoreCase(url, "ssh://")) {
    // An SSH user name is not a secret and tells which account was used; a password is.
    kept = absl::StrCat(user_info.substr(0, user_info.find(':')), "@");
  }
  return absl::StrCat(url.substr(0, authority_start), kept, authority.substr(at + 1),
                      url.substr(authority_end));
}

absl::Status ValidateAuth(absl::string_view url, const AuthOptions& auth) {
  absl::StatusOr<RemoteUrl> parsed = ParseRemoteUrl(url);
  if (!parsed.ok()) return parsed.status();
  std::string shown = RedactUrl(url);
  if (!auth.client_certificate_pem.empty() || !auth.client_key_pem.empty()) {
    if (auth.client_certificate_pem.empty() || auth.client_key_pem.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          shown, ": a TLS client certificate needs both the certificate and its private key"));
    }
    if (parsed->scheme != "https") {
      return absl::InvalidArgumentError(
          absl::StrCat(shown, ": a TLS client certificate can only be used with https:// URLs"));
    }
  }
  if (!auth.bearer_token.empty() && !auth.password.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(shown, ": give either a bearer token or a password, not both"));
  }
  if (parsed->scheme == "http" && !auth.allow_insecure_http) {
    return absl::InvalidArgumentError(absl::StrCat(
        shown,
        ": plain HTTP sends credentials and content unencrypted; use https:// or allow insecure "
        "HTTP explicitly"));
  }
  if (parsed->scheme == "ssh") {
    if (auth.ssh_private_key.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(shown, ": SSH needs a private key"));
    }
    if (auth.known_hosts.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(shown, ": SSH needs known_hosts to verify the host key of ", parsed->host));
    }
  }
  return absl::OkStatus();
}

}  // namespace fluxcpp::git
