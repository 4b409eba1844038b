// Flux revisions, as GitRepository artifacts and Kustomization status report them:
// `<short ref>@<algorithm>:<hex>` ("main@sha1:0123…", "v1.0.1@sha1:…"), or `<algorithm>:<hex>` when
// no named ref was checked out. The algorithm is sha1 or sha256 (Git's object formats). The form
// Flux wrote before v2.0, `<branch>/<40 hex digits>`, is read too.
//
// And provider::flux::parse_revision(revision string) → object({branch = string, sha = string}),
// the provider function over it.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "provider/protocol/provider.h"

namespace fluxcpp::provider::flux {

struct Revision {
  // The short ref (a branch or a tag); empty when the revision names a commit only.
  std::string branch;
  // The commit hash, as written (without the algorithm).
  std::string sha;
  friend bool operator==(const Revision&, const Revision&) = default;
};

// Fails (InvalidArgument) with a message that quotes the input and shows the expected forms.
[[nodiscard]] absl::StatusOr<Revision> ParseRevision(std::string_view revision);

std::unique_ptr<protocol::Function> MakeParseRevisionFunction();

}  // namespace fluxcpp::provider::flux
