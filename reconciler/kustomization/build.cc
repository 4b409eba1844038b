#include "reconciler/kustomization/build.h"

#include <openssl/evp.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "lib/kustomize/build.h"
#include "lib/manifest/yaml.h"

namespace fluxcpp::reconciler::kustomization {
namespace {

namespace fs = std::filesystem;
using manifest::Json;

constexpr const char* kKustomizationFileNames[] = {"kustomization.yaml", "kustomization.yml",
                                                   "Kustomization"};

struct DigestContextDeleter {
  void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};

absl::StatusOr<std::string> ReadFile(const fs::path& path) {
  std::ifstream input(path, std::ios::binary);
  if (!input) return absl::NotFoundError("reading " + path.string());
  std::ostringstream content;
  content << input.rdbuf();
  return content.str();
}

bool HasKustomizationFile(const fs::path& directory) {
  for (const char* name : kKustomizationFileNames) {
    if (fs::exists(directory / name)) return true;
  }
  return false;
}

// The manifests below `directory` as kustomization resources relative to `top`, in name order;
// hidden entries are left out.
void CollectManifests(const fs::path& top, const fs::path& directory, Json& resources) {
  std::vector<fs::path> entries;
  for (const auto& entry : fs::directory_iterator(directory)) entries.push_back(entry.path());
  std::sort(entries.begin(), entries.end());
  for (const fs::path& entry : entries) {
    if (entry.filename().string().starts_with(".")) continue;
    if (fs::is_directory(entry)) {
      if (HasKustomizationFile(entry)) {
        resources.push_back(entry.lexically_relative(top).string());
      } else {
        CollectManifests(top, entry, resources);
      }
    } else if (entry.extension() == ".yaml" || entry.extension() == ".yml") {
      resources.push_back(entry.lexically_relative(top).string());
    }
  }
}

// The edits Flux's generator makes to the kustomization at the path (components are relative to
// it, as in Flux).
void EditKustomization(Json& kustomization, const KustomizationSpec& spec) {
  if (!kustomization.contains("apiVersion")) {
    kustomization["apiVersion"] = "kustomize.config.k8s.io/v1beta1";
  }
  if (!kustomization.contains("kind")) kustomization["kind"] = "Kustomization";
  if (!spec.target_namespace.empty()) kustomization["namespace"] = spec.target_namespace;
  if (!spec.name_prefix.empty()) kustomization["namePrefix"] = spec.name_prefix;
  if (!spec.name_suffix.empty()) kustomization["nameSuffix"] = spec.name_suffix;
  auto append = [&](const char* field, const Json& entries) {
    if (entries.empty()) return;
    Json& list = kustomization[field];
    if (!list.is_array()) list = Json::array();
    for (const Json& entry : entries) list.push_back(entry);
  };
  append("patches", spec.patches);
  append("images", spec.images);
  Json components = Json::array();
  for (const std::string& component : spec.components) {
    components.push_back(component);
  }
  append("components", components);
}

// The build of `path` with `file` (relative to the tree) read as `content`, besides `options`.
absl::StatusOr<std::vector<manifest::Object>> BuildWithReplacedFile(const std::string& tree,
                                                                    const std::string& path,
                                                                    kustomize::BuildOptions options,
                                                                    const std::string& file,
                                                                    std::string content) {
  options.replaced_files[file] = std::move(content);
  return kustomize::Build(tree, path, options);
}

}  // namespace

bool NeedsOverlay(const KustomizationSpec& spec) {
  return !spec.target_namespace.empty() || !spec.name_prefix.empty() || !spec.name_suffix.empty() ||
         !spec.patches.empty() || !spec.images.empty() || !spec.components.empty();
}

absl::StatusOr<std::vector<manifest::Object>> BuildKustomization(
    const std::string& tree, const KustomizationSpec& spec,
    const kustomize::BuildOptions& options) {
  if (!NeedsOverlay(spec)) return kustomize::Build(tree, spec.path, options);

  fs::path directory = (fs::path(tree) / spec.path).lexically_normal();
  // A path that leaves the tree is left for the build to refuse with its own message.
  fs::path relative = directory.lexically_relative(tree);
  if (relative.empty() || relative.begin()->string() == "..") {
    return kustomize::Build(tree, spec.path, options);
  }
  // The edited kustomization is handed to the build in place of the file: the shared tree is
  // never written, and nothing is copied (a copy costs as much as the whole tree, per reconcile).
  for (const char* name : kKustomizationFileNames) {
    fs::path file = directory / name;
    if (!fs::is_regular_file(file)) continue;
    auto text = ReadFile(file);
    if (!text.ok()) return text.status();
    auto documents = manifest::ParseYamlDocuments(*text, (fs::path(spec.path) / name).string());
    if (!documents.ok()) return documents.status();
    Json kustomization = documents->empty() ? Json::object() : (*documents)[0].json;
    if (!kustomization.is_object()) {
      return absl::InvalidArgumentError((fs::path(spec.path) / name).string() +
                                        ": is not a mapping");
    }
    EditKustomization(kustomization, spec);
    return BuildWithReplacedFile(tree, spec.path, options, (relative / name).string(),
                                 manifest::ToYaml(kustomization));
  }
  // No kustomization at the path: the one Flux generates (every manifest below it, a
  // subdirectory with its own kustomization as one entry), with the edits.
  Json resources = Json::array();
  CollectManifests(directory, directory, resources);
  Json kustomization{{"apiVersion", "kustomize.config.k8s.io/v1beta1"},
                     {"kind", "Kustomization"},
                     {"resources", resources}};
  EditKustomization(kustomization, spec);
  return BuildWithReplacedFile(tree, spec.path, options, (relative / "kustomization.yaml").string(),
                               manifest::ToYaml(kustomization));
}

void ApplyCommonMetadata(std::vector<manifest::Object>& objects, const KustomizationSpec& spec) {
  if (spec.common_labels.empty() && spec.common_annotations.empty()) return;
  for (manifest::Object& object : objects) {
    for (const auto& [key, value] : spec.common_labels) object.SetLabel(key, value);
    for (const auto& [key, value] : spec.common_annotations) object.SetAnnotation(key, value);
  }
}

std::string BuildDigest(const std::vector<manifest::Object>& objects) {
  std::string text = manifest::ToYaml(objects);
  std::unique_ptr<EVP_MD_CTX, DigestContextDeleter> context(EVP_MD_CTX_new());
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestInit_ex(context.get(), EVP_sha256(), nullptr);
  EVP_DigestUpdate(context.get(), text.data(), text.size());
  EVP_DigestFinal_ex(context.get(), digest, &length);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex = "sha256:";
  for (unsigned int i = 0; i < length; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 0xf];
  }
  return hex;
}

}  // namespace fluxcpp::reconciler::kustomization
