// Which files reach the artifact: Flux's default exclusions, a .sourceignore in the repository
// (which replaces the defaults) and spec.ignore (which comes last and is recorded as
// status.observedIgnore).
#include <catch2/catch.hpp>

#include "tests/e2e/reconciler_source/source_ground.h"

namespace fluxcpp::testing {
namespace {

using manifest::Json;
using reconciler::Outcome;

TEST_CASE("GitRepository ignore rules: defaults, .sourceignore, spec.ignore") {
  SourceFixture fixture;
  PushableRepository repository("gitrepo-ignore");
  repository.Push({{"apps/app.yaml", "a\n"},
                   {"logo.png", "png\n"},
                   {".github/workflows/ci.yaml", "ci\n"},
                   {"docs/guide.md", "guide\n"},
                   {"README.md", "readme\n"}},
                  "first");
  fixture.CreateGitRepository("fleet",
                              {{"url", repository.urls().http_url}, {"ref", {{"branch", "main"}}}});
  REQUIRE(fixture.Reconcile("fleet").kind == Outcome::Kind::kRequeueAfter);
  CHECK(fixture.ArtifactFiles(fixture.ArtifactOf("fleet")) ==
        std::vector<std::string>{"README.md", "apps/app.yaml", "docs/guide.md"});
  CHECK(!fixture.Get("fleet").json()["status"].contains("observedIgnore"));

  // A .sourceignore of its own: the defaults no longer apply, its patterns do.
  repository.Push({{".sourceignore", "*.md\n!README.md\n"}, {"docs/.sourceignore", "!*.md\n"}},
                  "sourceignore");
  REQUIRE(fixture.Reconcile("fleet").kind == Outcome::Kind::kRequeueAfter);
  CHECK(fixture.ArtifactFiles(fixture.ArtifactOf("fleet")) ==
        std::vector<std::string>{".github/workflows/ci.yaml", ".sourceignore", "README.md",
                                 "apps/app.yaml", "docs/.sourceignore", "docs/guide.md",
                                 "logo.png"});

  // spec.ignore is applied after the repository's rules, on the same commit.
  std::string revision = fixture.ArtifactOf("fleet").revision;
  fixture.PatchGitRepository("fleet", {{"spec", {{"ignore", "/apps/\n.github/\n*.png\n"}}}});
  REQUIRE(fixture.Reconcile("fleet").kind == Outcome::Kind::kRequeueAfter);
  auto artifact = fixture.ArtifactOf("fleet");
  CHECK(artifact.revision == revision);
  CHECK(fixture.ArtifactFiles(artifact) == std::vector<std::string>{".sourceignore", "README.md",
                                                                    "docs/.sourceignore",
                                                                    "docs/guide.md"});
  CHECK(fixture.Get("fleet").json()["status"]["observedIgnore"] == "/apps/\n.github/\n*.png\n");
}

}  // namespace
}  // namespace fluxcpp::testing
