// Artifacts as Flux's source-controller keeps them: a gzip'd tarball of a source tree at one
// revision, stored under `<root>/<kind>/<namespace>/<name>/<file>` with its sha256 digest and size,
// served read-only over HTTP from the same root, and unpacked again by the Kustomization
// reconciler. Archives are deterministic (sorted entries, zero times and owners), so the same tree
// always has the same digest.
//
// Thread-safety: distinct objects' artifacts may be written and read concurrently; writes go to a
// temporary file renamed into place, so a reader never sees half an archive.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "lib/manifest/object.h"

namespace fluxcpp::reconciler::artifact {

// status.artifact of a Flux source.
struct Artifact {
  std::string path;      // "gitrepository/flux-system/flux-system/<sha>.tar.gz", below the root
  std::string url;       // base URL + "/" + path
  std::string revision;  // "main@sha1:<hex>"
  std::string digest;    // "sha256:<hex>" of the archive file
  int64_t size = 0;      // bytes of the archive file
  std::string last_update_time;  // RFC 3339

  manifest::Json ToJson() const;
  // Reads status.artifact; the error names the missing field.
  [[nodiscard]] static absl::StatusOr<Artifact> FromJson(const manifest::Json& json);
};

// Decides what goes into an archive: `relative_path` uses '/' and has no leading "./";
// returning false for a directory skips everything below it.
using PathFilter = std::function<bool(std::string_view relative_path, bool is_directory)>;

class Storage {
 public:
  // `root`: the folder artifacts live in (created if missing); `base_url`: where the artifact
  // server publishes it, e.g. "http://flux-reconciler.flux-system.svc.cluster.local.".
  Storage(std::string root, std::string base_url);

  const std::string& root() const { return root_; }
  // "<kind lower-case>/<namespace>/<name>", the folder of one object's artifacts.
  static std::string ObjectDirectory(std::string_view kind, std::string_view namespace_name,
                                     std::string_view name);
  // The file below the root for a relative artifact path.
  std::string LocalPath(std::string_view relative_path) const;

  // Archives the files below `directory` that `filter` accepts (.git is always left out; symlinks
  // are stored as symlinks) into `relative_path`; revision and time are left for the caller.
  [[nodiscard]] absl::StatusOr<Artifact> Archive(const std::string& directory,
                                                 const std::string& relative_path,
                                                 const PathFilter& filter) const;

  // Whether the artifact's file is present with the recorded digest.
  bool Has(const Artifact& artifact) const;

  // Removes every file in the object's folder but `keep_path` (older revisions), and the folder
  // itself when `keep_path` is empty (the object was deleted).
  [[nodiscard]] absl::Status GarbageCollect(const std::string& object_directory,
                                            const std::string& keep_path) const;

 private:
  std::string root_;
  std::string base_url_;
};

// Makes `directory` hold what unpacking Archive(directory, …, filter) would give: removes .git,
// what `filter` refuses, and folders left with nothing archived in them. FailedPrecondition when a
// symlink would be archived: Extract checks where links point, so such a tree must go through it.
// Lets the tree a source was archived from serve as the artifact's unpacked tree.
[[nodiscard]] absl::Status KeepOnlyArchived(const std::string& directory, const PathFilter& filter);

// Unpacks a tarball into `directory` (created if missing). Entries that would land outside it
// (absolute paths, "..", symlinks pointing out) are refused with an error naming the entry, as are
// archives over `max_bytes` unpacked.
[[nodiscard]] absl::Status Extract(const std::string& archive_path, const std::string& directory,
                                   int64_t max_bytes = int64_t{1} << 30);

// "sha256:<hex>" of a file's content.
[[nodiscard]] absl::StatusOr<std::string> FileDigest(const std::string& path);

}  // namespace fluxcpp::reconciler::artifact
