// A GitRepository over SSH: the first artifact and its status, a reconcile without a new commit
// that fetches nothing, a new commit that replaces (and garbage-collects) the artifact, and
// deletion.
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <thread>

#include "reconciler/runtime/status.h"
#include "tests/e2e/reconciler_source/source_ground.h"

namespace fluxcpp::testing {
namespace {

namespace fs = std::filesystem;
using manifest::Json;
using reconciler::Outcome;

TEST_CASE("GitRepository over SSH: artifact, status, no refetch, new commit, deletion") {
  SourceFixture fixture;
  PushableRepository repository("gitrepo-ssh");
  std::string first = repository.Push(
      {{"apps/app.yaml", "kind: ConfigMap\n"}, {"README.md", "# fleet\n"}}, "first");
  fixture.CreateSecret("ssh-auth",
                       {{"identity", GroundSshKey()}, {"known_hosts", GroundKnownHosts()}});
  fixture.CreateGitRepository("fleet", {{"url", repository.urls().ssh_url},
                                        {"interval", "5m"},
                                        {"ref", {{"branch", "main"}}},
                                        {"secretRef", {{"name", "ssh-auth"}}}});

  Outcome outcome = fixture.Reconcile("fleet");
  INFO(outcome.error.ToString());
  REQUIRE(outcome.kind == Outcome::Kind::kRequeueAfter);
  CHECK(outcome.after == std::chrono::minutes(5));
  CHECK(outcome.jitter);

  manifest::Object object = fixture.Get("fleet");
  const Json& status = object.json()["status"];
  INFO(status.dump());
  CHECK(status["observedGeneration"] == object.json()["metadata"]["generation"]);
  CHECK(object.json()["metadata"]["finalizers"] == Json::array({"finalizers.fluxcd.io"}));
  auto artifact = fixture.ArtifactOf("fleet");
  std::string revision = "main@sha1:" + first;
  CHECK(artifact.revision == revision);
  CHECK(artifact.path == "gitrepository/" + fixture.ns() + "/fleet/" + first + ".tar.gz");
  CHECK(artifact.url == std::string(kArtifactBaseUrl) + "/" + artifact.path);
  CHECK(artifact.digest ==
        *reconciler::artifact::FileDigest(fixture.storage().LocalPath(artifact.path)));
  CHECK(artifact.size ==
        static_cast<int64_t>(fs::file_size(fixture.storage().LocalPath(artifact.path))));
  CHECK(!artifact.last_update_time.empty());
  CHECK(fixture.ArtifactFiles(artifact) == std::vector<std::string>{"README.md", "apps/app.yaml"});
  CHECK(fixture.ArtifactFile(artifact, "apps/app.yaml") == "kind: ConfigMap\n");

  Json ready = fixture.Condition("fleet", "Ready");
  CHECK(ready["status"] == "True");
  CHECK(ready["reason"] == "Succeeded");
  CHECK(ready["message"] == "stored artifact for revision '" + revision + "'");
  Json stored = fixture.Condition("fleet", "ArtifactInStorage");
  CHECK(stored["status"] == "True");
  CHECK(stored["message"] == ready["message"]);
  CHECK(reconciler::FindCondition(status["conditions"], "FetchFailed") == nullptr);
  CHECK(reconciler::FindCondition(status["conditions"], "Reconciling") == nullptr);

  auto events = fixture.client().List({"", "v1", "Event"}, fixture.ns());
  REQUIRE(events.ok());
  bool announced = false;
  for (const manifest::Object& event : events->items) {
    const Json& json = event.json();
    if (json["involvedObject"].value("name", "") == "fleet" &&
        json.value("reason", "") == "NewArtifact") {
      announced = true;
      CHECK(json["message"] == ready["message"]);
      CHECK(json.value("type", "") == "Normal");
    }
  }
  CHECK(announced);

  SECTION("a reconcile without a new commit fetches and archives nothing") {
    auto mirror_mtime = fs::last_write_time(fixture.clone_root() + "/" + fixture.ns() + "/fleet");
    auto file_mtime = fs::last_write_time(fixture.storage().LocalPath(artifact.path));
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    fixture.PatchGitRepository(
        "fleet", {{"metadata", {{"annotations", {{"reconcile.fluxcd.io/requestedAt", "now-1"}}}}}});
    REQUIRE(fixture.Reconcile("fleet").kind == Outcome::Kind::kRequeueAfter);
    auto again = fixture.ArtifactOf("fleet");
    CHECK(again.last_update_time == artifact.last_update_time);
    CHECK(again.digest == artifact.digest);
    CHECK(fs::last_write_time(fixture.storage().LocalPath(artifact.path)) == file_mtime);
    CHECK(fs::last_write_time(fixture.clone_root() + "/" + fixture.ns() + "/fleet") ==
          mirror_mtime);
    CHECK(fixture.Get("fleet").json()["status"]["lastHandledReconcileAt"] == "now-1");
  }

  SECTION("a new commit gives a new artifact and the old one is collected") {
    std::string second = repository.Push({{"apps/app.yaml", "kind: Secret\n"}}, "second");
    REQUIRE(fixture.Reconcile("fleet").kind == Outcome::Kind::kRequeueAfter);
    auto next = fixture.ArtifactOf("fleet");
    CHECK(next.revision == "main@sha1:" + second);
    CHECK(next.digest != artifact.digest);
    CHECK(fixture.ArtifactFile(next, "apps/app.yaml") == "kind: Secret\n");
    CHECK(fixture.StoredFiles("fleet") == std::vector<std::string>{second + ".tar.gz"});
    CHECK(fixture.Condition("fleet", "Ready")["message"] ==
          "stored artifact for revision 'main@sha1:" + second + "'");
  }

  SECTION("deletion removes the artifacts, the clone and the finalizer") {
    REQUIRE(fixture.client()
                .Delete(reconciler::source::kGitRepositoryKind, fixture.ns(), "fleet")
                .ok());
    // The finalizer holds the object until the reconciler lets go.
    CHECK(fixture.Get("fleet").json()["metadata"].contains("deletionTimestamp"));
    CHECK(fixture.Reconcile("fleet").kind == Outcome::Kind::kDone);
    CHECK(fixture.StoredFiles("fleet").empty());
    CHECK(!fs::exists(fixture.clone_root() + "/" + fixture.ns() + "/fleet"));
    auto gone = fixture.client().Get(reconciler::source::kGitRepositoryKind, fixture.ns(), "fleet");
    CHECK(!gone.ok());
  }
}

TEST_CASE("GitRepository with an invalid semver range is Stalled without retry") {
  SourceFixture fixture;
  PushableRepository repository("gitrepo-stalled");
  repository.Push({{"a.yaml", "a: 1\n"}}, "first");
  fixture.CreateGitRepository("broken",
                              {{"url", repository.urls().http_url}, {"ref", {{"semver", ">=>1"}}}});
  Outcome outcome = fixture.Reconcile("broken");
  CHECK(outcome.kind == Outcome::Kind::kDone);
  Json stalled = fixture.Condition("broken", "Stalled");
  CHECK(stalled["status"] == "True");
  CHECK(stalled["message"].get<std::string>().find("spec.ref.semver") != std::string::npos);
  Json ready = fixture.Condition("broken", "Ready");
  CHECK(ready["status"] == "False");
  CHECK(ready["reason"] == stalled["reason"]);
  CHECK(fixture.StoredFiles("broken").empty());
}

TEST_CASE("a suspended GitRepository is left alone") {
  SourceFixture fixture;
  PushableRepository repository("gitrepo-suspend");
  repository.Push({{"a.yaml", "a: 1\n"}}, "first");
  fixture.CreateGitRepository("paused", {{"url", repository.urls().http_url}, {"suspend", true}});
  CHECK(fixture.Reconcile("paused").kind == Outcome::Kind::kDone);
  Json paused = fixture.Get("paused").json();
  CHECK_FALSE(paused.value("status", Json::object()).contains("artifact"));
  CHECK(fixture.StoredFiles("paused").empty());
}

}  // namespace
}  // namespace fluxcpp::testing
