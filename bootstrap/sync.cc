// GenerateSync and GenerateSyncSecret: the objects of gotk-sync.yaml and the Secret they use.
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "bootstrap/manifests.h"
#include "bootstrap/validation.h"

namespace fluxcpp::bootstrap {
namespace {

using manifest::Json;
using manifest::Object;

Json Reference(const SyncOptions& options) {
  Json ref = Json::object();
  // Flux gives tag and semver precedence over branch; writing only the one in effect keeps the
  // file honest about what is followed. A commit narrows a branch and is kept with it.
  if (options.tag.empty() && options.semver.empty() && !options.branch.empty()) {
    ref["branch"] = options.branch;
  }
  if (!options.tag.empty()) ref["tag"] = options.tag;
  if (!options.semver.empty()) ref["semver"] = options.semver;
  if (!options.commit.empty()) ref["commit"] = options.commit;
  return ref;
}

std::string Base64(std::string_view text) {
  return absl::Base64Escape(absl::string_view(text.data(), text.size()));
}

absl::Status Missing(absl::string_view field) {
  return absl::InvalidArgumentError(absl::StrCat("credentials: ", field, " must be set"));
}

}  // namespace

absl::StatusOr<std::vector<Object>> GenerateSync(const SyncOptions& options) {
  if (absl::Status status = options.Validate(); !status.ok()) return status;

  Json repository_spec = {{"interval", options.interval}, {"ref", Reference(options)}};
  if (!options.secret_name.empty()) {
    repository_spec["secretRef"] = {{"name", options.secret_name}};
  }
  if (options.recurse_submodules) repository_spec["recurseSubmodules"] = true;
  repository_spec["url"] = options.url;

  Object repository(
      Json{{"apiVersion", "source.toolkit.fluxcd.io/v1"},
           {"kind", "GitRepository"},
           {"metadata", {{"name", options.name}, {"namespace", options.namespace_name}}},
           {"spec", std::move(repository_spec)}});

  std::string path = options.CleanPath();
  Object kustomization(
      Json{{"apiVersion", "kustomize.toolkit.fluxcd.io/v1"},
           {"kind", "Kustomization"},
           {"metadata", {{"name", options.name}, {"namespace", options.namespace_name}}},
           {"spec",
            {{"interval", options.kustomization_interval},
             {"path", path.empty() ? "./" : "./" + path},
             {"prune", true},
             {"sourceRef", {{"kind", "GitRepository"}, {"name", options.name}}}}}});

  return std::vector<Object>{std::move(repository), std::move(kustomization)};
}

absl::StatusOr<Object> GenerateSyncSecret(const SyncOptions& options,
                                          const GitCredentials& credentials) {
  if (absl::Status status = options.Validate(); !status.ok()) return status;
  if (options.secret_name.empty()) {
    return absl::InvalidArgumentError("secret_name: must be set to create the Git Secret");
  }
  std::string scheme = UrlScheme(options.url);
  Json data = Json::object();
  if (const auto* ssh = std::get_if<SshCredentials>(&credentials)) {
    if (scheme != "ssh") {
      return absl::InvalidArgumentError(absl::StrCat(
          "credentials: SSH credentials need an ssh:// url; the url is ", scheme, "://"));
    }
    if (ssh->identity.empty()) return Missing("identity");
    if (ssh->known_hosts.empty()) return Missing("known_hosts");
    data["identity"] = Base64(ssh->identity);
    if (!ssh->identity_pub.empty()) data["identity.pub"] = Base64(ssh->identity_pub);
    data["known_hosts"] = Base64(ssh->known_hosts);
    if (!ssh->password.empty()) data["password"] = Base64(ssh->password);
  } else {
    const auto& https = std::get<HttpsCredentials>(credentials);
    if (scheme != "https" && scheme != "http") {
      return absl::InvalidArgumentError(
          absl::StrCat("credentials: username/password credentials need an https:// or http:// "
                       "url; the url is ",
                       scheme, "://"));
    }
    if (https.username.empty()) return Missing("username");
    if (https.password.empty()) return Missing("password");
    data["username"] = Base64(https.username);
    data["password"] = Base64(https.password);
    if (!https.ca_crt.empty()) data["ca.crt"] = Base64(https.ca_crt);
  }
  return Object(
      Json{{"apiVersion", "v1"},
           {"kind", "Secret"},
           {"metadata", {{"name", options.secret_name}, {"namespace", options.namespace_name}}},
           {"type", "Opaque"},
           {"data", std::move(data)}});
}

}  // namespace fluxcpp::bootstrap
