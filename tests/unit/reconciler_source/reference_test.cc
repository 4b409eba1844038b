#include <catch2/catch.hpp>

#include "lib/git/mirror.h"

namespace fluxcpp::git {
namespace {

const std::string kMain = std::string(40, 'a');
const std::string kDev = std::string(40, 'b');
const std::string kTagObject = std::string(40, 'c');
const std::string kTagged = std::string(40, 'd');
const std::string kPull = std::string(40, 'e');
const std::string kLight = std::string(40, 'f');

std::vector<RemoteRef> Refs() {
  return {{"HEAD", kMain, kMain},
          {"refs/heads/main", kMain, kMain},
          {"refs/heads/master", kDev, kDev},
          {"refs/heads/dev", kDev, kDev},
          {"refs/tags/v1.0.0", kTagObject, kTagged},
          {"refs/tags/v1.1.0", kLight, kLight},
          {"refs/tags/v2.0.0-rc.1", kPull, kPull},
          {"refs/pull/7/head", kPull, kPull}};
}

TEST_CASE("a branch resolves to its head with a branch revision") {
  auto resolved = ResolveReference({.branch = "main"}, Refs());
  REQUIRE(resolved.ok());
  CHECK(resolved->commit == kMain);
  CHECK(resolved->remote_ref == "refs/heads/main");
  CHECK(resolved->revision == "main@sha1:" + kMain);
}

TEST_CASE("no reference means branch master") {
  auto resolved = ResolveReference({}, Refs());
  REQUIRE(resolved.ok());
  CHECK(resolved->revision == "master@sha1:" + kDev);
}

TEST_CASE("an annotated tag resolves to the peeled commit") {
  auto resolved = ResolveReference({.branch = "main", .tag = "v1.0.0"}, Refs());
  REQUIRE(resolved.ok());
  CHECK(resolved->commit == kTagged);
  CHECK(resolved->remote_ref == "refs/tags/v1.0.0");
  CHECK(resolved->revision == "v1.0.0@sha1:" + kTagged);
}

TEST_CASE("semver wins over tag and branch and picks the highest match") {
  auto resolved = ResolveReference({.branch = "main", .tag = "v1.0.0", .semver = "^1"}, Refs());
  REQUIRE(resolved.ok());
  CHECK(resolved->revision == "v1.1.0@sha1:" + kLight);
  auto none = ResolveReference({.semver = ">=3"}, Refs());
  REQUIRE(!none.ok());
  CHECK(none.status().code() == absl::StatusCode::kNotFound);
  CHECK(std::string(none.status().message()).find(">=3") != std::string::npos);
}

TEST_CASE("name wins over semver and keeps the full ref in the revision") {
  auto resolved = ResolveReference({.semver = "^1", .name = "refs/pull/7/head"}, Refs());
  REQUIRE(resolved.ok());
  CHECK(resolved->commit == kPull);
  CHECK(resolved->revision == "refs/pull/7/head@sha1:" + kPull);
  auto branch = ResolveReference({.name = "refs/heads/dev"}, Refs());
  REQUIRE(branch.ok());
  CHECK(branch->revision == "refs/heads/dev@sha1:" + kDev);
}

TEST_CASE("commit wins over everything; with a branch it fetches that branch") {
  std::string commit = std::string(40, '1');
  auto alone =
      ResolveReference({.tag = "v1.0.0", .name = "refs/heads/dev", .commit = commit}, Refs());
  REQUIRE(alone.ok());
  CHECK(alone->commit == commit);
  CHECK(alone->remote_ref.empty());
  CHECK(alone->revision == "sha1:" + commit);
  auto with_branch = ResolveReference({.branch = "dev", .commit = commit}, Refs());
  REQUIRE(with_branch.ok());
  CHECK(with_branch->remote_ref == "refs/heads/dev");
  CHECK(with_branch->revision == "dev@sha1:" + commit);
  CHECK(!ResolveReference({.commit = "abc"}, Refs()).ok());
}

TEST_CASE("missing refs are NotFound naming them") {
  auto branch = ResolveReference({.branch = "nope"}, Refs());
  REQUIRE(!branch.ok());
  CHECK(branch.status().code() == absl::StatusCode::kNotFound);
  CHECK(std::string(branch.status().message()).find("branch 'nope'") != std::string::npos);
  auto tag = ResolveReference({.tag = "v9"}, Refs());
  REQUIRE(!tag.ok());
  CHECK(std::string(tag.status().message()).find("tag 'v9'") != std::string::npos);
}

TEST_CASE("revision format") {
  CHECK(FormatRevision("refs/heads/feature/x", kMain) == "feature/x@sha1:" + kMain);
  CHECK(FormatRevision("refs/tags/v1", kMain) == "v1@sha1:" + kMain);
  CHECK(FormatRevision("", kMain) == "sha1:" + kMain);
}

}  // namespace
}  // namespace fluxcpp::git
