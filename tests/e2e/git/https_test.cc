// Clone, commit and push over HTTPS with the ground's own CA and basic auth, over plain HTTP only
// when allowed, and the refusals: wrong password, untrusted server, rejected token. No error may
// hold a secret.
#include <catch2/catch.hpp>

#include "absl/strings/str_cat.h"
#include "lib/git/repository.h"
#include "tests/e2e/git/git_ground.h"
#include "tests/e2e/support/ground.h"

namespace fluxcpp::git {
namespace {

using fluxcpp::testing::CommitAndPush;
using fluxcpp::testing::GroundEnv;
using fluxcpp::testing::GroundHttpsAuth;
using fluxcpp::testing::NewGroundRepository;
using fluxcpp::testing::ReadTextFile;
using fluxcpp::testing::RunGround;
using fluxcpp::testing::ScratchDirectory;
using fluxcpp::testing::Shell;

void CheckHoldsNoSecret(const absl::Status& status, const std::vector<std::string>& secrets) {
  for (const std::string& secret : secrets) {
    CHECK_THAT(std::string(status.message()), !Catch::Contains(secret));
  }
}

TEST_CASE("clone, commit and push over HTTPS with the server's CA and basic auth") {
  auto repository = NewGroundRepository("https-push");
  ScratchDirectory scratch;
  auto clone = Repository::Clone(repository.https_url, scratch.path() + "/tree",
                                 {.auth = GroundHttpsAuth()});
  INFO(clone.status().ToString());
  REQUIRE(clone.ok());
  std::string sha = CommitAndPush(**clone, "from-https.txt");
  CHECK(RunGround({"read", repository.name, "main", "from-https.txt"}) == "from-https.txt\n");
  auto listed = LsRemote(repository.https_url, "main", GroundHttpsAuth());
  REQUIRE(listed.ok());
  CHECK(*listed == sha);
}

TEST_CASE("credentials in the URL are used and never shown") {
  auto repository = NewGroundRepository("https-url-credentials");
  AuthOptions auth;
  auth.ca_pem = ReadTextFile(GroundEnv("GIT_CA_FILE"));
  std::string host_and_path = repository.https_url.substr(std::string("https://").size());
  std::string good = absl::StrCat("https://", GroundEnv("GIT_USERNAME"), ":",
                                  GroundEnv("GIT_PASSWORD"), "@", host_and_path);
  auto listed = LsRemote(good, "main", auth);
  INFO(listed.status().ToString());
  REQUIRE(listed.ok());

  std::string bad =
      absl::StrCat("https://", GroundEnv("GIT_USERNAME"), ":not-the-password-42@", host_and_path);
  listed = LsRemote(bad, "main", auth);
  REQUIRE_FALSE(listed.ok());
  INFO(listed.status().ToString());
  CHECK(listed.status().code() == absl::StatusCode::kUnauthenticated);
  CHECK_THAT(std::string(listed.status().message()), Catch::Contains(repository.https_url));
  CheckHoldsNoSecret(listed.status(), {"not-the-password-42", GroundEnv("GIT_PASSWORD")});
}

TEST_CASE("a wrong password is refused without showing it") {
  auto repository = NewGroundRepository("https-wrong-password");
  ScratchDirectory scratch;
  AuthOptions auth = GroundHttpsAuth();
  auth.password = "wrong-password-1234";
  auto clone = Repository::Clone(repository.https_url, scratch.path() + "/tree", {.auth = auth});
  REQUIRE_FALSE(clone.ok());
  INFO(clone.status().ToString());
  CHECK(clone.status().code() == absl::StatusCode::kUnauthenticated);
  CHECK_THAT(std::string(clone.status().message()),
             Catch::Contains(repository.https_url) && Catch::Contains("rejected the password"));
  CheckHoldsNoSecret(clone.status(), {"wrong-password-1234", GroundEnv("GIT_PASSWORD")});

  SECTION("no credentials at all") {
    auth.username.clear();
    auth.password.clear();
    auto listed = LsRemote(repository.https_url, "main", auth);
    REQUIRE_FALSE(listed.ok());
    CHECK(listed.status().code() == absl::StatusCode::kUnauthenticated);
    CHECK_THAT(std::string(listed.status().message()), Catch::Contains("none are configured"));
  }
  SECTION("a bearer token the server does not take") {
    auth.password.clear();
    auth.bearer_token = "token-abcdef-987654";
    auto listed = LsRemote(repository.https_url, "main", auth);
    REQUIRE_FALSE(listed.ok());
    INFO(listed.status().ToString());
    CHECK(listed.status().code() == absl::StatusCode::kUnauthenticated);
    CHECK_THAT(std::string(listed.status().message()), Catch::Contains("bearer token"));
    CheckHoldsNoSecret(listed.status(), {"token-abcdef-987654"});
  }
}

TEST_CASE("a server the configured CA does not vouch for is refused") {
  auto repository = NewGroundRepository("https-wrong-ca");
  ScratchDirectory scratch;
  AuthOptions auth = GroundHttpsAuth();
  SECTION("another CA") {
    Shell(
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 "
        "-subj /CN=stranger-ca -keyout " +
        scratch.path() + "/ca.key -out " + scratch.path() + "/ca.crt 2>/dev/null");
    auth.ca_pem = ReadTextFile(scratch.path() + "/ca.crt");
  }
  SECTION("the system's trust store") { auth.ca_pem.clear(); }
  auto clone = Repository::Clone(repository.https_url, scratch.path() + "/tree", {.auth = auth});
  REQUIRE_FALSE(clone.ok());
  INFO(clone.status().ToString());
  CHECK(clone.status().code() == absl::StatusCode::kUnauthenticated);
  CHECK_THAT(std::string(clone.status().message()),
             Catch::Contains(repository.https_url) &&
                 Catch::Contains("certificate of 127.0.0.1 is not trusted"));
  CheckHoldsNoSecret(clone.status(), {GroundEnv("GIT_PASSWORD")});
}

TEST_CASE("plain HTTP only when explicitly allowed") {
  auto repository = NewGroundRepository("http-push");
  ScratchDirectory scratch;
  AuthOptions auth;
  auto refused =
      Repository::Clone(repository.http_url, scratch.path() + "/refused", {.auth = auth});
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(refused.status().message()),
             Catch::Contains(repository.http_url) && Catch::Contains("plain HTTP"));

  auth.allow_insecure_http = true;
  auto clone = Repository::Clone(repository.http_url, scratch.path() + "/tree", {.auth = auth});
  INFO(clone.status().ToString());
  REQUIRE(clone.ok());
  CommitAndPush(**clone, "from-http.txt");
  CHECK(RunGround({"read", repository.name, "main"}) == "from-http.txt\n");
}

}  // namespace
}  // namespace fluxcpp::git
