#include "lib/git/url.h"

#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "lib/git/auth.h"

namespace fluxcpp::git {
namespace {

int DefaultPort(absl::string_view scheme) {
  if (scheme == "ssh") return 22;
  if (scheme == "https") return 443;
  if (scheme == "http") return 80;
  return 0;
}

// Splits "user:password@host:port" into its parts.
absl::Status SplitAuthority(absl::string_view authority, absl::string_view original,
                            RemoteUrl& url) {
  size_t at = authority.rfind('@');
  if (at != absl::string_view::npos) {
    absl::string_view user_info = authority.substr(0, at);
    authority.remove_prefix(at + 1);
    size_t colon = user_info.find(':');
    url.user = std::string(user_info.substr(0, colon));
    if (colon != absl::string_view::npos) url.password = std::string(user_info.substr(colon + 1));
  }
  absl::string_view port;
  if (absl::StartsWith(authority, "[")) {
    size_t close = authority.find(']');
    if (close == absl::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat(RedactUrl(original), ": unbalanced '[' in the host"));
    }
    url.host = std::string(authority.substr(1, close - 1));
    absl::string_view rest = authority.substr(close + 1);
    if (absl::StartsWith(rest, ":")) port = rest.substr(1);
  } else {
    size_t colon = authority.rfind(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != absl::string_view::npos) port = authority.substr(colon + 1);
  }
  if (url.host.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(RedactUrl(original), ": no host"));
  }
  url.port = DefaultPort(url.scheme);
  if (!port.empty() && (!absl::SimpleAtoi(port, &url.port) || url.port <= 0 || url.port > 65535)) {
    return absl::InvalidArgumentError(
        absl::StrCat(RedactUrl(original), ": invalid port '", port, "'"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<RemoteUrl> ParseRemoteUrl(absl::string_view url) {
  RemoteUrl result;
  size_t separator = url.find("://");
  if (separator == absl::string_view::npos) {
    if (absl::StartsWith(url, "/") || absl::StartsWith(url, ".")) {
      result.scheme = "file";
      result.path = std::string(url);
      return result;
    }
    // scp-like: [user@]host:path, where the host part has no slash.
    size_t colon = url.find(':');
    size_t slash = url.find('/');
    if (colon == absl::string_view::npos || (slash != absl::string_view::npos && slash < colon)) {
      return absl::InvalidArgumentError(
          absl::StrCat(RedactUrl(url),
                       ": not a Git URL (expected ssh://, https://, http:// or user@host:path)"));
    }
    result.scheme = "ssh";
    absl::string_view authority = url.substr(0, colon);
    size_t at = authority.rfind('@');
    if (at != absl::string_view::npos) {
      result.user = std::string(authority.substr(0, at));
      authority.remove_prefix(at + 1);
    }
    result.host = std::string(authority);
    result.port = 22;
    result.path = std::string(url.substr(colon + 1));
    if (result.host.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(RedactUrl(url), ": no host"));
    }
    return result;
  }
  result.scheme = absl::AsciiStrToLower(url.substr(0, separator));
  absl::string_view rest = url.substr(separator + 3);
  if (result.scheme == "file") {
    result.path = std::string(rest);
    return result;
  }
  if (result.scheme != "ssh" && result.scheme != "https" && result.scheme != "http") {
    return absl::InvalidArgumentError(absl::StrCat(RedactUrl(url), ": unsupported scheme '",
                                                   result.scheme,
                                                   "' (expected ssh, https, http or file)"));
  }
  size_t slash = rest.find('/');
  absl::string_view authority = rest.substr(0, slash);
  if (slash != absl::string_view::npos) result.path = std::string(rest.substr(slash));
  if (absl::Status status = SplitAuthority(authority, url, result); !status.ok()) return status;
  return result;
}

}  // namespace fluxcpp::git
