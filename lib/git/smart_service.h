// What the http and ssh subtransports run for each of libgit2's smart actions. Private to lib/git.
#pragma once

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

}  // namespace fluxcpp::git
