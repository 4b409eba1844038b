// Validation of InstallOptions and SyncOptions. Each error names the option the way the Terraform
// resource spells it, so the provider can pass it on unchanged.
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "bootstrap/manifests.h"
#include "bootstrap/validation.h"
#include "lib/manifest/yaml.h"

namespace fluxcpp::bootstrap {
namespace {

constexpr const char* kRequiredComponents[] = {"source-controller", "kustomize-controller"};
// Flux controllers fluxcpp knows by name but does not serve yet.
constexpr const char* kUnservedComponents[] = {"helm-controller", "notification-controller"};
constexpr const char* kExtraComponents[] = {"image-reflector-controller",
                                            "image-automation-controller", "source-watcher"};
constexpr const char* kLogLevels[] = {"info", "debug", "error"};

template <size_t N>
bool OneOf(const std::string& value, const char* const (&choices)[N]) {
  for (const char* choice : choices) {
    if (value == choice) return true;
  }
  return false;
}

template <size_t N>
std::string Choices(const char* const (&choices)[N]) {
  return absl::StrJoin(std::begin(choices), std::end(choices), ", ");
}

absl::Status Invalid(absl::string_view field, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", problem));
}

std::string Quoted(absl::string_view value) { return absl::StrCat("\"", value, "\""); }

bool IsHex(absl::string_view text) {
  for (char c : text) {
    if (!absl::ascii_isxdigit(c)) return false;
  }
  return true;
}

absl::Status ValidateComponents(const InstallOptions& options) {
  for (const char* required : kRequiredComponents) {
    if (!options.components.contains(required)) {
      return Invalid("components", "must include source-controller and kustomize-controller");
    }
  }
  for (const std::string& component : options.components) {
    if (OneOf(component, kRequiredComponents)) continue;
    if (OneOf(component, kUnservedComponents)) {
      return absl::UnimplementedError(
          absl::StrCat("components: ", component,
                       " is not served by fluxcpp yet (it serves source-controller and "
                       "kustomize-controller)"));
    }
    return Invalid("components", absl::StrCat("unknown component ", Quoted(component),
                                              "; known: ", Choices(kRequiredComponents), ", ",
                                              Choices(kUnservedComponents)));
  }
  if (options.components_extra.size() > 3) {
    return Invalid("components_extra", "at most 3 components");
  }
  for (const std::string& component : options.components_extra) {
    if (!OneOf(component, kExtraComponents)) {
      return Invalid("components_extra", absl::StrCat("unknown component ", Quoted(component),
                                                      "; known: ", Choices(kExtraComponents)));
    }
  }
  if (!options.components_extra.empty()) {
    return absl::UnimplementedError(absl::StrCat(
        "components_extra: ", *options.components_extra.begin(), " is not served by fluxcpp yet"));
  }
  return absl::OkStatus();
}

// The override must be a kustomization that still builds the bootstrap's own files, or the
// cluster would drop its reconciler at the next sync.
absl::Status ValidateKustomizationOverride(const std::string& text) {
  absl::StatusOr<std::vector<manifest::Document>> documents =
      manifest::ParseYamlDocuments(text, "kustomization_override");
  if (!documents.ok()) {
    return Invalid("kustomization_override",
                   absl::StrCat("is not valid YAML: ", documents.status().message()));
  }
  if (documents->size() != 1 || !(*documents)[0].json.is_object()) {
    return Invalid("kustomization_override", "must be one YAML mapping (a kustomization.yaml)");
  }
  const manifest::Json& file = (*documents)[0].json;
  const manifest::Json resources = file.value("resources", manifest::Json::array());
  for (const char* required : {"gotk-components.yaml", "gotk-sync.yaml"}) {
    bool listed = false;
    if (resources.is_array()) {
      for (const manifest::Json& resource : resources) {
        if (resource.is_string()) {
          absl::string_view name = resource.get_ref<const std::string&>();
          absl::ConsumePrefix(&name, "./");
          listed = listed || name == required;
        }
      }
    }
    if (!listed) {
      return Invalid("kustomization_override",
                     absl::StrCat("its resources must list gotk-components.yaml and "
                                  "gotk-sync.yaml; ",
                                  required, " is missing"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status InstallOptions::Validate() const {
  if (!IsDns1123Label(namespace_name)) {
    return Invalid("namespace",
                   absl::StrCat("must be an RFC 1123 label (lower-case alphanumerics and '-', at "
                                "most 63 characters); got ",
                                Quoted(namespace_name)));
  }
  if (!IsDns1123Subdomain(cluster_domain)) {
    return Invalid(
        "cluster_domain",
        absl::StrCat("must be a DNS domain such as cluster.local; got ", Quoted(cluster_domain)));
  }
  if (absl::Status status = ValidateComponents(*this); !status.ok()) return status;
  if (registry.empty()) return Invalid("registry", "must not be empty");
  if (registry.front() == '/' || registry.back() == '/' || absl::StrContains(registry, "://") ||
      registry.find_first_of(" \t\r\n@") != std::string::npos) {
    return Invalid("registry",
                   absl::StrCat("must be an image registry and path such as ghcr.io/fluxcpp, "
                                "without a scheme or trailing '/'; got ",
                                Quoted(registry)));
  }
  if (version != "latest" && (version.size() < 2 || version.front() != 'v')) {
    return Invalid("version", absl::StrCat("must be \"latest\" or start with 'v' (v0.1.0); got ",
                                           Quoted(version)));
  }
  for (char c : version) {
    if (!absl::ascii_isalnum(c) && c != '.' && c != '-' && c != '_') {
      return Invalid("version", absl::StrCat("is not a valid image tag: ", Quoted(version)));
    }
  }
  if (!image_pull_secret.empty() && !IsDns1123Subdomain(image_pull_secret)) {
    return Invalid("image_pull_secret",
                   absl::StrCat("must be an RFC 1123 subdomain (a Secret name); got ",
                                Quoted(image_pull_secret)));
  }
  if (!registry_credentials.empty()) {
    if (image_pull_secret.empty()) {
      return Invalid("registry_credentials", "requires image_pull_secret");
    }
    // Never repeats the value: it holds a password.
    size_t colon = registry_credentials.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == registry_credentials.size()) {
      return Invalid("registry_credentials", "must have the form user:password");
    }
  }
  if (!OneOf(log_level, kLogLevels)) {
    return Invalid("log_level", absl::StrCat("must be one of ", Choices(kLogLevels), "; got ",
                                             Quoted(log_level)));
  }
  for (const std::string& key : toleration_keys) {
    if (!IsQualifiedName(key)) {
      return Invalid("toleration_keys",
                     absl::StrCat(Quoted(key),
                                  " is not a valid taint key (an optional DNS prefix "
                                  "and '/', then at most 63 characters)"));
    }
  }
  return absl::OkStatus();
}

std::string InstallOptions::ResolvedVersion() const {
  return version == "latest" ? std::string(kReleaseVersion) : version;
}

std::string SyncOptions::CleanPath() const {
  absl::string_view clean = path;
  while (absl::ConsumePrefix(&clean, "./")) {
  }
  while (absl::ConsumeSuffix(&clean, "/")) {
  }
  if (clean == ".") return "";
  return std::string(clean);
}

absl::Status SyncOptions::Validate() const {
  if (url.empty()) return Invalid("url", "must be set");
  if (IsScpLikeAddress(url)) {
    return Invalid("url", absl::StrCat(Quoted(url),
                                       " is an scp-like address, which Flux does not accept; "
                                       "write it as ",
                                       ScpLikeToSshUrl(url)));
  }
  std::string scheme = UrlScheme(url);
  if (scheme != "ssh" && scheme != "https" && scheme != "http") {
    return Invalid("url", absl::StrCat("must start with ssh://, https:// or http://; got ",
                                       Quoted(RedactUrl(url))));
  }
  if (url.find_first_of(" \t\r\n") != std::string::npos) {
    return Invalid("url", "must not contain white space");
  }
  if (!tag.empty() && !semver.empty()) {
    return Invalid("tag", "set only one of tag and semver");
  }
  if (branch.empty() && tag.empty() && semver.empty() && commit.empty()) {
    return Invalid("branch", "must be set when no tag, semver or commit is given");
  }
  if (!commit.empty() && (!IsHex(commit) || (commit.size() != 40 && commit.size() != 64))) {
    return Invalid("commit", absl::StrCat("must be a full hexadecimal commit SHA (40 or 64 "
                                          "characters); got ",
                                          Quoted(commit)));
  }
  if (!IsDns1123Subdomain(name)) {
    return Invalid("name", absl::StrCat("must be an RFC 1123 subdomain; got ", Quoted(name)));
  }
  if (!IsDns1123Label(namespace_name)) {
    return Invalid("namespace", absl::StrCat("must be an RFC 1123 label (at most 63 characters); "
                                             "got ",
                                             Quoted(namespace_name)));
  }
  if (!secret_name.empty() && !IsDns1123Subdomain(secret_name)) {
    return Invalid("secret_name",
                   absl::StrCat("must be an RFC 1123 subdomain; got ", Quoted(secret_name)));
  }
  if (!IsFluxDuration(interval)) {
    return Invalid("interval",
                   absl::StrCat("must be a duration such as 1m0s or 30s; got ", Quoted(interval)));
  }
  if (!IsFluxDuration(kustomization_interval)) {
    return Invalid("kustomization_interval", absl::StrCat("must be a duration such as 10m0s; got ",
                                                          Quoted(kustomization_interval)));
  }
  std::string clean = CleanPath();
  if (absl::StartsWith(clean, "/")) {
    return Invalid("path",
                   absl::StrCat("must be relative to the repository root; got ", Quoted(path)));
  }
  for (absl::string_view part : absl::StrSplit(clean, '/')) {
    if (part == "..") {
      return Invalid(
          "path", absl::StrCat("must stay inside the repository (no \"..\"); got ", Quoted(path)));
    }
  }
  if (!kustomization_override.empty()) {
    if (absl::Status status = ValidateKustomizationOverride(kustomization_override); !status.ok()) {
      return status;
    }
  }
  return absl::OkStatus();
}

}  // namespace fluxcpp::bootstrap
