#include "reconciler/source/git_repository_spec.h"

#include <catch2/catch.hpp>

#include "absl/strings/escaping.h"

namespace fluxcpp::reconciler::source {
namespace {

using manifest::Json;

Json Repository(Json spec) { return Json{{"spec", std::move(spec)}}; }

std::string ErrorOf(const Json& object) {
  auto parsed = ParseGitRepositorySpec(object);
  REQUIRE(!parsed.ok());
  CHECK(parsed.status().code() == absl::StatusCode::kInvalidArgument);
  return std::string(parsed.status().message());
}

TEST_CASE("a complete spec parses") {
  auto parsed =
      ParseGitRepositorySpec(Repository({{"url", "ssh://git@example.com/fleet.git"},
                                         {"interval", "1m30s"},
                                         {"timeout", "20s"},
                                         {"ref", {{"branch", "main"}, {"semver", ">=1.0"}}},
                                         {"secretRef", {{"name", "git-auth"}}},
                                         {"ignore", "*.md\n"},
                                         {"suspend", true},
                                         {"recurseSubmodules", true}}));
  REQUIRE(parsed.ok());
  CHECK(parsed->url == "ssh://git@example.com/fleet.git");
  CHECK(parsed->interval == std::chrono::seconds(90));
  CHECK(parsed->timeout == std::chrono::seconds(20));
  CHECK(parsed->reference.branch == "main");
  CHECK(parsed->reference.semver == ">=1.0");
  CHECK(parsed->secret_name == "git-auth");
  CHECK(parsed->ignore == "*.md\n");
  CHECK(parsed->suspend);
  CHECK(parsed->recurse_submodules);
}

TEST_CASE("defaults: 60s timeout, no ignore, no ref") {
  auto parsed = ParseGitRepositorySpec(
      Repository({{"url", "https://example.com/fleet.git"}, {"interval", "10m"}}));
  REQUIRE(parsed.ok());
  CHECK(parsed->timeout == std::chrono::seconds(60));
  CHECK(!parsed->ignore.has_value());
  CHECK(parsed->reference.branch.empty());
  CHECK(!parsed->suspend);
}

TEST_CASE("invalid specs name the field") {
  CHECK(ErrorOf(Repository({{"interval", "1m"}})).find("spec.url") != std::string::npos);
  CHECK(ErrorOf(Repository({{"url", "git@example.com:fleet.git"}, {"interval", "1m"}}))
            .find("spec.url") != std::string::npos);
  CHECK(
      ErrorOf(Repository({{"url", "ftp://example.com/x"}, {"interval", "1m"}})).find("spec.url") !=
      std::string::npos);
  CHECK(ErrorOf(Repository({{"url", "https://example.com/x"}})).find("spec.interval") !=
        std::string::npos);
  CHECK(ErrorOf(Repository({{"url", "https://example.com/x"}, {"interval", "1 minute"}}))
            .find("spec.interval") != std::string::npos);
  CHECK(ErrorOf(
            Repository({{"url", "https://example.com/x"}, {"interval", "1m"}, {"timeout", "-5s"}}))
            .find("spec.timeout") != std::string::npos);
  CHECK(ErrorOf(Repository({{"url", "https://example.com/x"},
                            {"interval", "1m"},
                            {"ref", {{"semver", ">=>1"}}}}))
            .find("spec.ref.semver") != std::string::npos);
  CHECK(ErrorOf(Repository({{"url", "https://example.com/x"},
                            {"interval", "1m"},
                            {"ref", {{"commit", "abc123"}}}}))
            .find("spec.ref.commit") != std::string::npos);
  CHECK(ErrorOf(Json::object()).find("spec") != std::string::npos);
}

TEST_CASE("the URL in an error has no password") {
  std::string error =
      ErrorOf(Repository({{"url", "ftp://user:hunter2@example.com/x"}, {"interval", "1m"}}));
  CHECK(error.find("hunter2") == std::string::npos);
}

manifest::Object Secret(const std::map<std::string, std::string>& data) {
  Json encoded = Json::object();
  for (const auto& [key, value] : data) encoded[key] = absl::Base64Escape(value);
  return manifest::Object(Json{{"apiVersion", "v1"},
                               {"kind", "Secret"},
                               {"metadata", {{"name", "git-auth"}, {"namespace", "team"}}},
                               {"data", encoded}});
}

TEST_CASE("SSH secrets give key, known_hosts and passphrase") {
  auto auth = AuthFromSecret(
      "ssh://git@host/x.git",
      Secret({{"identity", "KEY"}, {"known_hosts", "host ssh-ed25519 A"}, {"password", "pass"}}));
  REQUIRE(auth.ok());
  CHECK(auth->ssh_private_key == "KEY");
  CHECK(auth->known_hosts == "host ssh-ed25519 A");
  CHECK(auth->ssh_passphrase == "pass");
  CHECK(auth->password.empty());

  auto missing = AuthFromSecret("ssh://git@host/x.git", Secret({{"identity", "KEY"}}));
  REQUIRE(!missing.ok());
  CHECK(std::string(missing.status().message()).find("Secret 'team/git-auth'") !=
        std::string::npos);
  CHECK(std::string(missing.status().message()).find("known_hosts") != std::string::npos);
}

TEST_CASE("HTTPS secrets give basic auth, tokens and CAs") {
  auto basic = AuthFromSecret("https://host/x.git",
                              Secret({{"username", "u"}, {"password", "p"}, {"ca.crt", "CA"}}));
  REQUIRE(basic.ok());
  CHECK(basic->username == "u");
  CHECK(basic->password == "p");
  CHECK(basic->ca_pem == "CA");
  CHECK(!basic->allow_insecure_http);

  auto legacy = AuthFromSecret("https://host/x.git", Secret({{"caFile", "OLD"}}));
  REQUIRE(legacy.ok());
  CHECK(legacy->ca_pem == "OLD");

  auto token = AuthFromSecret("https://host/x.git", Secret({{"bearerToken", "T"}}));
  REQUIRE(token.ok());
  CHECK(token->bearer_token == "T");

  auto http = AuthFromSecret("http://host/x.git", Secret({}));
  REQUIRE(http.ok());
  CHECK(http->allow_insecure_http);

  CHECK(!AuthFromSecret("https://host/x.git", Secret({{"bearerToken", "T"}, {"password", "p"}}))
             .ok());
  CHECK(!AuthFromSecret("https://host/x.git", Secret({{"username", "u"}})).ok());
}

TEST_CASE("a client certificate and its key are passed on together") {
  auto auth = AuthFromSecret("https://host/x.git",
                             Secret({{"tls.crt", "C"}, {"tls.key", "K"}, {"ca.crt", "A"}}));
  REQUIRE(auth.ok());
  CHECK(auth->client_certificate_pem == "C");
  CHECK(auth->client_key_pem == "K");
  CHECK(auth->ca_pem == "A");

  auto alone = AuthFromSecret("https://host/x.git", Secret({{"tls.crt", "C"}}));
  REQUIRE(!alone.ok());
  CHECK(alone.status().code() == absl::StatusCode::kInvalidArgument);
  std::string message(alone.status().message());
  CHECK(message.find("Secret 'team/git-auth'") != std::string::npos);
  CHECK(message.find("'tls.key' is missing") != std::string::npos);

  auto plain = AuthFromSecret("http://host/x.git", Secret({{"tls.crt", "C"}, {"tls.key", "K"}}));
  REQUIRE(!plain.ok());
  CHECK(std::string(plain.status().message()).find("https://") != std::string::npos);
}

}  // namespace
}  // namespace fluxcpp::reconciler::source
