// Submodules: without spec.recurseSubmodules a gitlink is an empty folder (nothing archived); with
// it, each submodule's files are in the artifact at its path, fetched from the ground's server with
// the GitRepository's credentials, nested ones too, and a submodule that cannot be fetched fails
// the reconcile by name while the last artifact stays.
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "tests/e2e/git/silent_server.h"
#include "tests/e2e/reconciler_source/source_ground.h"

namespace fluxcpp::testing {
namespace {

namespace fs = std::filesystem;

using manifest::Json;
using reconciler::Outcome;

struct Submodule {
  std::string path;
  std::string url;     // as written into .gitmodules; empty: no .gitmodules entry
  std::string commit;  // the gitlink's commit
};

// Runs git in `folder` without the user's or the machine's configuration.
std::string Git(const std::string& folder, const std::string& arguments) {
  return Shell("GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=true git -C " + ShellQuote(folder) +
               " -c user.name=e2e -c user.email=e2e@example.com " + arguments);
}

std::string ServerPath(const GroundRepository& repository) {
  return GroundEnv("FLUXCPP_GROUND") + "/git/repos/" + repository.name + ".git";
}

// Replaces .gitmodules and the gitlinks of branch main with `submodules` and pushes; returns the
// new commit. A gitlink can only be made with git itself (lib/git makes none), in a clone of the
// server's repository.
std::string PushSubmodules(const GroundRepository& repository,
                           const std::vector<Submodule>& submodules, const std::string& message) {
  ScratchDirectory work;
  std::string clone = work.path() + "/w";
  Shell("GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=true git clone -q -b main " +
        ShellQuote(ServerPath(repository)) + " " + ShellQuote(clone));
  std::vector<std::string> entries = absl::StrSplit(Git(clone, "ls-files -s"), '\n');
  for (const std::string& entry : entries) {
    if (entry.rfind("160000 ", 0) == 0) {
      Git(clone, "rm -q --cached " + ShellQuote(entry.substr(entry.find('\t') + 1)));
    }
  }
  std::string gitmodules;
  for (const Submodule& submodule : submodules) {
    if (!submodule.url.empty()) {
      absl::StrAppend(&gitmodules, "[submodule \"", submodule.path,
                      "\"]\n\tpath = ", submodule.path, "\n\turl = ", submodule.url, "\n");
    }
    Git(clone, "update-index --add --cacheinfo 160000," + submodule.commit + "," +
                   ShellQuote(submodule.path));
  }
  work.Write("w/.gitmodules", gitmodules);
  Git(clone, "add .gitmodules");
  Git(clone, "commit -q -m " + ShellQuote(message));
  Git(clone, "push -q origin HEAD:refs/heads/main");
  return std::string(absl::StripAsciiWhitespace(Git(clone, "rev-parse HEAD")));
}

// Runs `change` (a shell command) in a clone of branch main, commits everything and pushes.
void PushChange(const GroundRepository& repository, const std::string& change,
                const std::string& message) {
  ScratchDirectory work;
  std::string clone = work.path() + "/w";
  Shell("GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=true git clone -q -b main " +
        ShellQuote(ServerPath(repository)) + " " + ShellQuote(clone));
  Shell("cd " + ShellQuote(clone) + " && " + change);
  Git(clone, "add -A");
  Git(clone, "commit -q -m " + ShellQuote(message));
  Git(clone, "push -q origin HEAD:refs/heads/main");
}

std::string Relative(const GroundRepository& repository) {
  return "../" + repository.name + ".git";
}

void CreateHttpsSecret(SourceFixture& fixture) {
  fixture.CreateSecret("https-auth", {{"username", GroundEnv("GIT_USERNAME")},
                                      {"password", GroundEnv("GIT_PASSWORD")},
                                      {"ca.crt", GroundCa()}});
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_CASE("GitRepository with relative and absolute submodules over HTTPS") {
  SourceFixture fixture;
  PushableRepository lib("submodule-lib");
  std::string lib_first = lib.Push({{"lib.yaml", "lib: 1\n"}}, "lib first");
  PushableRepository tools("submodule-tools");
  std::string tools_first = tools.Push({{"tools.yaml", "tools: 1\n"}}, "tools first");
  PushableRepository app("submodule-app");
  app.Push({{"app.yaml", "a: 1\n"}}, "first");
  std::string with_submodules = PushSubmodules(app.urls(),
                                               {{"vendor/lib", Relative(lib.urls()), lib_first},
                                                {"tools", tools.urls().https_url, tools_first}},
                                               "submodules");

  // Every repository of the server needs the password, so the submodules only come with the
  // GitRepository's credentials.
  CreateHttpsSecret(fixture);
  fixture.CreateGitRepository("plain", {{"url", app.urls().https_url},
                                        {"ref", {{"branch", "main"}}},
                                        {"secretRef", {{"name", "https-auth"}}}});
  REQUIRE(fixture.Reconcile("plain").kind == Outcome::Kind::kRequeueAfter);
  CHECK(fixture.ArtifactFiles(fixture.ArtifactOf("plain")) == std::vector<std::string>{"app.yaml"});

  fixture.CreateGitRepository("recursive", {{"url", app.urls().https_url},
                                            {"ref", {{"branch", "main"}}},
                                            {"secretRef", {{"name", "https-auth"}}},
                                            {"recurseSubmodules", true}});
  REQUIRE(fixture.Reconcile("recursive").kind == Outcome::Kind::kRequeueAfter);
  CHECK(fixture.Condition("recursive", "Ready")["status"] == "True");
  auto first = fixture.ArtifactOf("recursive");
  CHECK(first.revision == "main@sha1:" + with_submodules);  // the parent's revision
  CHECK(fixture.ArtifactFiles(first) ==
        std::vector<std::string>{"app.yaml", "tools/tools.yaml", "vendor/lib/lib.yaml"});
  CHECK(fixture.ArtifactFile(first, "vendor/lib/lib.yaml") == "lib: 1\n");
  CHECK(fixture.Get("recursive").json()["status"]["observedRecurseSubmodules"] == true);
  // One bare clone per submodule URL, inside the repository's own clone.
  fs::path modules = fs::path(fixture.clone_root()) / fixture.ns() / "recursive" / "modules";
  CHECK(std::distance(fs::directory_iterator(modules), fs::directory_iterator()) == 2);

  // A new submodule commit in the parent is a new artifact with the new files.
  std::string lib_second =
      lib.Push({{"lib.yaml", "lib: 2\n"}, {"extra/more.yaml", "more: 1\n"}}, "lib second");
  std::string bumped = PushSubmodules(app.urls(),
                                      {{"vendor/lib", Relative(lib.urls()), lib_second},
                                       {"tools", tools.urls().https_url, tools_first}},
                                      "bump lib");
  REQUIRE(fixture.Reconcile("recursive").kind == Outcome::Kind::kRequeueAfter);
  auto second = fixture.ArtifactOf("recursive");
  CHECK(second.revision == "main@sha1:" + bumped);
  CHECK(second.digest != first.digest);
  CHECK(fixture.ArtifactFiles(second) == std::vector<std::string>{"app.yaml", "tools/tools.yaml",
                                                                  "vendor/lib/extra/more.yaml",
                                                                  "vendor/lib/lib.yaml"});
  CHECK(fixture.ArtifactFile(second, "vendor/lib/lib.yaml") == "lib: 2\n");
  // The same clones, fetched again.
  CHECK(std::distance(fs::directory_iterator(modules), fs::directory_iterator()) == 2);

  // Turning submodules off again archives the same revision without them.
  fixture.PatchGitRepository("recursive", {{"spec", {{"recurseSubmodules", false}}}});
  REQUIRE(fixture.Reconcile("recursive").kind == Outcome::Kind::kRequeueAfter);
  auto without = fixture.ArtifactOf("recursive");
  CHECK(without.revision == second.revision);
  CHECK(fixture.ArtifactFiles(without) == std::vector<std::string>{"app.yaml"});
}

TEST_CASE("GitRepository fetches a submodule commit outside branches and tags by itself") {
  SourceFixture fixture;
  PushableRepository lib("submodule-lib");
  std::string on_main = lib.Push({{"lib.yaml", "lib: 1\n"}}, "on main");
  std::string elsewhere = lib.Push({{"lib.yaml", "lib: 2\n"}}, "only in a pull request");
  // Only refs/pull/1/head has the commit now, and the server lets clients ask for it by id.
  std::string server = ServerPath(lib.urls());
  Git(server, "update-ref refs/pull/1/head " + elsewhere);
  Git(server, "update-ref refs/heads/main " + on_main);
  Git(server, "config uploadpack.allowReachableSHA1InWant true");
  PushableRepository app("submodule-app");
  app.Push({{"app.yaml", "a: 1\n"}}, "first");
  PushSubmodules(app.urls(), {{"lib", Relative(lib.urls()), elsewhere}}, "lib");

  CreateHttpsSecret(fixture);
  fixture.CreateGitRepository("app", {{"url", app.urls().https_url},
                                      {"ref", {{"branch", "main"}}},
                                      {"secretRef", {{"name", "https-auth"}}},
                                      {"recurseSubmodules", true}});
  REQUIRE(fixture.Reconcile("app").kind == Outcome::Kind::kRequeueAfter);
  CHECK(fixture.ArtifactFile(fixture.ArtifactOf("app"), "lib/lib.yaml") == "lib: 2\n");
}

TEST_CASE("GitRepository with nested submodules over SSH") {
  SourceFixture fixture;
  PushableRepository leaf("submodule-leaf");
  std::string leaf_commit = leaf.Push({{"leaf.yaml", "leaf: 1\n"}}, "leaf");
  PushableRepository middle("submodule-middle");
  middle.Push({{"middle.yaml", "middle: 1\n"}}, "middle");
  // Relative to the middle repository's own URL, as git resolves nested submodules.
  std::string middle_commit = PushSubmodules(
      middle.urls(), {{"deps/leaf", Relative(leaf.urls()), leaf_commit}}, "leaf submodule");
  PushableRepository top("submodule-top");
  top.Push({{"top.yaml", "top: 1\n"}}, "top");
  std::string top_commit = PushSubmodules(
      top.urls(), {{"vendor/middle", middle.urls().ssh_url, middle_commit}}, "middle submodule");

  fixture.CreateSecret("ssh-auth",
                       {{"identity", GroundSshKey()}, {"known_hosts", GroundKnownHosts()}});
  fixture.CreateGitRepository("nested", {{"url", top.urls().ssh_url},
                                         {"ref", {{"branch", "main"}}},
                                         {"secretRef", {{"name", "ssh-auth"}}},
                                         {"recurseSubmodules", true}});
  REQUIRE(fixture.Reconcile("nested").kind == Outcome::Kind::kRequeueAfter);
  auto artifact = fixture.ArtifactOf("nested");
  CHECK(artifact.revision == "main@sha1:" + top_commit);
  CHECK(fixture.ArtifactFiles(artifact) ==
        std::vector<std::string>{"top.yaml", "vendor/middle/deps/leaf/leaf.yaml",
                                 "vendor/middle/middle.yaml"});
}

TEST_CASE("GitRepository submodules nest at most ten levels deep") {
  SourceFixture fixture;
  // One repository whose every commit has the one before it as submodule "sub": the commit
  // made last nests eleven levels deep, the one before ten.
  PushableRepository chain("submodule-chain");
  std::string commit = chain.Push({{"bottom.yaml", "bottom: 1\n"}}, "bottom");
  std::string ten_deep;
  for (int level = 1; level <= 11; ++level) {
    ten_deep = level == 11 ? commit : ten_deep;
    commit = PushSubmodules(chain.urls(), {{"sub", Relative(chain.urls()), commit}},
                            absl::StrCat("level ", level));
  }
  fixture.CreateGitRepository("ten", {{"url", chain.urls().http_url},
                                      {"ref", {{"branch", "main"}, {"commit", ten_deep}}},
                                      {"recurseSubmodules", true}});
  REQUIRE(fixture.Reconcile("ten").kind == Outcome::Kind::kRequeueAfter);
  // Every commit of the chain has bottom.yaml, so every level of the artifact has it too.
  std::vector<std::string> expected;
  std::string deepest;
  for (int level = 0; level <= 10; ++level) {
    expected.push_back(deepest + "bottom.yaml");
    if (level < 10) deepest += "sub/";
  }
  CHECK(fixture.ArtifactFiles(fixture.ArtifactOf("ten")) == expected);

  fixture.CreateGitRepository(
      "eleven",
      {{"url", chain.urls().http_url}, {"ref", {{"branch", "main"}}}, {"recurseSubmodules", true}});
  REQUIRE(fixture.Reconcile("eleven").kind == Outcome::Kind::kRetryWithBackoff);
  std::string message = fixture.Condition("eleven", "Ready")["message"];
  INFO(message);
  CHECK(Contains(message, "submodule '" + deepest + "sub'"));
  CHECK(Contains(message, "deeper than 10 levels"));
}

// Reconciles and checks that it failed with `reason`, naming `parts`, and kept `kept`.
void CheckFailureKeepsArtifact(SourceFixture& fixture, const std::string& name,
                               const reconciler::artifact::Artifact& kept,
                               const std::string& reason, const std::vector<std::string>& parts) {
  CHECK(fixture.Reconcile(name).kind == Outcome::Kind::kRetryWithBackoff);
  Json ready = fixture.Condition(name, "Ready");
  std::string message = ready["message"];
  INFO(message);
  CHECK(ready["status"] == "False");
  CHECK(ready["reason"] == reason);
  CHECK(fixture.Condition(name, "FetchFailed")["status"] == "True");
  for (const std::string& part : parts) CHECK(Contains(message, part));
  CHECK_FALSE(Contains(message, GroundEnv("GIT_PASSWORD")));
  auto artifact = fixture.ArtifactOf(name);
  CHECK(artifact.revision == kept.revision);
  CHECK(artifact.digest == kept.digest);
  CHECK(fixture.storage().Has(artifact));
}

TEST_CASE("GitRepository submodules that cannot be fetched fail by name and keep the artifact") {
  SourceFixture fixture;
  PushableRepository lib("submodule-lib");
  std::string lib_commit = lib.Push({{"lib.yaml", "lib: 1\n"}}, "lib");
  PushableRepository app("submodule-app");
  std::string app_first = app.Push({{"app.yaml", "a: 1\n"}}, "first");
  PushSubmodules(app.urls(), {{"vendor/lib", Relative(lib.urls()), lib_commit}}, "lib");
  CreateHttpsSecret(fixture);
  fixture.CreateGitRepository("app", {{"url", app.urls().https_url},
                                      {"ref", {{"branch", "main"}}},
                                      {"secretRef", {{"name", "https-auth"}}},
                                      {"recurseSubmodules", true}});
  REQUIRE(fixture.Reconcile("app").kind == Outcome::Kind::kRequeueAfter);
  auto good = fixture.ArtifactOf("app");
  REQUIRE(fixture.ArtifactFiles(good) ==
          std::vector<std::string>{"app.yaml", "vendor/lib/lib.yaml"});
  std::string https_base = lib.urls().https_url.substr(0, lib.urls().https_url.rfind('/'));

  SECTION("a repository the server does not have") {
    PushSubmodules(app.urls(), {{"vendor/lib", "../no-such-repository.git", lib_commit}},
                   "missing repository");
    CheckFailureKeepsArtifact(fixture, "app", good, "GitOperationFailed",
                              {"submodule 'vendor/lib'", https_base + "/no-such-repository.git"});
  }
  SECTION("a commit the submodule's remote does not have") {
    PushSubmodules(app.urls(), {{"vendor/lib", Relative(lib.urls()), app_first}}, "foreign commit");
    CheckFailureKeepsArtifact(
        fixture, "app", good, "GitOperationFailed",
        {"submodule 'vendor/lib'", lib.urls().https_url, "has no commit " + app_first});
  }
  SECTION("a server that does not answer") {
    PushSubmodules(app.urls(), {{"vendor/lib", "https://127.0.0.1:1/lib.git", lib_commit}},
                   "unreachable server");
    CheckFailureKeepsArtifact(fixture, "app", good, "GitOperationFailed",
                              {"submodule 'vendor/lib'", "https://127.0.0.1:1/lib.git"});
  }
  SECTION("a gitlink without a .gitmodules entry") {
    PushSubmodules(app.urls(), {{"vendor/lib", "", lib_commit}}, "no entry");
    CheckFailureKeepsArtifact(fixture, "app", good, "GitOperationFailed",
                              {"submodule 'vendor/lib'", ".gitmodules has no url"});
  }
  SECTION("another origin gets no password") {
    // The same server as "localhost": the password stays with 127.0.0.1, so the server refuses.
    std::string other_origin = lib.urls().https_url;
    other_origin.replace(other_origin.find("127.0.0.1"), 9, "localhost");
    PushSubmodules(app.urls(), {{"vendor/lib", other_origin, lib_commit}}, "other origin");
    CheckFailureKeepsArtifact(fixture, "app", good, "AuthenticationFailed",
                              {"submodule 'vendor/lib'", other_origin});
  }
  SECTION("an SSH submodule of an HTTPS repository has no key") {
    PushSubmodules(app.urls(), {{"vendor/lib", lib.urls().ssh_url, lib_commit}}, "ssh");
    CheckFailureKeepsArtifact(fixture, "app", good, "GitOperationFailed",
                              {"submodule 'vendor/lib'", "SSH needs a private key"});
  }
  SECTION("a .gitmodules that is a symbolic link") {
    PushChange(app.urls(), "rm .gitmodules && ln -s /etc/hostname .gitmodules", "link");
    CheckFailureKeepsArtifact(fixture, "app", good, "GitOperationFailed",
                              {".gitmodules is not a regular file"});
  }
  SECTION("a .gitmodules whose entry is only in an included file") {
    // Git reads .gitmodules without its includes; so does the reconciler.
    std::string included =
        "[submodule \"vendor/lib\"]\n\tpath = vendor/lib\n\turl = " + Relative(lib.urls()) + "\n";
    PushChange(app.urls(),
               "printf '[include]\\n\\tpath = included.config\\n' > .gitmodules && printf %s " +
                   ShellQuote(included) + " > included.config",
               "include");
    CheckFailureKeepsArtifact(fixture, "app", good, "GitOperationFailed",
                              {"submodule 'vendor/lib'", ".gitmodules has no url"});
  }
  SECTION("a local path") {
    PushSubmodules(app.urls(), {{"vendor/lib", ServerPath(lib.urls()), lib_commit}}, "local");
    CheckFailureKeepsArtifact(fixture, "app", good, "GitOperationFailed",
                              {"submodule 'vendor/lib'", "local paths and file:// URLs"});
  }
}

TEST_CASE("spec.timeout bounds a submodule server that never answers") {
  SourceFixture fixture;
  PushableRepository app("submodule-app");
  std::string first = app.Push({{"app.yaml", "a: 1\n"}}, "first");
  SilentServer server("");
  std::string url = "https://127.0.0.1:" + std::to_string(server.port()) + "/git/silent.git";
  PushSubmodules(app.urls(), {{"vendor/silent", url, first}}, "silent submodule");
  fixture.CreateGitRepository("app", {{"url", app.urls().http_url},
                                      {"ref", {{"branch", "main"}}},
                                      {"timeout", "2s"},
                                      {"recurseSubmodules", true}});
  auto started = std::chrono::steady_clock::now();
  CHECK(fixture.Reconcile("app").kind == Outcome::Kind::kRetryWithBackoff);
  auto elapsed = std::chrono::steady_clock::now() - started;
  CHECK(elapsed >= std::chrono::milliseconds(1900));
  CHECK(elapsed < std::chrono::seconds(5));
  std::string message = fixture.Condition("app", "Ready")["message"];
  INFO(message);
  CHECK(Contains(message, "submodule 'vendor/silent' (" + url + ")"));
  CHECK(Contains(message, "timeout"));
}

}  // namespace
}  // namespace fluxcpp::testing
