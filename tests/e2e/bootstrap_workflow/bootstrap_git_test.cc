// BootstrapGit against the ground's Git server and API server, over SSH and HTTPS: the files land
// in Git with the generated content, the objects in the cluster, the reconciler Deployment becomes
// Available (kwok), the wait ends when the Kustomization reports the pushed revision, and a second
// run changes nothing. A stand-in plays the reconciler's part of the last step.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "bootstrap/bootstrap.h"
#include "lib/git/repository.h"
#include "lib/kube/errors.h"
#include "reconciler/source/git_repository_spec.h"
#include "tests/e2e/bootstrap_workflow/workflow_ground.h"
#include "tests/e2e/support/ground.h"

namespace fluxcpp::bootstrap {
namespace {

const manifest::GroupVersionKind kDeployment{"apps", "v1", "Deployment"};
const manifest::GroupVersionKind kSecret{"", "v1", "Secret"};
const manifest::GroupVersionKind kGitRepository{"source.toolkit.fluxcd.io", "v1", "GitRepository"};
const manifest::GroupVersionKind kKustomization{"kustomize.toolkit.fluxcd.io", "v1",
                                                "Kustomization"};

std::string SecretValue(const manifest::Json& secret, const std::string& key) {
  std::string decoded;
  REQUIRE(secret["data"].contains(key));
  REQUIRE(absl::Base64Unescape(secret["data"][key].get<std::string>(), &decoded));
  return decoded;
}

// Whether every object but the CRDs is unchanged. The CRDs are shared by every test on the ground,
// and a concurrent install in another namespace relabels them (app.kubernetes.io/instance).
bool UnchangedApartFromSharedCrds(const kube::ChangeSet& changes) {
  for (const kube::Change& change : changes.changes) {
    if (absl::StartsWith(change.subject, "CustomResourceDefinition/")) continue;
    INFO(change.subject << " " << kube::ToString(change.action));
    if (change.action != kube::Action::kUnchanged) return false;
  }
  return true;
}

// Runs a bootstrap and checks everything a successful one leaves behind.
BootstrapResult BootstrapAndCheck(kube::Client& client, const BootstrapOptions& options,
                                  const testing::GroundRepository& repository,
                                  std::vector<std::string>* lines) {
  auto result =
      BootstrapGit(options, client, [&](std::string_view line) { lines->emplace_back(line); });
  INFO(result.status().ToString());
  REQUIRE(result.ok());
  const std::string& ns = options.install.namespace_name;

  // Git: the three files with the generated content, at the reported commit.
  auto expected = RepositoryFiles(options.install, options.sync);
  REQUIRE(expected.ok());
  CHECK(result->repository_files == *expected);
  for (const auto& [path, content] : *expected) {
    CHECK(absl::StartsWith(path, "clusters/test/" + ns + "/"));
    INFO(path);
    CHECK(testing::RunGround({"read", repository.name, "main", path}) == content);
  }
  CHECK(result->revision == "main@sha1:" + result->commit);

  // The cluster: the reconciler Available, the sync objects, the Kustomization at the revision.
  auto deployment = client.Get(kDeployment, ns, "flux-reconciler");
  REQUIRE(deployment.ok());
  bool available = false;
  for (const auto& condition : deployment->json()["status"]["conditions"]) {
    if (condition["type"] == "Available") available = condition["status"] == "True";
  }
  CHECK(available);
  auto source = client.Get(kGitRepository, ns, ns);
  REQUIRE(source.ok());
  CHECK(source->json()["spec"]["url"] == options.sync.url);
  CHECK(source->json()["spec"]["ref"]["branch"] == "main");
  auto kustomization = client.Get(kKustomization, ns, ns);
  REQUIRE(kustomization.ok());
  CHECK(kustomization->json()["spec"]["path"] == "./clusters/test");
  CHECK(kustomization->json()["status"]["lastAppliedRevision"] == result->revision);
  return *result;
}

TEST_CASE("bootstrap over SSH commits, applies, waits for the reconciler, and is idempotent") {
  auto client = testing::AdminClient();
  auto repository = testing::NewGroundRepository("bootstrap-ssh");
  std::string ns = testing::UniqueName("bw-ssh");
  testing::InstallCleanup cleanup(*client, ns);
  git::AuthOptions auth = testing::GroundSshAuth();
  BootstrapOptions options = testing::BootstrapOptionsFor(ns, repository.ssh_url, auth);
  options.git.ssh_public_key = testing::ReadTextFile(testing::GroundEnv("GIT_SSH_KEY") + ".pub");
  testing::FakeReconciler reconciler(ns, repository.ssh_url, auth);

  std::vector<std::string> lines;
  BootstrapResult first = BootstrapAndCheck(*client, options, repository, &lines);
  CHECK(first.committed);
  CHECK(first.commit == testing::RemoteHead(repository.ssh_url, auth));
  CHECK(first.install_changes.Count(kube::Action::kCreated) > 0);
  CHECK(first.sync_changes.Count(kube::Action::kCreated) == 2);
  // Progress at every step, in order.
  std::string joined;
  for (const auto& line : lines) joined += line + "\n";
  INFO(joined);
  for (const char* step :
       {"checking the cluster", "push access", "cloning",
        "pushed main@sha1:", "applying the install set", "to be Available",
        "applying the Git credentials Secret", "applying the sync set", "is Ready at main@sha1:"}) {
    CHECK(absl::StrContains(joined, step));
  }

  auto secret = client->Get(kSecret, ns, "flux-system");
  REQUIRE(secret.ok());
  CHECK(SecretValue(secret->json(), "identity") == auth.ssh_private_key);
  CHECK(SecretValue(secret->json(), "known_hosts") == auth.known_hosts);
  CHECK(SecretValue(secret->json(), "identity.pub") == options.git.ssh_public_key);

  SECTION("a second run changes nothing: no commit, every object unchanged") {
    std::vector<std::string> again_lines;
    BootstrapResult again = BootstrapAndCheck(*client, options, repository, &again_lines);
    CHECK_FALSE(again.committed);
    CHECK(again.commit == first.commit);
    CHECK(UnchangedApartFromSharedCrds(again.install_changes));
    CHECK(UnchangedApartFromSharedCrds(again.secret_changes));
    CHECK(UnchangedApartFromSharedCrds(again.sync_changes));
    CHECK(testing::RemoteHead(repository.ssh_url, auth) == first.commit);
  }

  SECTION("a changed option is committed on top and applied") {
    options.sync.interval = "2m0s";
    std::vector<std::string> again_lines;
    BootstrapResult again = BootstrapAndCheck(*client, options, repository, &again_lines);
    CHECK(again.committed);
    CHECK(again.commit != first.commit);
    CHECK(again.sync_changes.Count(kube::Action::kConfigured) == 1);
    CHECK(UnchangedApartFromSharedCrds(again.install_changes));
    auto source = client->Get(kGitRepository, ns, ns);
    REQUIRE(source.ok());
    CHECK(source->json()["spec"]["interval"] == "2m0s");
  }
}

// Flux's SSH Secret holds an encrypted identity's passphrase as `password`; the reconciler's
// GitRepository reads it from there (AuthFromSecret) and clones with it.
TEST_CASE("bootstrap over SSH with an encrypted key gives the reconciler its passphrase") {
  auto client = testing::AdminClient();
  auto repository = testing::NewGroundRepository("bootstrap-passphrase");
  std::string ns = testing::UniqueName("bw-pass");
  testing::InstallCleanup cleanup(*client, ns);
  testing::ScratchDirectory scratch;
  std::string key =
      scratch.Write("identity", testing::ReadTextFile(testing::GroundEnv("GIT_SSH_KEY")), 0600);
  testing::Shell("ssh-keygen -q -p -P '' -N 'open sesame' -f " + key);
  git::AuthOptions auth = testing::GroundSshAuth();
  auth.ssh_private_key = testing::ReadTextFile(key);
  auth.ssh_passphrase = "open sesame";
  BootstrapOptions options = testing::BootstrapOptionsFor(ns, repository.ssh_url, auth);
  testing::FakeReconciler reconciler(ns, repository.ssh_url, auth);

  std::vector<std::string> lines;
  BootstrapResult result = BootstrapAndCheck(*client, options, repository, &lines);
  CHECK(result.committed);
  for (const auto& line : lines) CHECK_FALSE(absl::StrContains(line, "open sesame"));

  auto secret = client->Get(kSecret, ns, "flux-system");
  REQUIRE(secret.ok());
  CHECK(SecretValue(secret->json(), "identity") == auth.ssh_private_key);
  CHECK(SecretValue(secret->json(), "password") == "open sesame");
  auto read = reconciler::source::AuthFromSecret(repository.ssh_url, *secret);
  INFO(read.status().ToString());
  REQUIRE(read.ok());
  CHECK(read->ssh_passphrase == "open sesame");
  auto head = git::LsRemote(repository.ssh_url, "main", *read);
  INFO(head.status().ToString());
  REQUIRE(head.ok());
  CHECK(*head == std::optional<std::string>(result.commit));
}

TEST_CASE("bootstrap over HTTPS stores username, password and CA, and updates rotated ones") {
  auto client = testing::AdminClient();
  auto repository = testing::NewGroundRepository("bootstrap-https");
  std::string ns = testing::UniqueName("bw-https");
  testing::InstallCleanup cleanup(*client, ns);
  git::AuthOptions auth = testing::GroundHttpsAuth();
  BootstrapOptions options = testing::BootstrapOptionsFor(ns, repository.https_url, auth);
  testing::FakeReconciler reconciler(ns, repository.https_url, auth);

  std::vector<std::string> lines;
  BootstrapResult first = BootstrapAndCheck(*client, options, repository, &lines);
  CHECK(first.committed);
  auto secret = client->Get(kSecret, ns, "flux-system");
  REQUIRE(secret.ok());
  CHECK(SecretValue(secret->json(), "username") == auth.username);
  CHECK(SecretValue(secret->json(), "password") == auth.password);
  CHECK(SecretValue(secret->json(), "ca.crt") == auth.ca_pem);
  for (const auto& line : lines) CHECK_FALSE(absl::StrContains(line, auth.password));

  // The ground has one password, so the rotation is of the CA bundle (a trailing newline keeps it
  // valid): the Secret follows the credentials without a commit.
  options.git.auth.ca_pem = auth.ca_pem + "\n";
  std::vector<std::string> again_lines;
  BootstrapResult again = BootstrapAndCheck(*client, options, repository, &again_lines);
  CHECK_FALSE(again.committed);
  CHECK(again.secret_changes.Count(kube::Action::kConfigured) == 1);
  secret = client->Get(kSecret, ns, "flux-system");
  REQUIRE(secret.ok());
  CHECK(SecretValue(secret->json(), "ca.crt") == auth.ca_pem + "\n");
}

}  // namespace
}  // namespace fluxcpp::bootstrap
