// Working with a remote that others write to: pushes racing another writer, conflicts, incremental
// fetch, ls-remote, and starting from an empty repository or a new branch.
#include <catch2/catch.hpp>

#include "lib/git/repository.h"
#include "tests/e2e/git/git_ground.h"
#include "tests/e2e/support/ground.h"

namespace fluxcpp::git {
namespace {

using fluxcpp::testing::GroundHttpsAuth;
using fluxcpp::testing::GroundSshAuth;
using fluxcpp::testing::NewGroundRepository;
using fluxcpp::testing::RunGround;
using fluxcpp::testing::ScratchDirectory;

std::unique_ptr<Repository> MustClone(const std::string& url, const std::string& directory,
                                      const AuthOptions& auth, const std::string& branch = "main") {
  auto clone = Repository::Clone(url, directory, {.branch = branch, .auth = auth});
  INFO(clone.status().ToString());
  REQUIRE(clone.ok());
  return std::move(*clone);
}

std::string MustCommit(Repository& repository, const std::string& file,
                       const std::string& content) {
  REQUIRE(repository.WriteFile(file, content).ok());
  auto commit = repository.Commit(
      {.author_name = "Flux", .author_email = "flux@example.com", .message = "Write " + file});
  INFO(commit.status().ToString());
  REQUIRE(commit.ok());
  REQUIRE(commit->created);
  return commit->sha;
}

TEST_CASE("a push racing another writer re-applies our commits on theirs") {
  auto repository = NewGroundRepository("push-race");
  RunGround({"seed", repository.name, std::string(TESTDATA_DIR) + "/seed"});
  ScratchDirectory scratch;
  auto ours = MustClone(repository.ssh_url, scratch.path() + "/ours", GroundSshAuth());
  auto theirs = MustClone(repository.https_url, scratch.path() + "/theirs", GroundHttpsAuth());

  std::string their_commit = MustCommit(*theirs, "theirs.yaml", "owner: them\n");
  REQUIRE(theirs->Push().ok());
  MustCommit(*ours, "ours.yaml", "owner: us\n");
  MustCommit(*ours, "apps/configmap.yaml", "replaced: true\n");

  auto pushed = ours->Push();
  INFO(pushed.status().ToString());
  REQUIRE(pushed.ok());
  CHECK(pushed->reapplied == 1);
  CHECK(RunGround({"read", repository.name, "main"}) ==
        "apps/configmap.yaml\nours.yaml\ntheirs.yaml\n");
  CHECK(RunGround({"read", repository.name, "main", "apps/configmap.yaml"}) == "replaced: true\n");
  auto listed = LsRemote(repository.ssh_url, "main", GroundSshAuth());
  REQUIRE(listed.ok());
  CHECK(*listed == pushed->sha);
  // Our work tree now holds their file too, and our branch sits on their commit.
  auto their_file = ours->ReadFile("theirs.yaml");
  REQUIRE(their_file.ok());
  CHECK(*their_file == "owner: them\n");
  CHECK(*ours->Head() == pushed->sha);
  CHECK(RunGround({"read", repository.name, "main", "theirs.yaml"}) == "owner: them\n");
  (void)their_commit;
}

TEST_CASE("a push whose changes conflict with another writer's is aborted, naming the file") {
  auto repository = NewGroundRepository("push-conflict");
  RunGround({"seed", repository.name, std::string(TESTDATA_DIR) + "/seed"});
  ScratchDirectory scratch;
  auto ours = MustClone(repository.ssh_url, scratch.path() + "/ours", GroundSshAuth());
  auto theirs = MustClone(repository.ssh_url, scratch.path() + "/theirs", GroundSshAuth());
  MustCommit(*theirs, "apps/configmap.yaml", "color: red\n");
  REQUIRE(theirs->Push().ok());
  MustCommit(*ours, "apps/configmap.yaml", "color: green\n");
  auto pushed = ours->Push();
  REQUIRE_FALSE(pushed.ok());
  INFO(pushed.status().ToString());
  CHECK(pushed.status().code() == absl::StatusCode::kAborted);
  CHECK_THAT(std::string(pushed.status().message()), Catch::Contains(repository.ssh_url) &&
                                                         Catch::Contains("conflicts") &&
                                                         Catch::Contains("apps/configmap.yaml"));
  CHECK(RunGround({"read", repository.name, "main", "apps/configmap.yaml"}) == "color: red\n");
}

TEST_CASE("an incremental fetch sees a commit pushed by someone else") {
  auto repository = NewGroundRepository("fetch");
  std::string seeded =
      RunGround({"seed", repository.name, std::string(TESTDATA_DIR) + "/seed"}).substr(0, 40);
  ScratchDirectory scratch;
  auto reader = MustClone(repository.https_url, scratch.path() + "/reader", GroundHttpsAuth());
  auto fetched = reader->Fetch();
  REQUIRE(fetched.ok());
  CHECK(*fetched == seeded);

  auto writer = MustClone(repository.ssh_url, scratch.path() + "/writer", GroundSshAuth());
  std::string pushed = MustCommit(*writer, "new.yaml", "fresh: true\n");
  REQUIRE(writer->Push().ok());

  // Reopened from disk, as a reconciler does after a restart.
  reader.reset();
  auto reopened = Repository::Open(scratch.path() + "/reader", GroundHttpsAuth());
  INFO(reopened.status().ToString());
  REQUIRE(reopened.ok());
  CHECK((*reopened)->branch() == "main");
  fetched = (*reopened)->Fetch();
  INFO(fetched.status().ToString());
  REQUIRE(fetched.ok());
  CHECK(*fetched == pushed);
  CHECK(*(*reopened)->Head() == seeded);  // the local branch waits for ResetHard
  REQUIRE((*reopened)->ResetHard(*fetched).ok());
  CHECK(*(*reopened)->ReadFile("new.yaml") == "fresh: true\n");
}

TEST_CASE("ls-remote asks for a ref's head without cloning") {
  auto repository = NewGroundRepository("ls-remote");
  std::string seeded =
      RunGround({"seed", repository.name, std::string(TESTDATA_DIR) + "/seed"}).substr(0, 40);
  auto over_ssh = LsRemote(repository.ssh_url, "main", GroundSshAuth());
  INFO(over_ssh.status().ToString());
  REQUIRE(over_ssh.ok());
  CHECK(*over_ssh == seeded);
  auto full_name = LsRemote(repository.https_url, "refs/heads/main", GroundHttpsAuth());
  REQUIRE(full_name.ok());
  CHECK(*full_name == seeded);
  auto missing = LsRemote(repository.https_url, "no-such-branch", GroundHttpsAuth());
  REQUIRE(missing.ok());
  CHECK_FALSE(missing->has_value());
}

TEST_CASE("a clone of an empty repository starts the branch with its first push") {
  auto repository = NewGroundRepository("empty");
  ScratchDirectory scratch;
  auto clone = MustClone(repository.ssh_url, scratch.path() + "/tree", GroundSshAuth());
  CHECK(clone->Head()->empty());
  CHECK(clone->Fetch().status().code() == absl::StatusCode::kNotFound);
  auto nothing = clone->Commit(
      {.author_name = "Flux", .author_email = "flux@example.com", .message = "Nothing"});
  REQUIRE(nothing.ok());
  CHECK_FALSE(nothing->created);

  std::string first = MustCommit(*clone, "flux-system/gotk-sync.yaml", "kind: GitRepository\n");
  auto pushed = clone->Push();
  INFO(pushed.status().ToString());
  REQUIRE(pushed.ok());
  CHECK(pushed->sha == first);
  auto listed = LsRemote(repository.ssh_url, "main", GroundSshAuth());
  REQUIRE(listed.ok());
  CHECK(*listed == first);
}

TEST_CASE("a clone of a branch the remote lacks starts a new branch") {
  auto repository = NewGroundRepository("new-branch");
  std::string seeded =
      RunGround({"seed", repository.name, std::string(TESTDATA_DIR) + "/seed"}).substr(0, 40);
  ScratchDirectory scratch;
  auto clone =
      MustClone(repository.https_url, scratch.path() + "/tree", GroundHttpsAuth(), "staging");
  CHECK(clone->Head()->empty());
  std::string first = MustCommit(*clone, "staging.yaml", "stage: true\n");
  REQUIRE(clone->Push().ok());
  CHECK(RunGround({"read", repository.name, "staging"}) == "staging.yaml\n");
  CHECK(*LsRemote(repository.https_url, "main", GroundHttpsAuth()) == seeded);
  CHECK(*LsRemote(repository.https_url, "staging", GroundHttpsAuth()) == first);
}

TEST_CASE("file paths must stay inside the work tree") {
  auto repository = NewGroundRepository("paths");
  ScratchDirectory scratch;
  auto clone = MustClone(repository.ssh_url, scratch.path() + "/tree", GroundSshAuth());
  for (const char* path : {"../outside", "/etc/passwd", ".git/config", "", "a/../../b"}) {
    INFO(path);
    CHECK(clone->WriteFile(path, "x").code() == absl::StatusCode::kInvalidArgument);
  }
  CHECK(clone->ReadFile("missing.yaml").status().code() == absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace fluxcpp::git
