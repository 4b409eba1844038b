#include "reconciler/artifact/storage.h"

#include <archive.h>
#include <archive_entry.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace fluxcpp::reconciler::artifact {
namespace {

namespace fs = std::filesystem;

// A fresh folder below the system's temporary folder, removed with the object.
class TemporaryFolder {
 public:
  TemporaryFolder() {
    std::random_device device;
    path_ = fs::temp_directory_path() /
            ("artifact-test-" + std::to_string(device()) + std::to_string(device()));
    fs::create_directories(path_);
  }
  ~TemporaryFolder() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

void WriteFile(const fs::path& path, const std::string& content) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << content;
}

std::string ReadFile(const fs::path& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream content;
  content << file.rdbuf();
  return content.str();
}

void MakeTree(const fs::path& root) {
  WriteFile(root / "README.md", "hello\n");
  WriteFile(root / "apps/podinfo/deployment.yaml", "kind: Deployment\n");
  WriteFile(root / "apps/podinfo/service.yaml", "kind: Service\n");
  WriteFile(root / "secret/key.pem", "private\n");
  WriteFile(root / ".git/HEAD", "ref: refs/heads/main\n");
  fs::create_symlink("apps/podinfo", root / "current");
}

// Writes a tarball with one entry per (name, symlink target or empty for a file) pair.
void WriteRawArchive(const fs::path& path,
                     const std::vector<std::pair<std::string, std::string>>& entries) {
  std::unique_ptr<struct archive, decltype(&archive_write_free)> writer(archive_write_new(),
                                                                        archive_write_free);
  archive_write_add_filter_gzip(writer.get());
  archive_write_set_format_pax_restricted(writer.get());
  REQUIRE(archive_write_open_filename(writer.get(), path.c_str()) == ARCHIVE_OK);
  for (const auto& [name, link] : entries) {
    std::unique_ptr<struct archive_entry, decltype(&archive_entry_free)> entry(archive_entry_new(),
                                                                               archive_entry_free);
    archive_entry_set_pathname(entry.get(), name.c_str());
    if (link.empty()) {
      archive_entry_set_filetype(entry.get(), AE_IFREG);
      archive_entry_set_perm(entry.get(), 0644);
      archive_entry_set_size(entry.get(), 3);
      archive_write_header(writer.get(), entry.get());
      archive_write_data(writer.get(), "bad", 3);
    } else {
      archive_entry_set_filetype(entry.get(), AE_IFLNK);
      archive_entry_set_perm(entry.get(), 0777);
      archive_entry_set_symlink(entry.get(), link.c_str());
      archive_write_header(writer.get(), entry.get());
    }
  }
  archive_write_close(writer.get());
}

TEST_CASE("ObjectDirectory and LocalPath follow Flux's layout") {
  TemporaryFolder root;
  Storage storage(root.path().string(), "http://source.example/");
  CHECK(Storage::ObjectDirectory("GitRepository", "flux-system", "podinfo") ==
        "gitrepository/flux-system/podinfo");
  CHECK(storage.LocalPath("gitrepository/a/b/c.tar.gz") ==
        (root.path() / "gitrepository/a/b/c.tar.gz").string());
}

TEST_CASE("the same tree archives to the same digest") {
  TemporaryFolder root;
  TemporaryFolder first;
  TemporaryFolder second;
  MakeTree(first.path());
  MakeTree(second.path());
  // Different times and permissions of the sources must not show in the archive.
  fs::last_write_time(second.path() / "README.md",
                      fs::last_write_time(second.path() / "README.md") - std::chrono::hours(5));
  fs::permissions(second.path() / "apps/podinfo/service.yaml", fs::perms(0600));
  Storage storage(root.path().string(), "http://source.example");
  auto a = storage.Archive(first.path(), "gitrepository/ns/one/a.tar.gz", nullptr);
  REQUIRE(a.ok());
  sleep(1);  // a second later: the gzip header must not carry the time
  auto b = storage.Archive(second.path(), "gitrepository/ns/two/b.tar.gz", nullptr);
  REQUIRE(b.ok());
  CHECK(a->digest == b->digest);
  CHECK(a->digest.rfind("sha256:", 0) == 0);
  CHECK(a->digest.size() == 7 + 64);
  CHECK(a->size == static_cast<int64_t>(fs::file_size(storage.LocalPath(a->path))));
  CHECK(a->url == "http://source.example/gitrepository/ns/one/a.tar.gz");
  CHECK(*FileDigest(storage.LocalPath(a->path)) == a->digest);
  CHECK(storage.Has(*a));

  WriteFile(second.path() / "README.md", "changed\n");
  auto c = storage.Archive(second.path(), "gitrepository/ns/two/c.tar.gz", nullptr);
  REQUIRE(c.ok());
  CHECK(c->digest != a->digest);
}

TEST_CASE("archive honours the filter, leaves .git out and extracts back") {
  TemporaryFolder root;
  TemporaryFolder tree;
  TemporaryFolder out;
  MakeTree(tree.path());
  fs::permissions(tree.path() / "README.md", fs::perms(0755));
  Storage storage(root.path().string(), "http://source.example");
  std::vector<std::string> seen;
  auto artifact = storage.Archive(tree.path(), "gitrepository/ns/name/x.tar.gz",
                                  [&seen](std::string_view path, bool is_directory) {
                                    seen.emplace_back(path);
                                    return !(is_directory && path == "secret");
                                  });
  REQUIRE(artifact.ok());
  CHECK(std::find(seen.begin(), seen.end(), ".git") == seen.end());
  CHECK(std::find(seen.begin(), seen.end(), "secret/key.pem") == seen.end());

  REQUIRE(Extract(storage.LocalPath(artifact->path), out.path().string()).ok());
  CHECK(ReadFile(out.path() / "README.md") == "hello\n");
  CHECK(ReadFile(out.path() / "apps/podinfo/deployment.yaml") == "kind: Deployment\n");
  CHECK(ReadFile(out.path() / "current/service.yaml") == "kind: Service\n");
  CHECK(fs::is_symlink(out.path() / "current"));
  CHECK(!fs::exists(out.path() / "secret"));
  CHECK(!fs::exists(out.path() / ".git"));
  CHECK((fs::status(out.path() / "README.md").permissions() & fs::perms::owner_exec) !=
        fs::perms::none);
  CHECK((fs::status(out.path() / "apps/podinfo/service.yaml").permissions() &
         fs::perms::owner_exec) == fs::perms::none);
}

// Every path below `root` ("a", "a/b.yaml"), sorted.
std::vector<std::string> ListTree(const fs::path& root) {
  std::vector<std::string> paths;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    paths.push_back(entry.path().lexically_relative(root).generic_string());
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

TEST_CASE("a tree pruned to what its archive holds is the unpacked archive") {
  TemporaryFolder root;
  TemporaryFolder tree;
  TemporaryFolder out;
  MakeTree(tree.path());
  fs::remove(tree.path() / "current");  // symlinks are the next case
  WriteFile(tree.path() / "apps/podinfo/notes.md", "ignored\n");
  WriteFile(tree.path() / "docs/only.md", "ignored: the folder has nothing archived\n");
  PathFilter filter = [](std::string_view path, bool is_directory) {
    return !(is_directory && path == "secret") && !path.ends_with(".md");
  };
  Storage storage(root.path().string(), "http://source.example");
  auto artifact = storage.Archive(tree.path(), "gitrepository/ns/name/x.tar.gz", filter);
  REQUIRE(artifact.ok());
  REQUIRE(Extract(storage.LocalPath(artifact->path), out.path().string()).ok());

  REQUIRE(KeepOnlyArchived(tree.path().string(), filter).ok());
  CHECK(ListTree(tree.path()) == ListTree(out.path()));
  CHECK(ListTree(tree.path()) == std::vector<std::string>{"apps", "apps/podinfo",
                                                          "apps/podinfo/deployment.yaml",
                                                          "apps/podinfo/service.yaml"});
  CHECK(ReadFile(tree.path() / "apps/podinfo/service.yaml") == "kind: Service\n");
}

TEST_CASE("a tree with a symlink is not pruned for use as unpacked") {
  TemporaryFolder tree;
  MakeTree(tree.path());
  absl::Status pruned = KeepOnlyArchived(tree.path().string(), nullptr);
  CHECK(pruned.code() == absl::StatusCode::kFailedPrecondition);
  CHECK(std::string(pruned.message()).find("'current' is a symlink") != std::string::npos);
}

TEST_CASE("extract refuses entries leaving the folder") {
  TemporaryFolder scratch;
  fs::path archive = scratch.path() / "evil.tar.gz";
  fs::path out = scratch.path() / "out";
  std::vector<std::pair<std::string, std::string>> entries;
  std::string expected;
  SECTION("dot-dot") {
    entries = {{"ok.txt", ""}, {"a/../../escape.txt", ""}};
    expected = "a/../../escape.txt";
  }
  SECTION("absolute") {
    entries = {{"/tmp/escape.txt", ""}};
    expected = "/tmp/escape.txt";
  }
  SECTION("link pointing out") {
    entries = {{"link", "../.."}};
    expected = "link";
  }
  SECTION("link to an absolute path") {
    entries = {{"link", "/etc"}};
    expected = "link";
  }
  SECTION("writing through a link chain") {
    entries = {{"d/up", ".."}, {"d/up/up2", ".."}};
    expected = "d/up/up2";
  }
  WriteRawArchive(archive, entries);
  absl::Status status = Extract(archive.string(), out.string());
  REQUIRE(!status.ok());
  CHECK(std::string(status.message()).find("'" + expected + "'") != std::string::npos);
  CHECK(!fs::exists(scratch.path() / "escape.txt"));
}

TEST_CASE("extract refuses archives over the size cap") {
  TemporaryFolder scratch;
  fs::path archive = scratch.path() / "big.tar.gz";
  WriteRawArchive(archive, {{"a", ""}, {"b", ""}});  // 3 bytes each
  CHECK(Extract(archive.string(), (scratch.path() / "ok").string(), 6).ok());
  absl::Status status = Extract(archive.string(), (scratch.path() / "over").string(), 5);
  REQUIRE(!status.ok());
  CHECK(std::string(status.message()).find("limit") != std::string::npos);
}

TEST_CASE("garbage collection keeps only the given file") {
  TemporaryFolder root;
  TemporaryFolder tree;
  MakeTree(tree.path());
  Storage storage(root.path().string(), "http://source.example");
  std::string folder = Storage::ObjectDirectory("GitRepository", "ns", "name");
  for (const char* name : {"a.tar.gz", "b.tar.gz", "c.tar.gz"}) {
    REQUIRE(storage.Archive(tree.path(), folder + "/" + name, nullptr).ok());
  }
  auto other = storage.Archive(tree.path(), "gitrepository/ns/other/a.tar.gz", nullptr);
  REQUIRE(other.ok());
  REQUIRE(storage.GarbageCollect(folder, folder + "/b.tar.gz").ok());
  std::vector<std::string> left;
  for (const auto& entry : fs::directory_iterator(storage.LocalPath(folder))) {
    left.push_back(entry.path().filename().string());
  }
  CHECK(left == std::vector<std::string>{"b.tar.gz"});
  CHECK(storage.Has(*other));

  REQUIRE(storage.GarbageCollect(folder, "").ok());
  CHECK(!fs::exists(storage.LocalPath(folder)));
  CHECK(storage.Has(*other));
}

TEST_CASE("Has notices a changed file") {
  TemporaryFolder root;
  TemporaryFolder tree;
  MakeTree(tree.path());
  Storage storage(root.path().string(), "http://source.example");
  auto artifact = storage.Archive(tree.path(), "gitrepository/ns/n/a.tar.gz", nullptr);
  REQUIRE(artifact.ok());
  CHECK(storage.Has(*artifact));
  WriteFile(storage.LocalPath(artifact->path), "tampered");
  CHECK(!storage.Has(*artifact));
  fs::remove(storage.LocalPath(artifact->path));
  CHECK(!storage.Has(*artifact));
}

TEST_CASE("artifact JSON uses Flux's field names") {
  Artifact artifact{.path = "gitrepository/ns/n/abc.tar.gz",
                    .url = "http://s/gitrepository/ns/n/abc.tar.gz",
                    .revision = "main@sha1:abc",
                    .digest = "sha256:00",
                    .size = 42,
                    .last_update_time = "2026-11-29T13:40:00Z"};
  manifest::Json json = artifact.ToJson();
  CHECK(json.dump() ==
        R"({"digest":"sha256:00","lastUpdateTime":"2026-11-29T13:40:00Z",)"
        R"("path":"gitrepository/ns/n/abc.tar.gz","revision":"main@sha1:abc","size":42,)"
        R"("url":"http://s/gitrepository/ns/n/abc.tar.gz"})");
  auto back = Artifact::FromJson(json);
  REQUIRE(back.ok());
  CHECK(back->path == artifact.path);
  CHECK(back->url == artifact.url);
  CHECK(back->revision == artifact.revision);
  CHECK(back->digest == artifact.digest);
  CHECK(back->size == 42);
  CHECK(back->last_update_time == artifact.last_update_time);

  json.erase("revision");
  auto missing = Artifact::FromJson(json);
  REQUIRE(!missing.ok());
  CHECK(std::string(missing.status().message()).find("revision") != std::string::npos);
}

}  // namespace
}  // namespace fluxcpp::reconciler::artifact
