// Reading files for a build, confined to the source root: paths that leave it (through `..` or
// symbolic links) and remote URLs are refused. Private to lib/kustomize.
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "lib/kustomize/build.h"

namespace fluxcpp::kustomize {

class Loader {
 public:
  // `root` must exist; it is made canonical. `options.replaced_files` maps files (relative to the
  // root) to the content read instead of theirs; they need not exist on disk.
  static absl::StatusOr<Loader> Create(const std::string& root, const BuildOptions& options = {});

  // `reference` as written in `base_dir`'s kustomization, resolved and checked to stay inside
  // the root. The result is canonical.
  absl::StatusOr<std::filesystem::path> Resolve(const std::filesystem::path& base_dir,
                                                const std::string& reference) const;
  absl::StatusOr<std::string> Read(const std::filesystem::path& file) const;
  // Read, then passed through the build's secret source filter.
  absl::StatusOr<std::string> ReadSecretSource(const std::filesystem::path& file) const;
  // Whether `file` (canonical) exists on disk or is a replaced file.
  bool Exists(const std::filesystem::path& file) const;
  // `file` relative to the root, for messages.
  std::string Display(const std::filesystem::path& file) const;
  const std::filesystem::path& root() const { return root_; }

 private:
  Loader(std::filesystem::path root, SecretSourceFilter secret_source_filter)
      : root_(std::move(root)), secret_source_filter_(std::move(secret_source_filter)) {}
  std::filesystem::path root_;
  SecretSourceFilter secret_source_filter_;
  std::map<std::filesystem::path, std::string> replaced_;  // by canonical path
};

}  // namespace fluxcpp::kustomize
