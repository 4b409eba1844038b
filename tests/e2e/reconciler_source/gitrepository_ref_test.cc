// References other than a branch: a tag (annotated: the revision names the commit, not the tag
// object), a semver range that follows new tags, and a commit.
#include <catch2/catch.hpp>

#include "tests/e2e/reconciler_source/source_ground.h"

namespace fluxcpp::testing {
namespace {

using manifest::Json;
using reconciler::Outcome;

TEST_CASE("GitRepository tag, semver and commit references resolve") {
  SourceFixture fixture;
  PushableRepository repository("gitrepo-ref");
  std::string one = repository.Push({{"version.txt", "1.0.0\n"}}, "one");
  repository.Tag("v1.0.0", one, "release 1.0.0");
  std::string two = repository.Push({{"version.txt", "1.1.0\n"}}, "two");
  repository.Tag("v1.1.0", two);
  std::string three = repository.Push({{"version.txt", "2.0.0\n"}}, "three");
  repository.Tag("v2.0.0", three);

  fixture.CreateGitRepository("by-tag", {{"url", repository.urls().http_url},
                                         {"ref", {{"branch", "main"}, {"tag", "v1.0.0"}}}});
  REQUIRE(fixture.Reconcile("by-tag").kind == Outcome::Kind::kRequeueAfter);
  auto tagged = fixture.ArtifactOf("by-tag");
  CHECK(tagged.revision == "v1.0.0@sha1:" + one);
  CHECK(fixture.ArtifactFile(tagged, "version.txt") == "1.0.0\n");

  fixture.CreateGitRepository("by-semver",
                              {{"url", repository.urls().http_url}, {"ref", {{"semver", "^1.0"}}}});
  REQUIRE(fixture.Reconcile("by-semver").kind == Outcome::Kind::kRequeueAfter);
  CHECK(fixture.ArtifactOf("by-semver").revision == "v1.1.0@sha1:" + two);

  // A new matching tag moves the artifact; a non-matching one does not.
  std::string four = repository.Push({{"version.txt", "1.2.0\n"}}, "four");
  repository.Tag("v1.2.0", four);
  repository.Tag("v3.0.0", four);
  REQUIRE(fixture.Reconcile("by-semver").kind == Outcome::Kind::kRequeueAfter);
  auto moved = fixture.ArtifactOf("by-semver");
  CHECK(moved.revision == "v1.2.0@sha1:" + four);
  CHECK(fixture.ArtifactFile(moved, "version.txt") == "1.2.0\n");
  CHECK(fixture.StoredFiles("by-semver") == std::vector<std::string>{four + ".tar.gz"});

  fixture.CreateGitRepository("by-commit", {{"url", repository.urls().http_url},
                                            {"ref", {{"branch", "main"}, {"commit", two}}}});
  REQUIRE(fixture.Reconcile("by-commit").kind == Outcome::Kind::kRequeueAfter);
  auto pinned = fixture.ArtifactOf("by-commit");
  CHECK(pinned.revision == "main@sha1:" + two);
  CHECK(fixture.ArtifactFile(pinned, "version.txt") == "1.1.0\n");

  fixture.CreateGitRepository(
      "by-name", {{"url", repository.urls().http_url}, {"ref", {{"name", "refs/tags/v2.0.0"}}}});
  REQUIRE(fixture.Reconcile("by-name").kind == Outcome::Kind::kRequeueAfter);
  CHECK(fixture.ArtifactOf("by-name").revision == "refs/tags/v2.0.0@sha1:" + three);

  fixture.CreateGitRepository("no-match",
                              {{"url", repository.urls().http_url}, {"ref", {{"semver", ">=9"}}}});
  Outcome missing = fixture.Reconcile("no-match");
  CHECK(missing.kind == Outcome::Kind::kRetryWithBackoff);
  Json fetch_failed = fixture.Condition("no-match", "FetchFailed");
  CHECK(fetch_failed["reason"] == "GitOperationFailed");
  CHECK(fetch_failed["message"].get<std::string>().find(">=9") != std::string::npos);
}

}  // namespace
}  // namespace fluxcpp::testing
