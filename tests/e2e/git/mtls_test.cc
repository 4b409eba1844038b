// Git over HTTPS with a TLS client certificate (the ground's mutual-TLS port, which takes no other
// credentials): clone, push, fetch and ls-remote with the right certificate; a clear
// kUnauthenticated without one or with one the server's client CA did not sign; a malformed one is
// the caller's mistake. Also HTTPS with the server's CA and no credentials at all.
#include <catch2/catch.hpp>

#include "lib/git/mirror.h"
#include "lib/git/repository.h"
#include "tests/e2e/git/git_ground.h"
#include "tests/e2e/support/ground.h"

namespace fluxcpp::git {
namespace {

using fluxcpp::testing::CommitAndPush;
using fluxcpp::testing::GroundEnv;
using fluxcpp::testing::GroundMtlsAuth;
using fluxcpp::testing::NewGroundRepository;
using fluxcpp::testing::ReadTextFile;
using fluxcpp::testing::RunGround;
using fluxcpp::testing::ScratchDirectory;
using fluxcpp::testing::Shell;

TEST_CASE("clone, push, fetch and ls-remote with a TLS client certificate") {
  auto repository = NewGroundRepository("mtls-push");
  ScratchDirectory scratch;
  auto clone =
      Repository::Clone(repository.mtls_url, scratch.path() + "/tree", {.auth = GroundMtlsAuth()});
  INFO(clone.status().ToString());
  REQUIRE(clone.ok());
  std::string first = CommitAndPush(**clone, "first.txt");
  CHECK(RunGround({"read", repository.name, "main", "first.txt"}) == "first.txt\n");

  // A second clone sees the push and pushes on top; the first fetches it.
  auto other =
      Repository::Clone(repository.mtls_url, scratch.path() + "/other", {.auth = GroundMtlsAuth()});
  REQUIRE(other.ok());
  CHECK((*other)->ReadFile("first.txt").value_or("") == "first.txt\n");
  std::string second = CommitAndPush(**other, "second.txt");
  auto fetched = (*clone)->Fetch();
  INFO(fetched.status().ToString());
  REQUIRE(fetched.ok());
  CHECK(*fetched == second);
  CHECK((*clone)->Contains(second, first).value_or(false));

  auto listed = LsRemote(repository.mtls_url, "main", GroundMtlsAuth());
  INFO(listed.status().ToString());
  REQUIRE(listed.ok());
  CHECK(*listed == second);

  auto mirror = Mirror::Open(repository.mtls_url, scratch.path() + "/mirror", GroundMtlsAuth());
  REQUIRE(mirror.ok());
  auto received = (*mirror)->Fetch("refs/heads/main");
  INFO(received.status().ToString());
  REQUIRE(received.ok());
  CHECK(*received > 0);
  CHECK((*mirror)->HasCommit(second));
}

TEST_CASE("the mutual-TLS server refuses a client without the right certificate") {
  auto repository = NewGroundRepository("mtls-refused");
  ScratchDirectory scratch;
  AuthOptions auth = GroundMtlsAuth();
  std::string expected;
  SECTION("no client certificate") {
    auth.client_certificate_pem.clear();
    auth.client_key_pem.clear();
    expected = "requires a TLS client certificate and none is configured";
  }
  SECTION("a certificate of a CA the server does not know") {
    Shell("cd " + scratch.path() +
          " && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 "
          "-subj /CN=stranger-ca -keyout ca.key -out ca.crt 2>/dev/null"
          " && openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
          "-subj /CN=stranger -keyout client.key -out client.csr 2>/dev/null"
          " && openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 1 "
          "-out client.crt 2>/dev/null");
    auth.client_certificate_pem = ReadTextFile(scratch.path() + "/client.crt");
    auth.client_key_pem = ReadTextFile(scratch.path() + "/client.key");
    expected = "refused the TLS client certificate";
  }
  auto listed = LsRemote(repository.mtls_url, "main", auth);
  REQUIRE_FALSE(listed.ok());
  INFO(listed.status().ToString());
  CHECK(listed.status().code() == absl::StatusCode::kUnauthenticated);
  CHECK_THAT(std::string(listed.status().message()), Catch::Contains(repository.mtls_url) &&
                                                         Catch::Contains(expected) &&
                                                         Catch::Contains("127.0.0.1"));
  CHECK_THAT(std::string(listed.status().message()), !Catch::Contains("PRIVATE KEY"));

  auto clone = Repository::Clone(repository.mtls_url, scratch.path() + "/tree", {.auth = auth});
  REQUIRE_FALSE(clone.ok());
  CHECK(clone.status().code() == absl::StatusCode::kUnauthenticated);
}

TEST_CASE("a client certificate that cannot be read, or comes without its key, is refused") {
  auto repository = NewGroundRepository("mtls-malformed");
  AuthOptions auth = GroundMtlsAuth();
  SECTION("not PEM") {
    auth.client_certificate_pem = "-----BEGIN CERTIFICATE-----\nnot base64\n";
    auto listed = LsRemote(repository.mtls_url, "main", auth);
    INFO(listed.status().ToString());
    CHECK(listed.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(std::string(listed.status().message()),
               Catch::Contains("client certificate or its key cannot be used"));
  }
  SECTION("without its key") {
    auth.client_key_pem.clear();
    auto listed = LsRemote(repository.mtls_url, "main", auth);
    CHECK(listed.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(std::string(listed.status().message()), Catch::Contains("private key"));
  }
  SECTION("with plain HTTP") {
    auth.allow_insecure_http = true;
    auto listed = LsRemote(repository.http_url, "main", auth);
    CHECK(listed.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(std::string(listed.status().message()), Catch::Contains("https://"));
  }
}

TEST_CASE("HTTPS with the server's CA and no credentials") {
  auto repository = NewGroundRepository("https-public");
  ScratchDirectory scratch;
  AuthOptions auth;
  auth.ca_pem = ReadTextFile(GroundEnv("GIT_CA_FILE"));
  auto clone =
      Repository::Clone(repository.public_https_url, scratch.path() + "/tree", {.auth = auth});
  INFO(clone.status().ToString());
  REQUIRE(clone.ok());
  std::string sha = CommitAndPush(**clone, "public.txt");
  auto listed = LsRemote(repository.public_https_url, "main", auth);
  REQUIRE(listed.ok());
  CHECK(*listed == sha);
}

}  // namespace
}  // namespace fluxcpp::git
