// Signed commits against the ground's Git server: keys made by the real gpg at test time, every
// commit checked by the real `git verify-commit` in a GnuPG home holding only the public key.
#include <catch2/catch.hpp>
#include <sstream>

#include "lib/git/repository.h"
#include "tests/e2e/git/git_ground.h"
#include "tests/e2e/support/gpg_keys.h"
#include "tests/e2e/support/ground.h"

namespace fluxcpp::git {
namespace {

using fluxcpp::testing::GpgKey;
using fluxcpp::testing::GroundHttpsAuth;
using fluxcpp::testing::GroundSshAuth;
using fluxcpp::testing::MakeGpgKey;
using fluxcpp::testing::NewGroundRepository;
using fluxcpp::testing::RunGround;
using fluxcpp::testing::ScratchDirectory;
using fluxcpp::testing::VerifyCommit;

std::unique_ptr<Repository> MustClone(const std::string& url, const std::string& directory,
                                      const AuthOptions& auth) {
  auto clone = Repository::Clone(url, directory, {.branch = "main", .auth = auth});
  INFO(clone.status().ToString());
  REQUIRE(clone.ok());
  return std::move(*clone);
}

SigningOptions SigningWith(const GpgKey& key, const std::string& key_id = "") {
  return {.armored_key_ring = key.armored_secret, .passphrase = key.passphrase, .key_id = key_id};
}

absl::StatusOr<CommitResult> WriteAndCommit(Repository& repository, const std::string& file,
                                            const std::string& content,
                                            const SigningOptions& signing) {
  REQUIRE(repository.WriteFile(file, content).ok());
  return repository.Commit({.author_name = "Flux",
                            .author_email = "flux@example.com",
                            .message = "Write " + file,
                            .signing = signing});
}

// Checks that `commit` in `directory` carries a good signature by `key`.
void CheckSignedBy(const std::string& directory, const std::string& commit, const GpgKey& key,
                   const std::string& gnupg_home) {
  testing::CommandRun verified = VerifyCommit(directory, commit, gnupg_home);
  INFO(verified.output);
  CHECK(verified.exit_code == 0);
  CHECK(verified.output.find("[GNUPG:] GOODSIG " + key.key_id) != std::string::npos);
  CHECK(verified.output.find("[GNUPG:] VALIDSIG") != std::string::npos);
}

TEST_CASE("signed commits are pushed and verify with git verify-commit at the remote") {
  ScratchDirectory scratch;
  auto repository = NewGroundRepository("signed");
  RunGround({"seed", repository.name, std::string(TESTDATA_DIR) + "/seed"});

  SECTION("an unprotected key") {
    GpgKey key = MakeGpgKey(scratch, "unprotected");
    std::string home = testing::VerifyingGnupgHome(scratch, "verify", key);
    auto ours = MustClone(repository.ssh_url, scratch.path() + "/ours", GroundSshAuth());
    auto commit = WriteAndCommit(*ours, "signed.yaml", "signed: true\n", SigningWith(key));
    INFO(commit.status().ToString());
    REQUIRE(commit.ok());
    REQUIRE(commit->created);
    CheckSignedBy(ours->directory(), commit->sha, key, home);
    REQUIRE(ours->Push().ok());
    // A fresh clone: the signature travelled with the commit.
    auto fresh = MustClone(repository.https_url, scratch.path() + "/fresh", GroundHttpsAuth());
    CHECK(*fresh->Head() == commit->sha);
    CheckSignedBy(fresh->directory(), commit->sha, key, home);
    // A key the verifier does not know does not verify it.
    GpgKey stranger = MakeGpgKey(scratch, "stranger");
    std::string stranger_home = testing::VerifyingGnupgHome(scratch, "stranger-home", stranger);
    CHECK(VerifyCommit(fresh->directory(), commit->sha, stranger_home).exit_code != 0);
  }
  SECTION("a protected key with its passphrase, chosen by id") {
    GpgKey other = MakeGpgKey(scratch, "other");
    GpgKey key = MakeGpgKey(scratch, "protected", {.passphrase = "s3cret passphrase"});
    std::string home = testing::VerifyingGnupgHome(scratch, "verify", key);
    auto ours = MustClone(repository.https_url, scratch.path() + "/ours", GroundHttpsAuth());
    SigningOptions signing{.armored_key_ring = other.armored_secret + key.armored_secret,
                           .passphrase = key.passphrase,
                           .key_id = "0x" + key.key_id};
    auto commit = WriteAndCommit(*ours, "signed.yaml", "signed: true\n", signing);
    INFO(commit.status().ToString());
    REQUIRE(commit.ok());
    CheckSignedBy(ours->directory(), commit->sha, key, home);
    REQUIRE(ours->Push().ok());
    auto fresh = MustClone(repository.ssh_url, scratch.path() + "/fresh", GroundSshAuth());
    CheckSignedBy(fresh->directory(), commit->sha, key, home);
  }
  SECTION("an unsigned commit does not verify") {
    GpgKey key = MakeGpgKey(scratch, "unused");
    std::string home = testing::VerifyingGnupgHome(scratch, "verify", key);
    auto ours = MustClone(repository.ssh_url, scratch.path() + "/ours", GroundSshAuth());
    auto commit = WriteAndCommit(*ours, "unsigned.yaml", "signed: false\n", {});
    REQUIRE(commit.ok());
    CHECK(VerifyCommit(ours->directory(), commit->sha, home).exit_code != 0);
  }
}

TEST_CASE("a signing failure names the problem and leaves the clone and the remote unchanged") {
  ScratchDirectory scratch;
  auto repository = NewGroundRepository("signing-fails");
  RunGround({"seed", repository.name, std::string(TESTDATA_DIR) + "/seed"});
  GpgKey key = MakeGpgKey(scratch, "protected", {.passphrase = "the right one"});
  auto ours = MustClone(repository.ssh_url, scratch.path() + "/ours", GroundSshAuth());
  std::string head_before = *ours->Head();
  auto remote_before = LsRemote(repository.ssh_url, "main", GroundSshAuth());
  REQUIRE(remote_before.ok());

  std::string expected;
  SigningOptions signing = SigningWith(key);
  SECTION("a wrong passphrase") {
    signing.passphrase = "the wrong one";
    expected = "wrong passphrase for OpenPGP key " + key.key_id;
  }
  SECTION("no passphrase for a protected key") {
    signing.passphrase.clear();
    expected = "protected by a passphrase and none was given";
  }
  SECTION("a key id the ring lacks") {
    signing.key_id = "0xDEADBEEFDEADBEEF";
    expected = "OpenPGP key id DEADBEEFDEADBEEF is not a secret key of the key ring (it holds " +
               key.key_id + ")";
  }
  SECTION("a ring with only the public key") {
    signing.armored_key_ring = key.armored_public;
    expected = "holds no secret key";
  }
  SECTION("an expired key") {
    GpgKey expired = MakeGpgKey(scratch, "expired", {.expire = "1d", .created = "20200101T000000"});
    signing = SigningWith(expired);
    expected = "OpenPGP key " + expired.key_id + " expired on 2020-01-0";
  }

  auto commit = WriteAndCommit(*ours, "never.yaml", "committed: false\n", signing);
  REQUIRE_FALSE(commit.ok());
  INFO(commit.status().ToString());
  std::string message(commit.status().message());
  CHECK(message.find(expected) != std::string::npos);
  CHECK(message.find("commit on main in " + ours->directory()) != std::string::npos);
  CHECK(message.find("the right one") == std::string::npos);
  CHECK(message.find("the wrong one") == std::string::npos);
  CHECK(message.find("PRIVATE KEY") == std::string::npos);
  CHECK(*ours->Head() == head_before);
  // Nothing staged on disk either: git sees the file as untracked.
  CHECK(testing::Shell("git -C " + testing::ShellQuote(ours->directory()) +
                       " status --porcelain") == "?? never.yaml\n");
  // Push has nothing new to send.
  auto pushed = ours->Push();
  REQUIRE(pushed.ok());
  CHECK(pushed->sha == head_before);
  auto remote_after = LsRemote(repository.ssh_url, "main", GroundSshAuth());
  REQUIRE(remote_after.ok());
  CHECK(*remote_after == *remote_before);
}

TEST_CASE("commits re-applied on a moved remote head are signed too") {
  ScratchDirectory scratch;
  auto repository = NewGroundRepository("signed-race");
  RunGround({"seed", repository.name, std::string(TESTDATA_DIR) + "/seed"});
  GpgKey key = MakeGpgKey(scratch, "racer", {.passphrase = "race passphrase"});
  std::string home = testing::VerifyingGnupgHome(scratch, "verify", key);
  auto ours = MustClone(repository.ssh_url, scratch.path() + "/ours", GroundSshAuth());
  auto theirs = MustClone(repository.https_url, scratch.path() + "/theirs", GroundHttpsAuth());

  auto their_commit = WriteAndCommit(*theirs, "theirs.yaml", "owner: them\n", {});
  REQUIRE(their_commit.ok());
  REQUIRE(theirs->Push().ok());
  REQUIRE(WriteAndCommit(*ours, "ours.yaml", "owner: us\n", SigningWith(key)).ok());
  REQUIRE(WriteAndCommit(*ours, "more.yaml", "owner: us\n", SigningWith(key)).ok());

  auto pushed = ours->Push();
  INFO(pushed.status().ToString());
  REQUIRE(pushed.ok());
  CHECK(pushed->reapplied == 1);
  auto fresh = MustClone(repository.https_url, scratch.path() + "/fresh", GroundHttpsAuth());
  REQUIRE(*fresh->Head() == pushed->sha);
  std::istringstream ours_at_remote(testing::Shell("git -C " +
                                                   testing::ShellQuote(fresh->directory()) +
                                                   " rev-list " + their_commit->sha + "..HEAD"));
  int checked = 0;
  for (std::string sha; std::getline(ours_at_remote, sha); ++checked) {
    CheckSignedBy(fresh->directory(), sha, key, home);
  }
  CHECK(checked == 2);
  CHECK(VerifyCommit(fresh->directory(), their_commit->sha, home).exit_code != 0);
}

}  // namespace
}  // namespace fluxcpp::git
