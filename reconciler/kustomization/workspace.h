// Where Kustomizations read their sources: each artifact is unpacked once per digest into
// `<root>/<hex digest>/` and shared read-only by every Kustomization of that revision. Archives
// come from the local artifact storage when it has them (same process as the source reconciler),
// else are downloaded from the artifact's URL and checked against its digest.
//
// Thread-safety: all functions may be called concurrently. Trees are unpacked into a temporary
// folder and renamed into place, so a reader never sees half a tree; a tree in use (leased) is
// never removed. One digest is unpacked by one caller at a time: the others wait for its tree
// rather than write every file of the artifact again.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"
#include "reconciler/artifact/storage.h"

namespace fluxcpp::reconciler::kustomization {

class Workspace {
 public:
  // A tree in use; the tree stays until the last lease of it is gone.
  class Lease {
   public:
    Lease(Workspace& workspace, std::string digest, std::string path);
    ~Lease();
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    const std::string& path() const { return path_; }

   private:
    Workspace& workspace_;
    std::string digest_;
    std::string path_;
  };

  // Trees nobody leased for `keep_unused` are removed when another lease ends.
  Workspace(std::string root, const artifact::Storage& local_storage,
            std::chrono::seconds keep_unused = std::chrono::minutes(10));

  // The unpacked tree of `artifact`, fetched and unpacked first when needed. The error names the
  // artifact's URL or file.
  [[nodiscard]] absl::StatusOr<std::unique_ptr<Lease>> Acquire(const artifact::Artifact& artifact);

  // Takes `tree` — the folder `artifact` was archived from, holding just what unpacking it gives
  // (artifact::KeepOnlyArchived) — as the artifact's unpacked tree, by renaming it into place, so
  // the first Kustomization of a new revision unpacks nothing. Leaves `tree` where it is when the
  // digest's tree exists already or the rename fails (another file system): Acquire unpacks then.
  void Adopt(const artifact::Artifact& artifact, const std::string& tree);

  const std::string& root() const { return root_; }

 private:
  struct TreeUse {
    int leases = 0;
    std::chrono::steady_clock::time_point last_used;
    bool unpacking = false;
  };
  void Release(const std::string& digest);
  absl::Status Fetch(const artifact::Artifact& artifact, const std::string& archive_path);

  std::string root_;
  const artifact::Storage& local_storage_;
  std::chrono::seconds keep_unused_;
  std::mutex mutex_;
  std::condition_variable unpacked_;      // a TreeUse's unpacking turned false
  std::map<std::string, TreeUse> trees_;  // by directory name
  uint64_t next_suffix_ = 0;
};

// Downloads `url` into `path` (replacing it); the error names the URL and the HTTP status.
[[nodiscard]] absl::Status DownloadFile(const std::string& url, const std::string& path,
                                        std::chrono::seconds timeout = std::chrono::seconds(60));

}  // namespace fluxcpp::reconciler::kustomization
