#include "provider/flux/parse_revision.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <string>

#include "absl/status/status.h"
#include "provider/protocol/text.h"
#include "provider/values/type.h"
#include "provider/values/value.h"

namespace fluxcpp::provider::flux {
namespace {

using protocol::Cat;
using values::Type;
using values::Value;

// `text` in double quotes, with control characters and quotes escaped, for messages.
std::string Quote(std::string_view text) {
  return nlohmann::json(std::string(text))
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

constexpr size_t kSha1Digits = 40;
constexpr size_t kSha256Digits = 64;

bool IsHex(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isxdigit(static_cast<unsigned char>(c)) != 0;
  });
}

absl::Status Invalid(std::string_view revision, std::string_view reason) {
  return absl::InvalidArgumentError(
      Cat(Quote(revision), " is not a Flux revision: ", reason,
          "; expected <branch or tag>@sha1:<hex> (\"main@sha1:0123abc...\") or "
          "sha1:<hex> (sha256 also accepted)"));
}

// `<algorithm>:<hex>`; returns the hex.
absl::StatusOr<std::string> ParseDigest(std::string_view revision, std::string_view digest) {
  const size_t colon = digest.find(':');
  if (colon == std::string_view::npos) {
    return Invalid(revision, "the commit has no algorithm prefix such as \"sha1:\"");
  }
  const std::string_view algorithm = digest.substr(0, colon);
  const std::string_view hash = digest.substr(colon + 1);
  size_t max_digits = 0;
  if (algorithm == "sha1") {
    max_digits = kSha1Digits;
  } else if (algorithm == "sha256") {
    max_digits = kSha256Digits;
  } else {
    return Invalid(revision, Cat("unknown hash algorithm ", Quote(algorithm), " (sha1 or sha256)"));
  }
  if (!IsHex(hash)) return Invalid(revision, "the commit hash is not hexadecimal");
  // Abbreviated hashes are accepted (people paste them); longer ones cannot be of this algorithm.
  if (hash.size() > max_digits) {
    return Invalid(revision, Cat("a ", algorithm, " hash has at most ", max_digits,
                                 " hex digits, this one has ", hash.size()));
  }
  return std::string(hash);
}

class ParseRevisionFunction final : public protocol::Function {
 public:
  ParseRevisionFunction()
      : definition_{
            .name = "parse_revision",
            .parameters = {{
                .name = "revision",
                .type = Type::String(),
                .description = "A Flux revision, such as a GitRepository artifact's or a "
                               "Kustomization's lastAppliedRevision: \"main@sha1:<hex>\", "
                               "\"v1.0.1@sha1:<hex>\" or \"sha1:<hex>\".",
            }},
            .return_type = ResultType(),
            .summary = "Splits a Flux revision into its branch and commit SHA",
            .description =
                "Returns an object with `branch` (the branch or tag name; empty when "
                "the revision names a commit only) and `sha` (the commit hash).",
        } {}

  const protocol::FunctionDefinition& definition() const override { return definition_; }

  protocol::FunctionResult Call(const std::vector<Value>& arguments) const override {
    absl::StatusOr<std::string> text = arguments.at(0).AsString();
    if (!text.ok()) {
      return protocol::FunctionError{
          .text = Cat("Invalid value for \"revision\": ", text.status().message()), .argument = 0};
    }
    absl::StatusOr<Revision> revision = ParseRevision(*text);
    if (!revision.ok()) {
      return protocol::FunctionError{
          .text = Cat("Invalid value for \"revision\": ", revision.status().message()),
          .argument = 0};
    }
    return Value::Object({{"branch", Value::String(std::move(revision->branch))},
                          {"sha", Value::String(std::move(revision->sha))}});
  }

 private:
  static Type ResultType() {
    return Type::Object({{"branch", Type::String()}, {"sha", Type::String()}});
  }

  protocol::FunctionDefinition definition_;
};

}  // namespace

absl::StatusOr<Revision> ParseRevision(std::string_view revision) {
  if (revision.empty()) return Invalid(revision, "it is empty");
  const size_t at = revision.rfind('@');
  if (at != std::string_view::npos) {
    const std::string_view branch = revision.substr(0, at);
    if (branch.empty()) return Invalid(revision, "nothing comes before \"@\"");
    absl::StatusOr<std::string> sha = ParseDigest(revision, revision.substr(at + 1));
    if (!sha.ok()) return sha.status();
    return Revision{.branch = std::string(branch), .sha = *std::move(sha)};
  }
  // Flux before v2.0: `<branch>/<sha1>`, the branch possibly holding slashes itself.
  const size_t slash = revision.rfind('/');
  if (revision.find(':') == std::string_view::npos && slash != std::string_view::npos &&
      slash > 0 && revision.size() - slash - 1 == kSha1Digits &&
      IsHex(revision.substr(slash + 1))) {
    return Revision{.branch = std::string(revision.substr(0, slash)),
                    .sha = std::string(revision.substr(slash + 1))};
  }
  absl::StatusOr<std::string> sha = ParseDigest(revision, revision);
  if (!sha.ok()) return sha.status();
  return Revision{.branch = "", .sha = *std::move(sha)};
}

std::unique_ptr<protocol::Function> MakeParseRevisionFunction() {
  return std::make_unique<ParseRevisionFunction>();
}

}  // namespace fluxcpp::provider::flux
