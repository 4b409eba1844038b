#include "lib/git/semver.h"

#include <catch2/catch.hpp>

namespace fluxcpp::git {
namespace {

bool Satisfies(const std::string& constraint, const std::string& version) {
  absl::StatusOr<VersionConstraint> parsed = VersionConstraint::Parse(constraint);
  REQUIRE(parsed.ok());
  absl::StatusOr<SemanticVersion> v = SemanticVersion::Parse(version);
  REQUIRE(v.ok());
  return parsed->Matches(*v);
}

TEST_CASE("versions parse leniently and order by semver precedence") {
  CHECK(SemanticVersion::Parse("v1.2.3")->ToString() == "1.2.3");
  CHECK(SemanticVersion::Parse("1.2")->ToString() == "1.2.0");
  CHECK(SemanticVersion::Parse("2")->ToString() == "2.0.0");
  CHECK(SemanticVersion::Parse("1.0.0-rc.1+build.5")->ToString() == "1.0.0-rc.1");
  CHECK(!SemanticVersion::Parse("latest").ok());
  CHECK(!SemanticVersion::Parse("1.2.3.4").ok());
  CHECK(!SemanticVersion::Parse("1.x").ok());
  auto v = [](const char* text) { return *SemanticVersion::Parse(text); };
  CHECK(v("1.0.0-alpha") < v("1.0.0-alpha.1"));
  CHECK(v("1.0.0-alpha.1") < v("1.0.0-alpha.beta"));
  CHECK(v("1.0.0-beta.2") < v("1.0.0-beta.11"));
  CHECK(v("1.0.0-rc.1") < v("1.0.0"));
  CHECK(v("1.9.0") < v("1.10.0"));
  CHECK(v("1.0.0+a") == v("1.0.0+b"));
}

TEST_CASE("comparison operators") {
  CHECK(Satisfies("=1.2.3", "1.2.3"));
  CHECK(Satisfies("1.2.3", "1.2.3"));
  CHECK_FALSE(Satisfies("1.2.3", "1.2.4"));
  CHECK(Satisfies("!=1.2.3", "1.2.4"));
  CHECK_FALSE(Satisfies("!=1.2.3", "1.2.3"));
  CHECK(Satisfies(">1.2.3", "1.2.4"));
  CHECK_FALSE(Satisfies(">1.2.3", "1.2.3"));
  CHECK(Satisfies(">= 1.2.3", "1.2.3"));
  CHECK(Satisfies("=>1.2.3", "1.3.0"));
  CHECK(Satisfies("<1.2.3", "1.2.2"));
  CHECK_FALSE(Satisfies("<1.2.3", "1.2.3"));
  CHECK(Satisfies("<=1.2.3", "1.2.3"));
  CHECK(Satisfies("=<1.2.3", "0.1.0"));
}

TEST_CASE("tilde and caret ranges") {
  CHECK(Satisfies("~1.2.3", "1.2.9"));
  CHECK_FALSE(Satisfies("~1.2.3", "1.3.0"));
  CHECK_FALSE(Satisfies("~1.2.3", "1.2.2"));
  CHECK(Satisfies("~1.2", "1.2.0"));
  CHECK(Satisfies("~>1", "1.9.9"));
  CHECK_FALSE(Satisfies("~1", "2.0.0"));
  CHECK(Satisfies("^1.2.3", "1.9.0"));
  CHECK_FALSE(Satisfies("^1.2.3", "2.0.0"));
  CHECK_FALSE(Satisfies("^1.2.3", "1.2.2"));
  CHECK(Satisfies("^0.2.3", "0.2.9"));
  CHECK_FALSE(Satisfies("^0.2.3", "0.3.0"));
  CHECK(Satisfies("^0.0.3", "0.0.3"));
  CHECK_FALSE(Satisfies("^0.0.3", "0.0.4"));
  CHECK(Satisfies("^0", "0.9.0"));
  CHECK_FALSE(Satisfies("^0", "1.0.0"));
  CHECK(Satisfies("^0.0", "0.0.7"));
  CHECK_FALSE(Satisfies("^0.0", "0.1.0"));
}

TEST_CASE("x-ranges, hyphen ranges, AND and OR") {
  CHECK(Satisfies("1.2.x", "1.2.7"));
  CHECK_FALSE(Satisfies("1.2.x", "1.3.0"));
  CHECK(Satisfies("1.*", "1.8.0"));
  CHECK(Satisfies("1.2", "1.2.5"));
  CHECK(Satisfies("*", "3.0.0"));
  CHECK(Satisfies(">1.x", "2.0.0"));
  CHECK_FALSE(Satisfies(">1.x", "1.9.0"));
  CHECK(Satisfies("<=1.2.x", "1.2.9"));
  CHECK_FALSE(Satisfies("<=1.2.x", "1.3.0"));
  CHECK_FALSE(Satisfies("!=1.2.x", "1.2.5"));
  CHECK(Satisfies("!=1.2.x", "1.3.0"));
  CHECK(Satisfies("1.2 - 1.4.5", "1.2.0"));
  CHECK(Satisfies("1.2 - 1.4.5", "1.4.5"));
  CHECK_FALSE(Satisfies("1.2 - 1.4.5", "1.4.6"));
  CHECK(Satisfies("1.2.3 - 2", "2.9.0"));
  CHECK_FALSE(Satisfies("1.2.3 - 2", "3.0.0"));
  CHECK(Satisfies(">=1.2, <1.4", "1.3.0"));
  CHECK_FALSE(Satisfies(">=1.2 <1.4", "1.4.0"));
  CHECK(Satisfies("<1.0 || >=2.1", "0.5.0"));
  CHECK(Satisfies("<1.0 || >=2.1", "2.1.0"));
  CHECK_FALSE(Satisfies("<1.0 || >=2.1", "1.5.0"));
}

TEST_CASE("pre-releases only match constraints that name one") {
  CHECK_FALSE(Satisfies(">=1.0.0", "1.1.0-rc.1"));
  CHECK_FALSE(Satisfies("^1.0", "1.1.0-rc.1"));
  CHECK(Satisfies(">=1.1.0-0", "1.1.0-rc.1"));
  CHECK(Satisfies("~1.2.3-beta", "1.2.4-beta.2"));
  CHECK(Satisfies("1.0.0-rc.1", "1.0.0-rc.1"));
}

TEST_CASE("constraints that do not parse name the problem") {
  for (const char* bad : {"", ">=", "1.2.3.4", "^foo", ">=1 ||", "%1.2"}) {
    absl::StatusOr<VersionConstraint> parsed = VersionConstraint::Parse(bad);
    INFO(bad);
    CHECK(!parsed.ok());
  }
}

TEST_CASE("the highest matching tag wins") {
  std::vector<std::string> tags = {"v1.0.0",      "v1.2.0", "v1.10.0",  "v2.0.0",
                                   "v2.1.0-rc.1", "latest", "release-3"};
  CHECK(HighestMatchingTag(tags, *VersionConstraint::Parse("1.x")) == "v1.10.0");
  CHECK(HighestMatchingTag(tags, *VersionConstraint::Parse(">=1.0.0")) == "v2.0.0");
  CHECK(HighestMatchingTag(tags, *VersionConstraint::Parse(">=2.1.0-0")) == "v2.1.0-rc.1");
  CHECK(HighestMatchingTag(tags, *VersionConstraint::Parse("<1.2.0")) == "v1.0.0");
  CHECK(!HighestMatchingTag(tags, *VersionConstraint::Parse(">=5")).has_value());
}

}  // namespace
}  // namespace fluxcpp::git
