// libFuzzer target: the semver reading behind GitRepository's spec.ref.semver must return an
// error, never crash or hang, on any constraint or tag. The input is "constraint\ntag\ntag...";
// what parses is matched against every tag, and the highest match must itself match.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "lib/git/semver.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace git = fluxcpp::git;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  size_t newline = text.find('\n');
  std::string_view constraint_text = text.substr(0, newline);
  std::vector<std::string> tags;
  while (newline != std::string_view::npos) {
    size_t next = text.find('\n', newline + 1);
    tags.emplace_back(text.substr(
        newline + 1, next == std::string_view::npos ? std::string_view::npos : next - newline - 1));
    newline = next;
  }
  for (const std::string& tag : tags) {
    auto version = git::SemanticVersion::Parse(tag);
    if (version.ok()) {
      auto again = git::SemanticVersion::Parse(version->ToString());
      if (!again.ok() || !(*again == *version)) std::abort();  // ToString must read back equal
    }
  }
  auto constraint = git::VersionConstraint::Parse(constraint_text);
  if (!constraint.ok()) return 0;
  auto best = git::HighestMatchingTag(tags, *constraint);
  if (best.has_value()) {
    auto version = git::SemanticVersion::Parse(*best);
    if (!version.ok() || !constraint->Matches(*version)) std::abort();
  }
  return 0;
}
