#include "lib/kustomize/loader.h"

#include <fstream>
#include <sstream>

#include "absl/status/status.h"

namespace fluxcpp::kustomize {

namespace fs = std::filesystem;

absl::StatusOr<Loader> Loader::Create(const std::string& root, const BuildOptions& options) {
  std::error_code error;
  fs::path canonical = fs::canonical(root, error);
  if (error) return absl::NotFoundError("source root " + root + ": " + error.message());
  Loader loader(canonical, options.secret_source_filter);
  for (const auto& [file, content] : options.replaced_files) {
    fs::path relative = fs::path(file).lexically_normal();
    if (relative.empty() || relative.is_absolute() || relative.begin()->string() == "..") {
      return absl::InvalidArgumentError("replaced file " + file + " is not below the source root");
    }
    loader.replaced_[canonical / relative] = content;
  }
  return loader;
}

bool Loader::Exists(const fs::path& file) const {
  std::error_code error;
  return replaced_.contains(file) || fs::exists(file, error);
}

absl::StatusOr<fs::path> Loader::Resolve(const fs::path& base_dir,
                                         const std::string& reference) const {
  if (reference.find("://") != std::string::npos || reference.starts_with("github.com/") ||
      reference.starts_with("git@") || reference.starts_with("git::")) {
    return absl::InvalidArgumentError(
        "remote resource " + reference +
        " is not supported: builds read only files of the source (vendor it instead)");
  }
  fs::path joined = fs::path(reference).is_absolute() ? fs::path(reference) : base_dir / reference;
  std::error_code error;
  fs::path canonical = fs::weakly_canonical(joined, error);
  if (error) return absl::NotFoundError(Display(joined) + ": " + error.message());
  auto [root_end, unused] =
      std::mismatch(root_.begin(), root_.end(), canonical.begin(), canonical.end());
  if (root_end != root_.end()) {
    return absl::PermissionDeniedError(reference + " (referenced from " + Display(base_dir) +
                                       ") is outside the source root " + root_.string());
  }
  if (!Exists(canonical)) {
    return absl::NotFoundError(Display(canonical) +
                               ": no such file or directory (referenced from " + Display(base_dir) +
                               ")");
  }
  return canonical;
}

absl::StatusOr<std::string> Loader::Read(const fs::path& file) const {
  if (auto found = replaced_.find(file); found != replaced_.end()) return found->second;
  std::ifstream stream(file, std::ios::binary);
  if (!stream) return absl::NotFoundError(Display(file) + ": cannot be read");
  std::ostringstream text;
  text << stream.rdbuf();
  return text.str();
}

absl::StatusOr<std::string> Loader::ReadSecretSource(const fs::path& file) const {
  auto content = Read(file);
  if (!content.ok() || !secret_source_filter_) return content;
  return secret_source_filter_(Display(file), std::move(*content));
}

std::string Loader::Display(const fs::path& file) const {
  fs::path relative = file.lexically_relative(root_);
  if (relative.empty() || relative == ".") return ".";
  return relative.string();
}

}  // namespace fluxcpp::kustomize
