// Credentials from the Secret: HTTPS with basic auth and the ground's CA, mutual TLS with tls.crt /
// tls.key; a wrong password, a missing client certificate or a wrong known_hosts is
// Ready=False/AuthenticationFailed while the last artifact stays.
#include <catch2/catch.hpp>
#include <sstream>

#include "tests/e2e/reconciler_source/source_ground.h"

namespace fluxcpp::testing {
namespace {

using manifest::Json;
using reconciler::Outcome;

void CheckAuthenticationFailedKeepsArtifact(SourceFixture& fixture, const std::string& name,
                                            const reconciler::artifact::Artifact& good) {
  Outcome outcome = fixture.Reconcile(name);
  CHECK(outcome.kind == Outcome::Kind::kRetryWithBackoff);
  Json ready = fixture.Condition(name, "Ready");
  CHECK(ready["status"] == "False");
  CHECK(ready["reason"] == "AuthenticationFailed");
  Json fetch_failed = fixture.Condition(name, "FetchFailed");
  CHECK(fetch_failed["status"] == "True");
  CHECK(fetch_failed["reason"] == "AuthenticationFailed");
  CHECK(fixture.Condition(name, "Reconciling")["reason"] == "ProgressingWithRetry");
  Json stored = fixture.Condition(name, "ArtifactInStorage");
  CHECK(stored["status"] == "True");
  auto kept = fixture.ArtifactOf(name);
  CHECK(kept.revision == good.revision);
  CHECK(kept.digest == good.digest);
  CHECK(fixture.storage().Has(kept));
}

TEST_CASE("GitRepository over HTTPS with basic auth; a wrong password keeps the artifact") {
  SourceFixture fixture;
  PushableRepository repository("gitrepo-https");
  std::string commit = repository.Push({{"a.yaml", "a: 1\n"}}, "first");
  fixture.CreateSecret("https-auth", {{"username", GroundEnv("GIT_USERNAME")},
                                      {"password", GroundEnv("GIT_PASSWORD")},
                                      {"ca.crt", GroundCa()}});
  fixture.CreateGitRepository("fleet", {{"url", repository.urls().https_url},
                                        {"ref", {{"branch", "main"}}},
                                        {"secretRef", {{"name", "https-auth"}}}});
  REQUIRE(fixture.Reconcile("fleet").kind == Outcome::Kind::kRequeueAfter);
  auto good = fixture.ArtifactOf("fleet");
  CHECK(good.revision == "main@sha1:" + commit);

  fixture.CreateSecret("https-auth", {{"username", GroundEnv("GIT_USERNAME")},
                                      {"password", "not-the-password"},
                                      {"ca.crt", GroundCa()}});
  CheckAuthenticationFailedKeepsArtifact(fixture, "fleet", good);
  std::string message = fixture.Condition("fleet", "Ready")["message"];
  CHECK(message.find("not-the-password") == std::string::npos);
  CHECK(message.find(GroundEnv("GIT_PASSWORD")) == std::string::npos);

  // Back to good credentials: Ready again, with the same artifact.
  fixture.CreateSecret("https-auth", {{"username", GroundEnv("GIT_USERNAME")},
                                      {"password", GroundEnv("GIT_PASSWORD")},
                                      {"ca.crt", GroundCa()}});
  REQUIRE(fixture.Reconcile("fleet").kind == Outcome::Kind::kRequeueAfter);
  CHECK(fixture.Condition("fleet", "Ready")["status"] == "True");
  CHECK(fixture.ArtifactOf("fleet").last_update_time == good.last_update_time);
}

TEST_CASE("GitRepository over SSH with a wrong known_hosts keeps the artifact") {
  SourceFixture fixture;
  PushableRepository repository("gitrepo-hostkey");
  repository.Push({{"a.yaml", "a: 1\n"}}, "first");
  fixture.CreateSecret("ssh-auth",
                       {{"identity", GroundSshKey()}, {"known_hosts", GroundKnownHosts()}});
  fixture.CreateGitRepository("fleet", {{"url", repository.urls().ssh_url},
                                        {"secretRef", {{"name", "ssh-auth"}}},
                                        {"ref", {{"branch", "main"}}}});
  REQUIRE(fixture.Reconcile("fleet").kind == Outcome::Kind::kRequeueAfter);
  auto good = fixture.ArtifactOf("fleet");

  // The ground's host key, listed for another host: nothing vouches for the real one.
  std::istringstream lines(GroundKnownHosts());
  std::string wrong;
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    wrong += "[elsewhere.example]:22 " + line.substr(line.find(' ') + 1) + "\n";
  }
  fixture.CreateSecret("ssh-auth", {{"identity", GroundSshKey()}, {"known_hosts", wrong}});
  CheckAuthenticationFailedKeepsArtifact(fixture, "fleet", good);
}

TEST_CASE("GitRepository over SSH with an encrypted identity and its password") {
  SourceFixture fixture;
  PushableRepository repository("gitrepo-passphrase");
  std::string commit = repository.Push({{"a.yaml", "a: 1\n"}}, "first");
  ScratchDirectory scratch;
  std::string key = scratch.Write("identity", GroundSshKey(), 0600);
  Shell("ssh-keygen -q -p -P '' -N 'correct horse battery' -f " + key);
  std::string encrypted = ReadTextFile(key);
  REQUIRE(encrypted != GroundSshKey());
  fixture.CreateSecret("ssh-auth", {{"identity", encrypted},
                                    {"known_hosts", GroundKnownHosts()},
                                    {"password", "correct horse battery"}});
  fixture.CreateGitRepository("fleet", {{"url", repository.urls().ssh_url},
                                        {"secretRef", {{"name", "ssh-auth"}}},
                                        {"ref", {{"branch", "main"}}}});
  Outcome outcome = fixture.Reconcile("fleet");
  INFO(fixture.Condition("fleet", "Ready").dump());
  REQUIRE(outcome.kind == Outcome::Kind::kRequeueAfter);
  CHECK(fixture.Condition("fleet", "Ready")["status"] == "True");
  auto good = fixture.ArtifactOf("fleet");
  CHECK(good.revision == "main@sha1:" + commit);
  CHECK(fixture.ArtifactFile(good, "a.yaml") == "a: 1\n");

  // A wrong password: the artifact stays, and the reason says so without the password.
  fixture.CreateSecret(
      "ssh-auth",
      {{"identity", encrypted}, {"known_hosts", GroundKnownHosts()}, {"password", "wrong staple"}});
  fixture.Reconcile("fleet");
  Json ready = fixture.Condition("fleet", "Ready");
  INFO(ready.dump());
  CHECK(ready["status"] == "False");
  std::string message = ready["message"];
  CHECK(message.find("wrong passphrase") != std::string::npos);
  CHECK(message.find("wrong staple") == std::string::npos);
  CHECK(fixture.ArtifactOf("fleet").revision == good.revision);
}

TEST_CASE("GitRepository over mutual TLS with tls.crt and tls.key; without them it fails") {
  SourceFixture fixture;
  PushableRepository repository("gitrepo-mtls");
  std::string commit = repository.Push({{"a.yaml", "a: 1\n"}}, "first");
  std::string certificate = ReadTextFile(GroundEnv("GIT_CLIENT_CERT"));
  std::string key = ReadTextFile(GroundEnv("GIT_CLIENT_KEY"));
  fixture.CreateSecret("mtls",
                       {{"tls.crt", certificate}, {"tls.key", key}, {"ca.crt", GroundCa()}});
  fixture.CreateGitRepository("fleet", {{"url", repository.urls().mtls_url},
                                        {"ref", {{"branch", "main"}}},
                                        {"secretRef", {{"name", "mtls"}}}});
  Outcome outcome = fixture.Reconcile("fleet");
  INFO(fixture.Condition("fleet", "Ready").dump());
  REQUIRE(outcome.kind == Outcome::Kind::kRequeueAfter);
  CHECK(fixture.Condition("fleet", "Ready")["status"] == "True");
  auto good = fixture.ArtifactOf("fleet");
  CHECK(good.revision == "main@sha1:" + commit);
  CHECK(fixture.ArtifactFile(good, "a.yaml") == "a: 1\n");

  // The CA alone: the server ends the handshake, and the reason says what is missing.
  fixture.CreateSecret("mtls", {{"ca.crt", GroundCa()}});
  CheckAuthenticationFailedKeepsArtifact(fixture, "fleet", good);
  std::string message = fixture.Condition("fleet", "Ready")["message"];
  CHECK(message.find("requires a TLS client certificate") != std::string::npos);
  CHECK(message.find(repository.urls().mtls_url) != std::string::npos);

  // Half a client certificate is a mistake in the Secret, named as such.
  fixture.CreateSecret("mtls", {{"tls.crt", certificate}, {"ca.crt", GroundCa()}});
  CHECK(fixture.Reconcile("fleet").kind == Outcome::Kind::kRetryWithBackoff);
  message = fixture.Condition("fleet", "Ready")["message"];
  CHECK(message.find("Secret '" + fixture.ns() + "/mtls'") != std::string::npos);
  CHECK(message.find("'tls.key' is missing") != std::string::npos);
  CHECK(message.find("PRIVATE KEY") == std::string::npos);
}

}  // namespace
}  // namespace fluxcpp::testing
