// lib/git's Mirror against the ground's Git server: the refs a remote lists (annotated tags
// peeled), fetches that only bring what is new, and the tree of a commit written out as files.
#include "lib/git/mirror.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "tests/e2e/reconciler_source/source_ground.h"

namespace fluxcpp::testing {
namespace {

namespace fs = std::filesystem;

TEST_CASE("Mirror fetches incrementally and writes trees") {
  PushableRepository repository("mirror");
  std::map<std::string, std::string> many;
  for (int i = 0; i < 40; ++i)
    many["files/file-" + std::to_string(i) + ".yaml"] = "n: " + std::to_string(i) + "\n";
  std::string first = repository.Push(many, "first");
  repository.Tag("v1.0.0", first, "annotated");

  git::AuthOptions auth = GroundHttpsAuth();
  auto refs = git::ListRemoteRefs(repository.urls().https_url, auth);
  INFO(refs.status().ToString());
  REQUIRE(refs.ok());
  bool saw_tag = false;
  for (const git::RemoteRef& ref : *refs) {
    if (ref.name == "refs/tags/v1.0.0") {
      saw_tag = true;
      CHECK(ref.commit == first);
      CHECK(ref.target != first);  // the tag object
    }
  }
  CHECK(saw_tag);

  ScratchDirectory scratch;
  auto mirror = git::Mirror::Open(repository.urls().https_url, scratch.path() + "/mirror", auth);
  REQUIRE(mirror.ok());
  CHECK_FALSE((*mirror)->HasCommit(first));
  auto received = (*mirror)->Fetch("refs/heads/main");
  INFO(received.status().ToString());
  REQUIRE(received.ok());
  CHECK(*received >= 42);  // commit, two trees, 40 blobs
  CHECK((*mirror)->HasCommit(first));

  std::string second = repository.Push({{"files/file-0.yaml", "n: changed\n"}}, "second");
  // Reopened, as the reconciler does on every run: the objects stay on disk.
  mirror = git::Mirror::Open(repository.urls().https_url, scratch.path() + "/mirror", auth);
  REQUIRE(mirror.ok());
  received = (*mirror)->Fetch("refs/heads/main");
  REQUIRE(received.ok());
  CHECK(*received <= 4);  // the new commit, two trees, one blob: nothing already there
  CHECK((*mirror)->HasCommit(second));

  // Refs outside refs/ (the remote's HEAD) can be fetched too.
  REQUIRE((*mirror)->Fetch("HEAD").ok());

  std::string out = scratch.path() + "/tree";
  REQUIRE((*mirror)->WriteTree(second, out).ok());
  CHECK(ReadTextFile(out + "/files/file-0.yaml") == "n: changed\n");
  CHECK(ReadTextFile(out + "/files/file-39.yaml") == "n: 39\n");
  CHECK(!fs::exists(out + "/.git"));
  CHECK(!(*mirror)->WriteTree(second, out).ok());  // not empty any more

  auto wrong = git::Mirror::Open(
      repository.urls().https_url, scratch.path() + "/mirror2",
      git::AuthOptions{
          .username = GroundEnv("GIT_USERNAME"), .password = "wrong", .ca_pem = GroundCa()});
  REQUIRE(wrong.ok());
  auto refused = (*wrong)->Fetch("refs/heads/main");
  REQUIRE(!refused.ok());
  CHECK(refused.status().code() == absl::StatusCode::kUnauthenticated);
}

TEST_CASE("Mirror gives up after its deadline") {
  PushableRepository repository("mirror-deadline");
  repository.Push({{"a.yaml", "a: 1\n"}}, "first");
  ScratchDirectory scratch;
  auto mirror = git::Mirror::Open(repository.urls().http_url, scratch.path() + "/mirror",
                                  git::AuthOptions{.allow_insecure_http = true});
  REQUIRE(mirror.ok());
  auto late = (*mirror)->Fetch("refs/heads/main", std::chrono::steady_clock::now());
  REQUIRE(!late.ok());
  CHECK(late.status().code() == absl::StatusCode::kDeadlineExceeded);
  CHECK(std::string(late.status().message()).find("timeout") != std::string::npos);
}

}  // namespace
}  // namespace fluxcpp::testing
