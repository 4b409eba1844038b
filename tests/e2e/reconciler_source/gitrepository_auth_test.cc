// Credentials from the Secret: HTTPS with basic auth and the ground's CA; a wrong password or a
// wrong known_hosts is Ready=False/AuthenticationFailed while the last artifact stays.
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

TEST_CASE("client certificates in the Secret are reported as unsupported") {
  SourceFixture fixture;
  PushableRepository repository("gitrepo-mtls");
  repository.Push({{"a.yaml", "a: 1\n"}}, "first");
  fixture.CreateSecret("mtls", {{"tls.crt", "cert"}, {"tls.key", "key"}, {"ca.crt", GroundCa()}});
  fixture.CreateGitRepository(
      "fleet", {{"url", repository.urls().https_url}, {"secretRef", {{"name", "mtls"}}}});
  CHECK(fixture.Reconcile("fleet").kind == Outcome::Kind::kRetryWithBackoff);
  Json ready = fixture.Condition("fleet", "Ready");
  CHECK(ready["reason"] == "AuthenticationFailed");
  std::string message = ready["message"];
  CHECK(message.find("Secret '" + fixture.ns() + "/mtls'") != std::string::npos);
  CHECK(message.find("tls.crt") != std::string::npos);
}

}  // namespace
}  // namespace fluxcpp::testing
