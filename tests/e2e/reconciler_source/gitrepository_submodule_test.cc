// Submodules: without spec.recurseSubmodules a gitlink is an empty folder (nothing archived);
// with it, the reconciler says plainly that submodules are not supported yet.
#include <catch2/catch.hpp>

#include "tests/e2e/reconciler_source/source_ground.h"

namespace fluxcpp::testing {
namespace {

using manifest::Json;
using reconciler::Outcome;

TEST_CASE("GitRepository with a submodule") {
  SourceFixture fixture;
  PushableRepository repository("gitrepo-submodule");
  std::string first = repository.Push({{"app.yaml", "a: 1\n"}}, "first");
  // A gitlink can only be made with git itself; commit one in a clone of the server's repository.
  ScratchDirectory work;
  std::string git = "GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=true git -C '" + work.path() +
                    "/w' -c user.name=e2e -c user.email=e2e@example.com ";
  Shell("GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=true git clone -q '" +
        GroundEnv("FLUXCPP_GROUND") + "/git/repos/" + repository.urls().name + ".git' '" +
        work.path() + "/w'");
  work.Write(
      "w/.gitmodules",
      "[submodule \"vendor/lib\"]\n\tpath = vendor/lib\n\turl = https://example.com/lib.git\n");
  Shell(git + "update-index --add --cacheinfo 160000," + first + ",vendor/lib");
  Shell(git + "add .gitmodules");
  Shell(git + "commit -q -m submodule");
  Shell(git + "push -q origin HEAD:refs/heads/main");

  fixture.CreateGitRepository("plain",
                              {{"url", repository.urls().http_url}, {"ref", {{"branch", "main"}}}});
  REQUIRE(fixture.Reconcile("plain").kind == Outcome::Kind::kRequeueAfter);
  CHECK(fixture.ArtifactFiles(fixture.ArtifactOf("plain")) == std::vector<std::string>{"app.yaml"});

  fixture.CreateGitRepository("recursive", {{"url", repository.urls().http_url},
                                            {"ref", {{"branch", "main"}}},
                                            {"recurseSubmodules", true}});
  CHECK(fixture.Reconcile("recursive").kind == Outcome::Kind::kRetryWithBackoff);
  Json ready = fixture.Condition("recursive", "Ready");
  CHECK(ready["status"] == "False");
  std::string message = ready["message"];
  CHECK(message.find("vendor/lib") != std::string::npos);
  CHECK(message.find("submodules are not supported yet") != std::string::npos);
}

}  // namespace
}  // namespace fluxcpp::testing
