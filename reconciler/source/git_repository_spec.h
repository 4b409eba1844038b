// The parts of a GitRepository (source.toolkit.fluxcd.io/v1) the reconciler reads: its spec,
// checked the way Flux's CRD validation and controller check it, and the authentication its
// spec.secretRef Secret describes (Flux's keys: identity, known_hosts, password for SSH;
// username, password, bearerToken, ca.crt / caFile, tls.crt, tls.key for HTTPS).
//
// Pure functions; thread-safe.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "lib/git/auth.h"
#include "lib/git/mirror.h"
#include "lib/manifest/object.h"

namespace fluxcpp::reconciler::source {

struct GitRepositorySpec {
  std::string url;
  std::chrono::milliseconds interval{0};
  std::chrono::milliseconds timeout{std::chrono::seconds(60)};
  git::SourceReference reference;     // all empty: branch master
  std::string secret_name;            // spec.secretRef.name, empty for none
  std::optional<std::string> ignore;  // spec.ignore
  bool suspend = false;
  bool recurse_submodules = false;
};

// kInvalidArgument naming the field ("spec.url ...", "spec.interval ...") when the spec cannot
// be reconciled as it is.
[[nodiscard]] absl::StatusOr<GitRepositorySpec> ParseGitRepositorySpec(
    const manifest::Json& object);

// The authentication for `url` from the Secret (its base64 `data`); errors name the Secret and
// the key ("Secret 'ns/name': ...").
[[nodiscard]] absl::StatusOr<git::AuthOptions> AuthFromSecret(const std::string& url,
                                                              const manifest::Object& secret);

}  // namespace fluxcpp::reconciler::source
