// spec.timeout bounds the conversation with the Git server: a server that accepts the connection
// and never answers fails the reconcile about when the timeout passes (Ready=False,
// GitOperationFailed, naming the URL) instead of hanging the worker.
#include <catch2/catch.hpp>
#include <chrono>

#include "tests/e2e/git/silent_server.h"
#include "tests/e2e/reconciler_source/source_ground.h"

namespace fluxcpp::testing {
namespace {

using manifest::Json;
using reconciler::Outcome;
using Clock = std::chrono::steady_clock;

TEST_CASE("spec.timeout bounds a Git server that never answers") {
  SourceFixture fixture;
  std::string scheme =
      GENERATE(std::string("https"), std::string("ssh"), std::string("ssh-banner"));
  INFO(scheme);
  // An SSH server may also stall after its banner, in the key exchange.
  SilentServer server(scheme == "ssh-banner" ? "SSH-2.0-OpenSSH_9.2\r\n" : "");
  std::string url;
  if (scheme == "https") {
    url = "https://127.0.0.1:" + std::to_string(server.port()) + "/git/silent.git";
    fixture.CreateSecret("auth", {{"ca.crt", GroundCa()}});
  } else {
    url = "ssh://git@127.0.0.1:" + std::to_string(server.port()) + "/silent.git";
    fixture.CreateSecret("auth",
                         {{"identity", GroundSshKey()}, {"known_hosts", GroundKnownHosts()}});
  }
  fixture.CreateGitRepository("silent", {{"url", url},
                                         {"timeout", "2s"},
                                         {"ref", {{"branch", "main"}}},
                                         {"secretRef", {{"name", "auth"}}}});
  auto started = Clock::now();
  Outcome outcome = fixture.Reconcile("silent");
  auto elapsed = Clock::now() - started;
  CHECK(outcome.kind == Outcome::Kind::kRetryWithBackoff);
  CHECK(elapsed >= std::chrono::milliseconds(1900));
  CHECK(elapsed < std::chrono::seconds(5));
  Json ready = fixture.Condition("silent", "Ready");
  INFO(ready.dump());
  CHECK(ready["status"] == "False");
  CHECK(ready["reason"] == "GitOperationFailed");
  std::string message = ready["message"];
  CHECK(message.find(url) != std::string::npos);
  CHECK(message.find("timeout") != std::string::npos);
}

}  // namespace
}  // namespace fluxcpp::testing
