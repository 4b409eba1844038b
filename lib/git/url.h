// Remote URLs as lib/git understands them: ssh://, scp-like user@host:path, https://, http://,
// file:// and local paths. Private to lib/git. Pure functions, thread-safe.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace fluxcpp::git {

struct RemoteUrl {
  std::string scheme;  // "ssh", "https", "http" or "file"
  std::string user;
  std::string password;
  std::string host;  // without brackets for IPv6 literals
  int port = 0;      // the scheme's default when the URL names none
  std::string path;
};

// Splits `url`; errors name the redacted URL.
absl::StatusOr<RemoteUrl> ParseRemoteUrl(absl::string_view url);

}  // namespace fluxcpp::git
