// Redirects as git follows them: the ref advertisement (the first request) may be redirected, and
// the requests after it go to where it ended up; the ground's /moved-git/ answers every request
// with 301, so a push through it only works if its POSTs went to the new place directly.
#include <catch2/catch.hpp>

#include "absl/strings/str_replace.h"
#include "lib/git/repository.h"
#include "tests/e2e/git/git_ground.h"
#include "tests/e2e/support/ground.h"

namespace fluxcpp::git {
namespace {

using fluxcpp::testing::CommitAndPush;
using fluxcpp::testing::GroundEnv;
using fluxcpp::testing::NewGroundRepository;
using fluxcpp::testing::ReadTextFile;
using fluxcpp::testing::RunGround;
using fluxcpp::testing::ScratchDirectory;

TEST_CASE("a repository that moved is cloned, pushed and listed through the redirect") {
  auto repository = NewGroundRepository("https-moved");
  std::string moved_url =
      absl::StrReplaceAll(repository.public_https_url, {{"/public-git/", "/moved-git/"}});
  REQUIRE(moved_url != repository.public_https_url);
  AuthOptions auth;
  auth.ca_pem = ReadTextFile(GroundEnv("GIT_CA_FILE"));
  ScratchDirectory scratch;
  auto clone = Repository::Clone(moved_url, scratch.path() + "/tree", {.auth = auth});
  INFO(clone.status().ToString());
  REQUIRE(clone.ok());
  const std::string pushed = CommitAndPush(**clone, "moved.txt");
  CHECK(RunGround({"read", repository.name, "main", "moved.txt"}) == "moved.txt\n");
  auto listed = LsRemote(moved_url, "main", auth);
  INFO(listed.status().ToString());
  REQUIRE(listed.ok());
  CHECK(*listed == pushed);
}

}  // namespace
}  // namespace fluxcpp::git
