// `fluxcpp bootstrap git --gpg-key-ring/--gpg-passphrase/--gpg-key-id` against the ground: the
// commits pushed to the Git server are signed and the real `git verify-commit` accepts them; a
// wrong passphrase fails before Git or the cluster change.
#include <catch2/catch.hpp>

#include "absl/strings/match.h"
#include "lib/git/repository.h"
#include "tests/e2e/bootstrap_workflow/workflow_ground.h"
#include "tests/e2e/support/gpg_keys.h"
#include "tests/e2e/support/ground.h"

namespace fluxcpp::bootstrap {
namespace {

using testing::ShellQuote;

struct Run {
  int exit_code = -1;
  std::string err;
};

Run RunFluxcpp(const std::string& arguments, const std::string& environment = "") {
  testing::ScratchDirectory scratch;
  testing::CommandRun run = testing::RunCommand(environment + " " + FLUXCPP_BIN + " " + arguments +
                                                " 2>" + scratch.path() + "/stderr");
  return {run.exit_code, testing::ReadTextFile(scratch.path() + "/stderr")};
}

TEST_CASE("fluxcpp bootstrap git signs its commits with --gpg-key-ring") {
  auto client = testing::AdminClient();
  auto repository = testing::NewGroundRepository("cli-signed");
  std::string ns = testing::UniqueName("bw-signed");
  testing::InstallCleanup cleanup(*client, ns);
  testing::ScratchDirectory scratch;
  testing::GpgKey other = testing::MakeGpgKey(scratch, "other");
  testing::GpgKey key = testing::MakeGpgKey(scratch, "bootstrap", {.passphrase = "open sesame"});
  std::string ring = scratch.Write("ring.asc", other.armored_secret + key.armored_secret, 0600);
  std::string verify_home = testing::VerifyingGnupgHome(scratch, "verify", key);
  std::string bootstrap = "bootstrap git --url " + repository.ssh_url + " --namespace " + ns +
                          " --path clusters/signed --private-key-file " +
                          testing::GroundEnv("GIT_SSH_KEY") + " --known-hosts-file " +
                          testing::GroundEnv("GIT_KNOWN_HOSTS") + " --timeout 2m --gpg-key-ring " +
                          ring + " --gpg-key-id " + key.key_id;

  SECTION("a wrong passphrase fails before Git or the cluster change") {
    Run wrong = RunFluxcpp(bootstrap + " --gpg-passphrase " + ShellQuote("not it"));
    INFO(wrong.err);
    CHECK(wrong.exit_code == 1);
    CHECK(absl::StrContains(wrong.err, "wrong passphrase for OpenPGP key " + key.key_id));
    CHECK_FALSE(absl::StrContains(wrong.err, "not it"));
    CHECK_FALSE(absl::StrContains(wrong.err, "PRIVATE KEY"));
    CHECK(testing::RemoteHead(repository.ssh_url, testing::GroundSshAuth()).empty());
    CHECK_FALSE(testing::Exists(*client, {"", "v1", "Namespace"}, "", ns));
  }
  SECTION("the pushed commits verify with git verify-commit") {
    testing::FakeReconciler reconciler(ns, repository.ssh_url, testing::GroundSshAuth());
    // The passphrase from the environment, as the help recommends.
    Run first = RunFluxcpp(bootstrap, "GPG_PASSPHRASE=" + ShellQuote(key.passphrase));
    INFO(first.err);
    REQUIRE(first.exit_code == 0);
    CHECK(absl::StrContains(first.err, "commits will be signed with OpenPGP key " + key.key_id));
    CHECK_FALSE(absl::StrContains(first.err, key.passphrase));
    std::string head = testing::RemoteHead(repository.ssh_url, testing::GroundSshAuth());
    REQUIRE_FALSE(head.empty());

    // The remote's history, cloned anew: the bootstrap commit carries a good signature by the key.
    auto clone = git::Repository::Clone(repository.https_url, scratch.path() + "/clone",
                                        {.auth = testing::GroundHttpsAuth()});
    REQUIRE(clone.ok());
    REQUIRE(*(*clone)->Head() == head);
    testing::CommandRun verified = testing::VerifyCommit((*clone)->directory(), head, verify_home);
    INFO(verified.output);
    CHECK(verified.exit_code == 0);
    CHECK(absl::StrContains(verified.output, "[GNUPG:] GOODSIG " + key.key_id));
    std::string other_home = testing::VerifyingGnupgHome(scratch, "verify-other", other);
    CHECK(testing::VerifyCommit((*clone)->directory(), head, other_home).exit_code != 0);
  }
}

TEST_CASE("fluxcpp bootstrap git: --gpg-key-id and --gpg-passphrase need --gpg-key-ring") {
  Run run =
      RunFluxcpp("bootstrap git --url https://127.0.0.1:1/x.git --gpg-key-id 0123456789ABCDEF");
  CHECK(run.exit_code == 2);
  CHECK(absl::StrContains(run.err, "--gpg-key-ring"));
  std::string help = testing::Shell(std::string(FLUXCPP_BIN) + " bootstrap git --help");
  for (const char* flag : {"--gpg-key-ring", "--gpg-passphrase", "--gpg-key-id"}) {
    CHECK(absl::StrContains(help, flag));
  }
}

}  // namespace
}  // namespace fluxcpp::bootstrap
