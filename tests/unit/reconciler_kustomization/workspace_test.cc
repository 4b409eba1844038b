#include "reconciler/kustomization/workspace.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "tests/unit/temporary_directory.h"
#include "tests/unit/testdata.h"

namespace fluxcpp::reconciler::kustomization {
namespace {

namespace fs = std::filesystem;

using testing::TemporaryDirectory;

TEST_CASE("concurrent reconciles of one revision share one unpacked tree") {
  TemporaryDirectory storage_root;
  TemporaryDirectory workspace_root;
  artifact::Storage storage(storage_root.path(), "http://artifacts.invalid");
  auto archived = storage.Archive(testing::TestdataPath("tree"), "gitrepository/ns/src/a.tar.gz",
                                  [](std::string_view, bool) { return true; });
  REQUIRE(archived.ok());
  Workspace workspace(workspace_root.path(), storage);

  constexpr int kThreads = 8;
  std::vector<std::string> paths(kThreads);
  std::vector<absl::Status> errors(kThreads);
  {
    std::vector<std::unique_ptr<Workspace::Lease>> leases(kThreads);
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&, i] {
        auto lease = workspace.Acquire(*archived);
        if (!lease.ok()) {
          errors[i] = lease.status();
          return;
        }
        paths[i] = (*lease)->path();
        leases[i] = std::move(*lease);
      });
    }
    for (std::thread& thread : threads) thread.join();
  }
  for (const absl::Status& error : errors) CHECK(error.ok());
  CHECK(std::set<std::string>(paths.begin(), paths.end()).size() == 1);
  CHECK(fs::is_regular_file(paths[0] + "/apps/sub/b.yaml"));
  // No half-unpacked staging folders are left behind.
  int entries = 0;
  for (const auto& entry : fs::directory_iterator(workspace_root.path())) {
    ++entries;
    CHECK_FALSE(entry.path().filename().string().starts_with(".unpack-"));
  }
  CHECK(entries == 1);
}

TEST_CASE("a source's archived tree is adopted as the unpacked tree of its artifact") {
  TemporaryDirectory storage_root;
  TemporaryDirectory workspace_root;
  TemporaryDirectory source_tree;
  fs::copy(testing::TestdataPath("tree"), source_tree.path() + "/tree",
           fs::copy_options::recursive);
  std::string tree = source_tree.path() + "/tree";
  artifact::Storage storage(storage_root.path(), "http://artifacts.invalid");
  auto archived = storage.Archive(tree, "gitrepository/ns/src/a.tar.gz",
                                  [](std::string_view, bool) { return true; });
  REQUIRE(archived.ok());
  Workspace workspace(workspace_root.path(), storage);

  workspace.Adopt(*archived, tree);
  CHECK_FALSE(fs::exists(tree));  // moved, not copied
  // A marker only the adopted folder has: Acquire hands that folder out, it does not unpack.
  std::string adopted = workspace_root.path() + "/" + archived->digest.substr(0, 6) + "-" +
                        archived->digest.substr(7);
  REQUIRE(fs::is_directory(adopted));
  std::ofstream(adopted + "/adopted-marker") << "x";
  auto lease = workspace.Acquire(*archived);
  REQUIRE(lease.ok());
  CHECK((*lease)->path() == adopted);
  CHECK(fs::is_regular_file((*lease)->path() + "/apps/sub/b.yaml"));
  CHECK(fs::exists((*lease)->path() + "/adopted-marker"));

  // A tree of a digest the workspace has already stays where it is.
  fs::copy(testing::TestdataPath("tree"), tree, fs::copy_options::recursive);
  workspace.Adopt(*archived, tree);
  CHECK(fs::is_directory(tree));
}

TEST_CASE("trees unused for longer than the keep time are removed, leased ones never") {
  TemporaryDirectory storage_root;
  TemporaryDirectory workspace_root;
  artifact::Storage storage(storage_root.path(), "http://artifacts.invalid");
  auto first = storage.Archive(testing::TestdataPath("tree/apps"), "gitrepository/ns/src/1.tar.gz",
                               [](std::string_view, bool) { return true; });
  auto second = storage.Archive(testing::TestdataPath("tree"), "gitrepository/ns/src/2.tar.gz",
                                [](std::string_view, bool) { return true; });
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  Workspace workspace(workspace_root.path(), storage, std::chrono::seconds(0));
  std::string first_path;
  {
    auto lease = workspace.Acquire(*first);
    REQUIRE(lease.ok());
    first_path = (*lease)->path();
    auto held = workspace.Acquire(*second);
    REQUIRE(held.ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    held->reset();  // releasing the second collects unused trees: the first is still leased
    CHECK(fs::is_directory(first_path));
  }
  // The first lease ended: the next release finds it unused.
  auto again = workspace.Acquire(*second);
  REQUIRE(again.ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  again->reset();
  CHECK_FALSE(fs::exists(first_path));
}

TEST_CASE("an artifact that is neither stored nor reachable is an error naming its URL") {
  TemporaryDirectory storage_root;
  TemporaryDirectory workspace_root;
  artifact::Storage storage(storage_root.path(), "http://127.0.0.1:1");
  Workspace workspace(workspace_root.path(), storage);
  artifact::Artifact missing{.path = "gitrepository/ns/src/x.tar.gz",
                             .url = "http://127.0.0.1:1/gitrepository/ns/src/x.tar.gz",
                             .revision = "main@sha1:00",
                             .digest = "sha256:00"};
  auto lease = workspace.Acquire(missing);
  REQUIRE_FALSE(lease.ok());
  CHECK_THAT(std::string(lease.status().message()), Catch::Contains(missing.url));
}

}  // namespace
}  // namespace fluxcpp::reconciler::kustomization
