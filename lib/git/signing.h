// Private to lib/git: the OpenPGP context that signs commits.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "lib/git/repository.h"
#include "lib/openpgp/openpgp.h"

namespace fluxcpp::git {

// A context holding `signing`'s key ring with its signing key chosen; errors start with
// `operation`.
absl::StatusOr<std::unique_ptr<openpgp::Context>> MakeSigner(const SigningOptions& signing,
                                                             const std::string& operation);

}  // namespace fluxcpp::git
