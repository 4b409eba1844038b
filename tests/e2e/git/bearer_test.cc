// Git over HTTPS with a bearer token: the ground's token path takes "Authorization: Bearer <token>"
// and refuses any other token with 403.
#include <catch2/catch.hpp>

#include "lib/git/mirror.h"
#include "lib/git/repository.h"
#include "tests/e2e/git/git_ground.h"
#include "tests/e2e/support/ground.h"

namespace fluxcpp::git {
namespace {

using fluxcpp::testing::CommitAndPush;
using fluxcpp::testing::GroundTokenAuth;
using fluxcpp::testing::NewGroundRepository;
using fluxcpp::testing::RunGround;
using fluxcpp::testing::ScratchDirectory;

TEST_CASE("clone, push, fetch and ls-remote with a bearer token") {
  auto repository = NewGroundRepository("https-token");
  ScratchDirectory scratch;
  auto clone = Repository::Clone(repository.token_url, scratch.path() + "/tree",
                                 {.auth = GroundTokenAuth()});
  INFO(clone.status().ToString());
  REQUIRE(clone.ok());
  const std::string pushed = CommitAndPush(**clone, "token.txt");
  CHECK(RunGround({"read", repository.name, "main", "token.txt"}) == "token.txt\n");
  auto fetched = (*clone)->Fetch();
  REQUIRE(fetched.ok());
  CHECK(*fetched == pushed);
  auto listed = LsRemote(repository.token_url, "main", GroundTokenAuth());
  REQUIRE(listed.ok());
  CHECK(*listed == pushed);
  CHECK(CheckPushAccess(repository.token_url, GroundTokenAuth()).ok());
}

TEST_CASE("a bearer token the server refuses is reported without showing it") {
  auto repository = NewGroundRepository("https-token-wrong");
  AuthOptions auth = GroundTokenAuth();
  auth.bearer_token = "not-the-token-1a2b3c";
  auto listed = LsRemote(repository.token_url, "main", auth);
  REQUIRE_FALSE(listed.ok());
  INFO(listed.status().ToString());
  CHECK(listed.status().code() == absl::StatusCode::kPermissionDenied);
  CHECK_THAT(std::string(listed.status().message()),
             Catch::Contains(repository.token_url) && Catch::Contains("bearer token") &&
                 Catch::Contains("HTTP 403") && !Catch::Contains("not-the-token-1a2b3c"));
}

}  // namespace
}  // namespace fluxcpp::git
