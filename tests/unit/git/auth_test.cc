// URLs shown to people and the checks of a URL against its authentication options.
#include "lib/git/auth.h"

#include <catch2/catch.hpp>

#include "lib/git/url.h"

namespace fluxcpp::git {
namespace {

TEST_CASE("URLs are shown without credentials") {
  CHECK(RedactUrl("https://user:secret@git.example.com/org/repo.git") ==
        "https://git.example.com/org/repo.git");
  CHECK(RedactUrl("https://ghp_token@github.com/org/repo") == "https://github.com/org/repo");
  CHECK(RedactUrl("ssh://git:secret@host:2222/repo.git") == "ssh://git@host:2222/repo.git");
  CHECK(RedactUrl("ssh://git@host/repo.git") == "ssh://git@host/repo.git");
  CHECK(RedactUrl("git@github.com:org/repo.git") == "git@github.com:org/repo.git");
  CHECK(RedactUrl("https://host/path@with-at") == "https://host/path@with-at");
}

TEST_CASE("remote URLs are split into their parts") {
  auto ssh = ParseRemoteUrl("ssh://git@[::1]:2222/repo.git");
  REQUIRE(ssh.ok());
  CHECK(ssh->host == "::1");
  CHECK(ssh->port == 2222);
  CHECK(ssh->user == "git");
  auto scp = ParseRemoteUrl("git@github.com:org/repo.git");
  REQUIRE(scp.ok());
  CHECK(scp->scheme == "ssh");
  CHECK(scp->port == 22);
  CHECK(scp->path == "org/repo.git");
  auto https = ParseRemoteUrl("https://u:p@host/x");
  REQUIRE(https.ok());
  CHECK(https->port == 443);
  CHECK(https->password == "p");
  auto bad = ParseRemoteUrl("ftp://u:secret@host/x");
  CHECK(bad.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(bad.status().message()), !Catch::Contains("secret"));
}

TEST_CASE("options are checked against the URL before connecting") {
  AuthOptions auth;
  CHECK(ValidateAuth("http://host/x", auth).code() == absl::StatusCode::kInvalidArgument);
  auth.allow_insecure_http = true;
  CHECK(ValidateAuth("http://host/x", auth).ok());
  CHECK(ValidateAuth("ssh://git@host/x", auth).code() == absl::StatusCode::kInvalidArgument);
  auth.ssh_private_key = "key";
  auto no_known_hosts = ValidateAuth("ssh://git@host/x", auth);
  CHECK_THAT(std::string(no_known_hosts.message()), Catch::Contains("known_hosts"));
  auth.known_hosts = "host ssh-ed25519 AAAA";
  CHECK(ValidateAuth("ssh://git@host/x", auth).ok());
  auth.password = "p";
  auth.bearer_token = "t";
  CHECK(ValidateAuth("https://host/x", auth).code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("a TLS client certificate needs its key and an https URL") {
  AuthOptions auth;
  auth.client_certificate_pem = "certificate";
  auth.client_key_pem = "key";
  CHECK(ValidateAuth("https://host/x.git", auth).ok());

  absl::Status plain = ValidateAuth("http://u:secret@host/x.git", [&] {
    AuthOptions insecure = auth;
    insecure.allow_insecure_http = true;
    return insecure;
  }());
  CHECK(plain.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(plain.message()), Catch::Contains("http://host/x.git") &&
                                               Catch::Contains("https://") &&
                                               !Catch::Contains("secret"));

  AuthOptions without_key = auth;
  without_key.client_key_pem.clear();
  absl::Status missing = ValidateAuth("https://host/x.git", without_key);
  CHECK(missing.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(missing.message()), Catch::Contains("private key"));

  AuthOptions without_certificate = auth;
  without_certificate.client_certificate_pem.clear();
  CHECK(ValidateAuth("https://host/x.git", without_certificate).code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(ValidateAuth("ssh://git@host/x.git", auth).code() == absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace fluxcpp::git
