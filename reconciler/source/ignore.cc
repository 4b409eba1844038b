#include "reconciler/source/ignore.h"

#include <fnmatch.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "absl/strings/str_cat.h"

namespace fluxcpp::reconciler::source {
namespace {

namespace fs = std::filesystem;

constexpr char kSourceIgnoreFile[] = ".sourceignore";

std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > start) parts.emplace_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

bool MatchName(const std::string& pattern, const std::string& name) {
  return fnmatch(pattern.c_str(), name.c_str(), 0) == 0;
}

// Whether parts[part...] match a leading run of path[component...] that ends at a folder or
// (all of the path) at the entry itself; "**" stands for any number of folders.
bool MatchFrom(const IgnorePattern& pattern, size_t part, const std::vector<std::string>& path,
               size_t component, bool is_directory) {
  const std::vector<std::string>& parts = pattern.parts;
  if (part == parts.size()) {
    if (component == 0) return false;
    if (component < path.size()) return true;  // matched one of the path's folders
    return !pattern.directory_only || is_directory;
  }
  if (parts[part] == "**") {
    if (part + 1 == parts.size()) {
      // A trailing "/**" matches everything inside, not the folder itself.
      return component < path.size();
    }
    for (size_t next = component; next <= path.size(); ++next) {
      if (MatchFrom(pattern, part + 1, path, next, is_directory)) return true;
    }
    return false;
  }
  if (component >= path.size() || !MatchName(parts[part], path[component])) return false;
  return MatchFrom(pattern, part + 1, path, component + 1, is_directory);
}

std::string ReadFile(const fs::path& path, bool& ok) {
  std::ifstream file(path, std::ios::binary);
  ok = static_cast<bool>(file);
  std::ostringstream content;
  content << file.rdbuf();
  return content.str();
}

// Collects the patterns of every .sourceignore below `directory`, parents before children, each
// scoped to its folder.
absl::Status LoadSourceIgnoreFiles(const fs::path& root, const fs::path& directory,
                                   const std::vector<std::string>& domain,
                                   std::vector<IgnorePattern>& out) {
  std::error_code error;
  fs::path file = directory / kSourceIgnoreFile;
  if (fs::is_regular_file(fs::symlink_status(file, error))) {
    bool ok = false;
    std::string content = ReadFile(file, ok);
    if (!ok) {
      return absl::InternalError(
          absl::StrCat("reading ", fs::relative(file, root, error).string()));
    }
    std::vector<IgnorePattern> patterns = ParseIgnorePatterns(content, domain);
    out.insert(out.end(), patterns.begin(), patterns.end());
  }
  std::vector<std::string> children;
  for (fs::directory_iterator it(directory, error), end; !error && it != end; it.increment(error)) {
    if (it->is_directory(error) && !it->is_symlink(error) && it->path().filename() != ".git") {
      children.push_back(it->path().filename().string());
    }
  }
  if (error) {
    return absl::InternalError(absl::StrCat("listing ", directory.string(), ": ", error.message()));
  }
  std::sort(children.begin(), children.end());
  for (const std::string& child : children) {
    std::vector<std::string> child_domain = domain;
    child_domain.push_back(child);
    if (absl::Status status = LoadSourceIgnoreFiles(root, directory / child, child_domain, out);
        !status.ok()) {
      return status;
    }
  }
  return absl::OkStatus();
}

}  // namespace

bool IgnorePattern::Matches(const std::vector<std::string>& path, bool is_directory) const {
  // Patterns of a .sourceignore apply only strictly below its folder.
  if (path.size() <= domain.size()) return false;
  for (size_t i = 0; i < domain.size(); ++i) {
    if (path[i] != domain[i]) return false;
  }
  std::vector<std::string> relative(path.begin() + static_cast<std::ptrdiff_t>(domain.size()),
                                    path.end());
  if (!anchored) {
    // A bare name matches at any depth: the entry itself or any of its folders.
    for (size_t i = 0; i < relative.size(); ++i) {
      if (!MatchName(parts[0], relative[i])) continue;
      if (i + 1 == relative.size() && directory_only && !is_directory) return false;
      return true;
    }
    return false;
  }
  return MatchFrom(*this, 0, relative, 0, is_directory);
}

std::vector<IgnorePattern> ParseIgnorePatterns(std::string_view text,
                                               const std::vector<std::string>& domain) {
  std::vector<IgnorePattern> patterns;
  std::istringstream lines{std::string(text)};
  std::string line;
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    // Trailing spaces go unless the last one is escaped.
    while (!line.empty() && line.back() == ' ' &&
           !(line.size() >= 2 && line[line.size() - 2] == '\\')) {
      line.pop_back();
    }
    if (line.empty() || line[0] == '#') continue;
    IgnorePattern pattern;
    pattern.domain = domain;
    if (line[0] == '!') {
      pattern.negated = true;
      line.erase(0, 1);
    } else if (line.size() >= 2 && line[0] == '\\' && (line[1] == '#' || line[1] == '!')) {
      line.erase(0, 1);
    }
    if (!line.empty() && line.back() == '/') {
      pattern.directory_only = true;
      line.pop_back();
    }
    if (line.empty()) continue;
    pattern.anchored = line.find('/') != std::string::npos;
    for (std::string& part : SplitPath(line)) {
      // "**/**" means what one "**" does; collapsing keeps matching from backtracking needlessly.
      if (part == "**" && !pattern.parts.empty() && pattern.parts.back() == "**") continue;
      pattern.parts.push_back(std::move(part));
    }
    if (pattern.parts.empty()) continue;
    patterns.push_back(std::move(pattern));
  }
  return patterns;
}

std::vector<IgnorePattern> VcsIgnorePatterns() {
  return ParseIgnorePatterns(".git/\n.gitignore\n.gitmodules\n.gitattributes\n");
}

std::vector<IgnorePattern> DefaultIgnorePatterns() {
  return ParseIgnorePatterns(
      // Images and archives.
      "*.jpg\n*.jpeg\n*.gif\n*.png\n*.wmv\n*.flv\n*.tar.gz\n*.zip\n"
      // CI configuration.
      ".github/\n.circleci/\n.travis.yml\n.gitlab-ci.yml\nappveyor.yml\n.drone.yml\n"
      "cloudbuild.yaml\ncodeship-services.yml\ncodeship-steps.yml\n"
      // Tool configuration that is not meant for the cluster.
      "**/.goreleaser.yml\n**/.sops.yaml\n**/.flux.yaml\n");
}

IgnoreMatcher::IgnoreMatcher(std::vector<IgnorePattern> patterns) : patterns_(std::move(patterns)) {
  for (const IgnorePattern& pattern : patterns_) has_negations_ = has_negations_ || pattern.negated;
}

bool IgnoreMatcher::Ignored(std::string_view relative_path, bool is_directory) const {
  std::vector<std::string> path = SplitPath(relative_path);
  for (auto it = patterns_.rbegin(); it != patterns_.rend(); ++it) {
    if (it->Matches(path, is_directory)) return !it->negated;
  }
  return false;
}

artifact::PathFilter IgnoreMatcher::Filter() const {
  return [this](std::string_view relative_path, bool is_directory) {
    if (is_directory) return has_negations_ || !Ignored(relative_path, true);
    return !Ignored(relative_path, false);
  };
}

absl::StatusOr<IgnoreMatcher> SourceIgnoreMatcher(const std::string& directory,
                                                  const std::optional<std::string>& spec_ignore) {
  std::vector<IgnorePattern> own;
  if (absl::Status status = LoadSourceIgnoreFiles(directory, directory, {}, own); !status.ok()) {
    return status;
  }
  if (spec_ignore.has_value()) {
    std::vector<IgnorePattern> patterns = ParseIgnorePatterns(*spec_ignore);
    own.insert(own.end(), patterns.begin(), patterns.end());
  }
  std::vector<IgnorePattern> all = VcsIgnorePatterns();
  if (own.empty()) {
    std::vector<IgnorePattern> defaults = DefaultIgnorePatterns();
    all.insert(all.end(), defaults.begin(), defaults.end());
  }
  all.insert(all.end(), own.begin(), own.end());
  return IgnoreMatcher(std::move(all));
}

}  // namespace fluxcpp::reconciler::source
