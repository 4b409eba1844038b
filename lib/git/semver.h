// Semantic versions and version constraints as Flux reads them for GitRepository's
// `spec.ref.semver` (the Masterminds/semver v3 rules): tags such as "v1.2.3", "1.2" or
// "2.0.0-rc.1" are versions; constraints combine comparisons with "," or spaces (all must hold)
// and "||" (any group may hold). Supported: = != > < >= <= (and => =<), ~ (~> too), ^, x-ranges
// ("1.2.x", "1.*", "*", a partial "1.2"), hyphen ranges ("1.2 - 1.4.5").
//
// Pre-release versions only satisfy a comparison whose own version has a pre-release, so "^1.0"
// never picks "1.1.0-rc.1" but ">= 1.1.0-0" may.
//
// Pure values and functions; thread-safe.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace fluxcpp::git {

struct SemanticVersion {
  uint64_t major = 0;
  uint64_t minor = 0;
  uint64_t patch = 0;
  std::vector<std::string> prerelease;  // dot-separated identifiers after '-'
  std::string metadata;                 // after '+', ignored in comparisons

  // Lenient, as Masterminds' NewVersion: an optional "v", one to three numbers, then
  // "-pre.release" and "+metadata". The error names the text.
  [[nodiscard]] static absl::StatusOr<SemanticVersion> Parse(std::string_view text);
  std::string ToString() const;  // "1.2.3-rc.1" (no metadata)
  friend std::strong_ordering operator<=>(const SemanticVersion& a, const SemanticVersion& b);
  friend bool operator==(const SemanticVersion& a, const SemanticVersion& b) {
    return (a <=> b) == std::strong_ordering::equal;
  }
};

class VersionConstraint {
 public:
  // The error names the constraint and the part that does not parse.
  [[nodiscard]] static absl::StatusOr<VersionConstraint> Parse(std::string_view text);
  bool Matches(const SemanticVersion& version) const;

  // One comparison after desugaring: ~, ^, x-ranges and hyphens become pairs of these.
  struct Comparison {
    enum class Operator { kEqual, kNotEqual, kLess, kLessOrEqual, kGreater, kGreaterOrEqual };
    Operator op;
    SemanticVersion version;
    // For != of an x-range ("!= 1.2.x"): the excluded range is [version, upper).
    std::optional<SemanticVersion> upper;
    // Whether the term named a pre-release: only then may a pre-release version satisfy it.
    bool prerelease_allowed = false;
  };

 private:
  std::vector<std::vector<Comparison>> groups_;  // OR of ANDs
};

// The tag of `tags` whose version is the highest matching `constraint`, nullopt when none does.
// Tags that are not versions are skipped. Between equal versions the one listed last wins.
[[nodiscard]] std::optional<std::string> HighestMatchingTag(const std::vector<std::string>& tags,
                                                            const VersionConstraint& constraint);

}  // namespace fluxcpp::git
