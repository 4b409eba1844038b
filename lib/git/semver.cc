#include "lib/git/semver.h"

#include <charconv>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace fluxcpp::git {
namespace {

using Comparison = VersionConstraint::Comparison;
using Operator = Comparison::Operator;

// Splits at every occurrence of `separator` (absl::StrSplit takes absl's own string_view here).
std::vector<std::string> Split(std::string_view text, std::string_view separator) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t at = text.find(separator, start);
    parts.emplace_back(text.substr(start, at == std::string_view::npos ? at : at - start));
    if (at == std::string_view::npos) return parts;
    start = at + separator.size();
  }
}

bool IsDigits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return absl::ascii_isdigit(static_cast<unsigned char>(c));
  });
}

bool ParseNumber(std::string_view text, uint64_t& out) {
  if (!IsDigits(text)) return false;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  return error == std::errc() && end == text.data() + text.size();
}

bool IsIdentifier(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-';
  });
}

// Semantic Versioning 2.0.0 §11: numeric identifiers compare as numbers and sort before
// alphanumeric ones; a longer list wins when one is a prefix of the other.
std::strong_ordering ComparePrerelease(const std::vector<std::string>& a,
                                       const std::vector<std::string>& b) {
  if (a.empty() || b.empty()) {
    // No pre-release ranks above any pre-release.
    return a.empty() <=> b.empty();
  }
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    bool a_numeric = IsDigits(a[i]);
    bool b_numeric = IsDigits(b[i]);
    if (a_numeric && b_numeric) {
      if (a[i].size() != b[i].size()) return a[i].size() <=> b[i].size();
      if (auto order = a[i].compare(b[i]) <=> 0; order != 0) return order;
    } else if (a_numeric != b_numeric) {
      return a_numeric ? std::strong_ordering::less : std::strong_ordering::greater;
    } else if (auto order = a[i].compare(b[i]) <=> 0; order != 0) {
      return order;
    }
  }
  return a.size() <=> b.size();
}

// A version as written in a constraint: components may be missing or wildcards ("1.2", "1.x").
struct PartialVersion {
  SemanticVersion version;  // missing components are 0
  int specified = 0;        // how many leading components are numbers (0..3)
};

absl::StatusOr<PartialVersion> ParsePartial(std::string_view text) {
  auto fail = [&text](std::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", std::string(text), "' is not a version: ", std::string(why)));
  };
  std::string_view rest = text;
  if (!rest.empty() && (rest.front() == 'v' || rest.front() == 'V')) rest.remove_prefix(1);
  std::string metadata;
  if (size_t plus = rest.find('+'); plus != std::string_view::npos) {
    metadata = std::string(rest.substr(plus + 1));
    rest = rest.substr(0, plus);
  }
  std::vector<std::string> prerelease;
  if (size_t dash = rest.find('-'); dash != std::string_view::npos) {
    for (const std::string& part : Split(rest.substr(dash + 1), ".")) {
      if (!IsIdentifier(part)) return fail("bad pre-release identifier");
      prerelease.emplace_back(part);
    }
    rest = rest.substr(0, dash);
  }
  std::vector<std::string> numbers = Split(rest, ".");
  if (rest.empty() || numbers.size() > 3) return fail("expected one to three numbers");
  PartialVersion partial;
  uint64_t* fields[] = {&partial.version.major, &partial.version.minor, &partial.version.patch};
  bool wildcard = false;
  for (size_t i = 0; i < numbers.size(); ++i) {
    const std::string& number = numbers[i];
    if (number == "x" || number == "X" || number == "*") {
      wildcard = true;
      continue;
    }
    if (wildcard) return fail("a number after a wildcard");
    if (!ParseNumber(number, *fields[i])) return fail("bad number");
    partial.specified = static_cast<int>(i) + 1;
  }
  partial.version.prerelease = std::move(prerelease);
  partial.version.metadata = std::move(metadata);
  return partial;
}

// The first version past the range a partial version covers: "1.2" → 1.3.0, "1" → 2.0.0.
SemanticVersion NextAfter(const PartialVersion& partial) {
  SemanticVersion next;
  if (partial.specified <= 1) {
    next.major = partial.version.major + 1;
  } else {
    next.major = partial.version.major;
    next.minor = partial.version.minor + 1;
  }
  return next;
}

// The lowest version a partial version covers: "1.2" → 1.2.0 (pre-release kept).
SemanticVersion Floor(const PartialVersion& partial) { return partial.version; }

// Appends the comparisons one constraint term stands for.
absl::Status Desugar(std::string_view op, const PartialVersion& partial,
                     std::vector<Comparison>& out) {
  const SemanticVersion& v = partial.version;
  bool full = partial.specified == 3;
  auto add = [&out](Operator o, SemanticVersion version) {
    out.push_back(Comparison{.op = o, .version = std::move(version)});
  };
  if (partial.specified == 0) {
    // "*": any version (pre-releases excluded, as for every comparison without one).
    if (op == "<" || op == "!=") {
      add(Operator::kLess, SemanticVersion{});  // nothing matches
    } else {
      add(Operator::kGreaterOrEqual, SemanticVersion{});
    }
    return absl::OkStatus();
  }
  if (op.empty() || op == "=") {
    if (full) {
      add(Operator::kEqual, v);
    } else {
      add(Operator::kGreaterOrEqual, Floor(partial));
      add(Operator::kLess, NextAfter(partial));
    }
  } else if (op == "!=") {
    if (full) {
      add(Operator::kNotEqual, v);
    } else {
      out.push_back(Comparison{
          .op = Operator::kNotEqual, .version = Floor(partial), .upper = NextAfter(partial)});
    }
  } else if (op == ">") {
    if (full) {
      add(Operator::kGreater, v);
    } else {
      add(Operator::kGreaterOrEqual, NextAfter(partial));
    }
  } else if (op == ">=" || op == "=>") {
    add(Operator::kGreaterOrEqual, Floor(partial));
  } else if (op == "<") {
    add(Operator::kLess, Floor(partial));
  } else if (op == "<=" || op == "=<") {
    if (full) {
      add(Operator::kLessOrEqual, v);
    } else {
      add(Operator::kLess, NextAfter(partial));
    }
  } else if (op == "~" || op == "~>") {
    add(Operator::kGreaterOrEqual, Floor(partial));
    SemanticVersion upper;
    if (partial.specified == 1) {
      upper.major = v.major + 1;
    } else {
      upper.major = v.major;
      upper.minor = v.minor + 1;
    }
    add(Operator::kLess, upper);
  } else if (op == "^") {
    add(Operator::kGreaterOrEqual, Floor(partial));
    SemanticVersion upper;
    // The left-most non-zero component may not change; with only zeros written, the last
    // written one may not.
    if (v.major > 0 || partial.specified == 1) {
      upper.major = v.major + 1;
    } else if (v.minor > 0 || partial.specified == 2) {
      upper.minor = v.minor + 1;
    } else {
      upper.patch = v.patch + 1;
    }
    add(Operator::kLess, upper);
  } else {
    return absl::InvalidArgumentError(absl::StrCat("unknown operator '", std::string(op), "'"));
  }
  return absl::OkStatus();
}

bool IsOperatorChar(char c) {
  return c == '=' || c == '!' || c == '<' || c == '>' || c == '~' || c == '^';
}

bool Holds(const Comparison& comparison, const SemanticVersion& version) {
  if (!version.prerelease.empty() && !comparison.prerelease_allowed) return false;
  auto order = version <=> comparison.version;
  switch (comparison.op) {
    case Operator::kEqual:
      return order == 0;
    case Operator::kNotEqual:
      if (comparison.upper.has_value()) return order < 0 || version >= *comparison.upper;
      return order != 0;
    case Operator::kLess:
      return order < 0;
    case Operator::kLessOrEqual:
      return order <= 0;
    case Operator::kGreater:
      return order > 0;
    case Operator::kGreaterOrEqual:
      return order >= 0;
  }
  return false;
}

}  // namespace

absl::StatusOr<SemanticVersion> SemanticVersion::Parse(std::string_view text) {
  absl::StatusOr<PartialVersion> partial = ParsePartial(text);
  if (!partial.ok()) return partial.status();
  // A version has no wildcards; missing minor and patch are zero ("1.2" is 1.2.0).
  std::string_view numbers = text;
  if (size_t cut = numbers.find_first_of("-+"); cut != std::string_view::npos) {
    numbers = numbers.substr(0, cut);
  }
  if (partial->specified == 0 || numbers.find_first_of("xX*") != std::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", std::string(text), "' is not a version: it has wildcards"));
  }
  return partial->version;
}

std::string SemanticVersion::ToString() const {
  std::string text = absl::StrCat(major, ".", minor, ".", patch);
  if (!prerelease.empty()) absl::StrAppend(&text, "-", absl::StrJoin(prerelease, "."));
  return text;
}

std::strong_ordering operator<=>(const SemanticVersion& a, const SemanticVersion& b) {
  if (auto order = a.major <=> b.major; order != 0) return order;
  if (auto order = a.minor <=> b.minor; order != 0) return order;
  if (auto order = a.patch <=> b.patch; order != 0) return order;
  return ComparePrerelease(a.prerelease, b.prerelease);
}

absl::StatusOr<VersionConstraint> VersionConstraint::Parse(std::string_view text) {
  auto fail = [&text](const absl::Status& why) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid semver constraint '", std::string(text), "': ", why.message()));
  };
  VersionConstraint constraint;
  for (const std::string& group_text : Split(text, "||")) {
    // Terms are separated by commas or spaces; an operator may stand apart from its version
    // (">= 1.2"), and " - " joins the two ends of a hyphen range.
    std::vector<std::string> tokens;
    std::string token;
    for (char c : group_text + " ") {
      if (c == ',' || c == ' ' || c == '\t') {
        if (!token.empty()) tokens.push_back(std::move(token));
        token.clear();
      } else {
        token.push_back(c);
      }
    }
    if (tokens.empty()) return fail(absl::InvalidArgumentError("an empty alternative"));
    std::vector<Comparison> group;
    for (size_t i = 0; i < tokens.size(); ++i) {
      std::string token = tokens[i];
      size_t op_end = 0;
      while (op_end < token.size() && IsOperatorChar(token[op_end])) ++op_end;
      std::string op = token.substr(0, op_end);
      std::string version_text = token.substr(op_end);
      if (version_text.empty()) {
        if (i + 1 >= tokens.size())
          return fail(absl::InvalidArgumentError("operator without version"));
        version_text = tokens[++i];
      }
      bool hyphen = op.empty() && i + 2 < tokens.size() && tokens[i + 1] == "-";
      absl::StatusOr<PartialVersion> low = ParsePartial(version_text);
      if (!low.ok()) return fail(low.status());
      size_t before = group.size();
      if (hyphen) {
        absl::StatusOr<PartialVersion> high = ParsePartial(tokens[i + 2]);
        if (!high.ok()) return fail(high.status());
        i += 2;
        if (absl::Status status = Desugar(">=", *low, group); !status.ok()) return fail(status);
        if (absl::Status status = Desugar("<=", *high, group); !status.ok()) return fail(status);
        bool allowed = !low->version.prerelease.empty() || !high->version.prerelease.empty();
        for (size_t k = before; k < group.size(); ++k) group[k].prerelease_allowed = allowed;
        continue;
      }
      if (absl::Status status = Desugar(op, *low, group); !status.ok()) return fail(status);
      for (size_t k = before; k < group.size(); ++k) {
        group[k].prerelease_allowed = !low->version.prerelease.empty();
      }
    }
    constraint.groups_.push_back(std::move(group));
  }
  return constraint;
}

bool VersionConstraint::Matches(const SemanticVersion& version) const {
  for (const std::vector<Comparison>& group : groups_) {
    bool all = true;
    for (const Comparison& comparison : group) {
      if (!Holds(comparison, version)) {
        all = false;
        break;
      }
    }
    if (all) return true;
  }
  return false;
}

std::optional<std::string> HighestMatchingTag(const std::vector<std::string>& tags,
                                              const VersionConstraint& constraint) {
  std::optional<std::string> best_tag;
  SemanticVersion best;
  for (const std::string& tag : tags) {
    absl::StatusOr<SemanticVersion> version = SemanticVersion::Parse(tag);
    if (!version.ok() || !constraint.Matches(*version)) continue;
    if (!best_tag.has_value() || *version >= best) {
      best = *version;
      best_tag = tag;
    }
  }
  return best_tag;
}

}  // namespace fluxcpp::git
