// What the http and ssh smart subtransports share: the service each libgit2 action runs, the copy
// of a remote's connect options, and the pairing of libgit2's C structs with their C++ owners.
// Private to lib/git.
#pragma once

#include <git2/sys/remote.h>
#include <git2/sys/transport.h>

namespace fluxcpp::git {

struct SmartService {
  const char* name;    // "git-upload-pack" or "git-receive-pack"
  bool advertisement;  // the first exchange, which lists the refs
};

inline SmartService SmartServiceOf(git_smart_service_t action) {
  switch (action) {
    case GIT_SERVICE_UPLOADPACK_LS:
      return {"git-upload-pack", true};
    case GIT_SERVICE_UPLOADPACK:
      return {"git-upload-pack", false};
    case GIT_SERVICE_RECEIVEPACK_LS:
      return {"git-receive-pack", true};
    case GIT_SERVICE_RECEIVEPACK:
      return {"git-receive-pack", false};
  }
  return {"git-upload-pack", true};
}

// Disposes a copy of the connect options that git_transport_remote_connect_options made.
struct ConnectOptionsCopy {
  git_remote_connect_options options = GIT_REMOTE_CONNECT_OPTIONS_INIT;
  ConnectOptionsCopy() = default;
  ConnectOptionsCopy(const ConnectOptionsCopy&) = delete;
  ConnectOptionsCopy& operator=(const ConnectOptionsCopy&) = delete;
  ~ConnectOptionsCopy() { git_remote_connect_options_dispose(&options); }
};

// libgit2 hands back the address of the C interface struct; this pairs it with its C++ owner.
// Standard-layout, so a pointer to it is a pointer to `interface`.
template <typename Interface, typename Owner>
struct Binding {
  Interface interface;
  Owner* owner;
};

}  // namespace fluxcpp::git
