#include "lib/git/libgit2.h"

#include <cstdio>
#include <cstdlib>
#include <mutex>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "lib/curl/handles.h"
#include "lib/git/http_transport.h"
#include "lib/git/ssh_transport.h"

namespace fluxcpp::git {

void EnsureLibgit2() {
  static std::once_flag once;
  std::call_once(once, [] {
    git_libgit2_init();
    for (git_config_level_t level :
         {GIT_CONFIG_LEVEL_SYSTEM, GIT_CONFIG_LEVEL_XDG, GIT_CONFIG_LEVEL_GLOBAL}) {
      git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, level, "");
    }
    // http(s) goes through libcurl (client certificates, timeouts); see http_transport.h.
    curl::InitializeOnce();
    if (int error = RegisterHttpTransport(); error < 0) {
      // Only out of memory, or a second registration, which call_once rules out. Continuing
      // would silently drop client certificates and timeouts.
      std::fprintf(stderr, "lib/git: cannot register the HTTP transport: %s\n",
                   LastErrorMessage(error).c_str());
      std::abort();
    }
    // ssh:// and scp-like remotes go through libssh2 directly (deadlines, host key algorithms);
    // see ssh_transport.h.
    if (int error = RegisterSshTransport(); error < 0) {
      std::fprintf(stderr, "lib/git: cannot register the SSH transport: %s\n",
                   LastErrorMessage(error).c_str());
      std::abort();
    }
  });
}

absl::StatusCode StatusCodeOf(int error) {
  switch (error) {
    case GIT_EAUTH:
    case GIT_ECERTIFICATE:
      return absl::StatusCode::kUnauthenticated;
    case GIT_ENOTFOUND:
    case GIT_EUNBORNBRANCH:
      return absl::StatusCode::kNotFound;
    case GIT_EEXISTS:
      return absl::StatusCode::kAlreadyExists;
    case GIT_ENONFASTFORWARD:
    case GIT_ECONFLICT:
    case GIT_EMERGECONFLICT:
    case GIT_EMODIFIED:
    case GIT_ELOCKED:
      return absl::StatusCode::kAborted;
    case GIT_EINVALIDSPEC:
    case GIT_EINVALID:
    case GIT_EDIRECTORY:
      return absl::StatusCode::kInvalidArgument;
    case GIT_EOWNER:
      return absl::StatusCode::kPermissionDenied;
    default:
      break;
  }
  const git_error* last = git_error_last();
  if (last != nullptr) {
    if (last->klass == GIT_ERROR_SSH &&
        absl::StrContains(absl::AsciiStrToLower(last->message), "authenticat")) {
      return absl::StatusCode::kUnauthenticated;
    }
    if (last->klass == GIT_ERROR_NET || last->klass == GIT_ERROR_SSH ||
        last->klass == GIT_ERROR_HTTP || last->klass == GIT_ERROR_SSL) {
      return absl::StatusCode::kUnavailable;
    }
    if (last->klass == GIT_ERROR_OS) return absl::StatusCode::kUnavailable;
  }
  return absl::StatusCode::kInternal;
}

std::string LastErrorMessage(int error) {
  const git_error* last = git_error_last();
  if (last != nullptr && last->message != nullptr && last->message[0] != '\0') {
    return last->message;
  }
  return absl::StrCat("libgit2 error ", error);
}

absl::Status LocalError(int error, absl::string_view context) {
  return absl::Status(StatusCodeOf(error), absl::StrCat(context, ": ", LastErrorMessage(error)));
}

std::string OidToString(const git_oid& oid) {
  char text[GIT_OID_HEXSZ + 1];
  git_oid_tostr(text, sizeof(text), &oid);
  return text;
}

}  // namespace fluxcpp::git
