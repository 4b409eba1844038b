// Bootstraps that cannot succeed fail fast, with a message that says what is wrong, before anything
// changes: the repository keeps its (empty) history and the namespace is never created.
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>

#include "absl/strings/match.h"
#include "bootstrap/bootstrap.h"
#include "tests/e2e/bootstrap_workflow/workflow_ground.h"
#include "tests/e2e/support/ground.h"

namespace fluxcpp::bootstrap {
namespace {

const manifest::GroupVersionKind kNamespace{"", "v1", "Namespace"};
constexpr auto kFast = std::chrono::seconds(15);

// Runs the bootstrap, expects it to fail quickly with `code` and a message holding each of
// `expected`, and checks that neither Git nor the cluster changed.
void ExpectCleanFailure(const BootstrapOptions& options, const std::string& check_url,
                        const git::AuthOptions& check_auth, absl::StatusCode code,
                        std::initializer_list<const char*> expected) {
  auto client = testing::AdminClient();
  testing::InstallCleanup cleanup(*client, options.install.namespace_name);
  auto started = std::chrono::steady_clock::now();
  auto result = BootstrapGit(options, *client);
  auto took = std::chrono::steady_clock::now() - started;
  INFO(result.status().ToString());
  REQUIRE_FALSE(result.ok());
  CHECK(result.status().code() == code);
  for (const char* text : expected) CHECK(absl::StrContains(result.status().message(), text));
  CHECK(took < kFast);
  CHECK(testing::RemoteHead(check_url, check_auth).empty());
  CHECK_FALSE(testing::Exists(*client, kNamespace, "", options.install.namespace_name));
  // No secret in the message.
  if (!options.git.auth.password.empty()) {
    CHECK_FALSE(absl::StrContains(result.status().message(), options.git.auth.password));
  }
}

TEST_CASE("a wrong SSH key fails fast and changes nothing") {
  auto repository = testing::NewGroundRepository("bootstrap-wrong-key");
  testing::ScratchDirectory scratch;
  testing::Shell("ssh-keygen -q -t ed25519 -N '' -C other -f " + scratch.path() + "/other");
  git::AuthOptions auth = testing::GroundSshAuth();
  auth.ssh_private_key = testing::ReadTextFile(scratch.path() + "/other");
  auto options =
      testing::BootstrapOptionsFor(testing::UniqueName("bw-key"), repository.ssh_url, auth);
  ExpectCleanFailure(options, repository.ssh_url, testing::GroundSshAuth(),
                     absl::StatusCode::kUnauthenticated, {"127.0.0.1"});
}

TEST_CASE("a known_hosts with another host key fails fast and changes nothing") {
  auto repository = testing::NewGroundRepository("bootstrap-host-key");
  git::AuthOptions auth = testing::GroundSshAuth();
  // The client's own ed25519 key stands in for a host key the server does not have.
  std::string port = repository.ssh_url.substr(repository.ssh_url.rfind(':') + 1);
  port = port.substr(0, port.find('/'));
  std::string other = testing::ReadTextFile(testing::GroundEnv("GIT_SSH_KEY") + ".pub");
  auth.known_hosts = "[127.0.0.1]:" + port + " " + other.substr(0, other.rfind(' ')) + "\n";
  auto options =
      testing::BootstrapOptionsFor(testing::UniqueName("bw-hostkey"), repository.ssh_url, auth);
  ExpectCleanFailure(options, repository.ssh_url, testing::GroundSshAuth(),
                     absl::StatusCode::kUnauthenticated, {"host key", "127.0.0.1"});
}

TEST_CASE("a wrong password fails fast and changes nothing") {
  auto repository = testing::NewGroundRepository("bootstrap-password");
  git::AuthOptions auth = testing::GroundHttpsAuth();
  auth.password = "not-the-password";
  auto options =
      testing::BootstrapOptionsFor(testing::UniqueName("bw-password"), repository.https_url, auth);
  ExpectCleanFailure(options, repository.https_url, testing::GroundHttpsAuth(),
                     absl::StatusCode::kUnauthenticated, {repository.https_url.c_str()});
}

TEST_CASE("read-only access fails fast, before anything is applied, and changes nothing") {
  auto repository = testing::NewGroundRepository("bootstrap-read-only");
  // The ground's plain HTTP server pushes for anyone; this repository refuses pushes.
  testing::Shell("git -C " + testing::GroundEnv("FLUXCPP_GROUND") + "/git/repos/" +
                 repository.name + ".git config http.receivepack false");
  git::AuthOptions auth;
  auth.allow_insecure_http = true;
  auto options =
      testing::BootstrapOptionsFor(testing::UniqueName("bw-readonly"), repository.http_url, auth);
  ExpectCleanFailure(options, repository.http_url, auth, absl::StatusCode::kPermissionDenied,
                     {"read but not push", repository.http_url.c_str()});
}

TEST_CASE("an unreachable Git host fails fast and changes nothing") {
  git::AuthOptions auth = testing::GroundSshAuth();
  auth.known_hosts = "[127.0.0.1]:1 " + auth.known_hosts.substr(auth.known_hosts.find(' ') + 1);
  std::string url = "ssh://git@127.0.0.1:1/fleet.git";
  auto options = testing::BootstrapOptionsFor(testing::UniqueName("bw-unreachable"), url, auth);
  auto client = testing::AdminClient();
  auto started = std::chrono::steady_clock::now();
  auto result = BootstrapGit(options, *client);
  INFO(result.status().ToString());
  REQUIRE_FALSE(result.ok());
  CHECK(std::chrono::steady_clock::now() - started < kFast);
  CHECK(absl::StrContains(result.status().message(), "127.0.0.1:1"));
  CHECK_FALSE(testing::Exists(*client, kNamespace, "", options.install.namespace_name));
}

}  // namespace
}  // namespace fluxcpp::bootstrap
