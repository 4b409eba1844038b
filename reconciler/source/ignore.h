// Which files of a Git tree go into a GitRepository's artifact, as Flux's source-controller
// decides it: .gitignore-syntax patterns from the .sourceignore files of the tree (each applying
// below its own folder) followed by spec.ignore; when there are none at all, Flux's default
// exclusions; the VCS files (.git/, .gitignore, .gitmodules, .gitattributes) always.
//
// Matching follows Flux's matcher (go-git's gitignore): the last pattern that matches a path
// decides, a pattern matches a path when it matches the path or one of its folders, and so
// "!keep.yaml" after "dir/" re-includes dir/keep.yaml (plain git would not).
//
// Pure values; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "reconciler/artifact/storage.h"

namespace fluxcpp::reconciler::source {

struct IgnorePattern {
  std::vector<std::string> domain;  // the folder it applies below ("apps", "a/b"), split
  std::vector<std::string> parts;   // the pattern split at '/', without leading or trailing '/'
  bool negated = false;             // "!pattern"
  bool directory_only = false;      // "pattern/"
  bool anchored = false;            // had a '/' before its end: relative to the domain

  // Whether the pattern matches `path` (relative to the tree root, split at '/').
  bool Matches(const std::vector<std::string>& path, bool is_directory) const;
};

// The patterns of one .gitignore-syntax text: blank lines and "#" comments skipped, "\#" and "\!"
// escapes, trailing spaces trimmed unless escaped.
std::vector<IgnorePattern> ParseIgnorePatterns(std::string_view text,
                                               const std::vector<std::string>& domain = {});

// Flux's exclusions when a source has no ignore rules of its own (images, archives, CI files...).
std::vector<IgnorePattern> DefaultIgnorePatterns();
// .git/, .gitignore, .gitmodules, .gitattributes: never archived.
std::vector<IgnorePattern> VcsIgnorePatterns();

class IgnoreMatcher {
 public:
  explicit IgnoreMatcher(std::vector<IgnorePattern> patterns);
  // `relative_path` uses '/', without a leading "./".
  bool Ignored(std::string_view relative_path, bool is_directory) const;
  // An archive filter: files that are not ignored; folders are walked unless ignored with no
  // negation anywhere that could bring something below them back.
  artifact::PathFilter Filter() const;

 private:
  std::vector<IgnorePattern> patterns_;
  bool has_negations_ = false;
};

// The matcher Flux builds for a checked-out tree in `directory` (see the top of this file).
// The error names the .sourceignore file that cannot be read.
[[nodiscard]] absl::StatusOr<IgnoreMatcher> SourceIgnoreMatcher(
    const std::string& directory, const std::optional<std::string>& spec_ignore);

}  // namespace fluxcpp::reconciler::source
