#include "reconciler/source/git_repository_spec.h"

#include <regex>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "lib/git/semver.h"
#include "reconciler/runtime/status.h"

namespace fluxcpp::reconciler::source {
namespace {

absl::Status Invalid(const std::string& field, const std::string& why) {
  return absl::InvalidArgumentError(absl::StrCat("spec.", field, " ", why));
}

absl::StatusOr<std::string> StringField(const manifest::Json& object, const char* name,
                                        const std::string& path) {
  auto it = object.find(name);
  if (it == object.end() || it->is_null()) return std::string();
  if (!it->is_string()) return Invalid(path, "must be a string");
  return it->get<std::string>();
}

// Flux's duration pattern: ^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$.
absl::StatusOr<std::chrono::milliseconds> DurationField(const std::string& text,
                                                        const std::string& field) {
  static const std::regex kPattern("^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$");
  if (!std::regex_match(text, kPattern)) {
    return Invalid(field, absl::StrCat("'", text, "' is not a duration such as 1m or 30s"));
  }
  absl::StatusOr<std::chrono::milliseconds> duration = ParseDuration(text);
  if (!duration.ok()) return Invalid(field, std::string(duration.status().message()));
  return duration;
}

}  // namespace

absl::StatusOr<GitRepositorySpec> ParseGitRepositorySpec(const manifest::Json& object) {
  auto spec_it = object.find("spec");
  if (spec_it == object.end() || !spec_it->is_object()) {
    return absl::InvalidArgumentError("spec is missing");
  }
  const manifest::Json& spec = *spec_it;
  GitRepositorySpec parsed;

  absl::StatusOr<std::string> url = StringField(spec, "url", "url");
  if (!url.ok()) return url.status();
  static const std::regex kUrlPattern("^(http|https|ssh)://.*$");
  if (url->empty()) return Invalid("url", "is required");
  if (!std::regex_match(*url, kUrlPattern)) {
    return Invalid("url", absl::StrCat("'", git::RedactUrl(*url),
                                       "' must start with http://, https:// or ssh://"));
  }
  parsed.url = *url;

  absl::StatusOr<std::string> interval = StringField(spec, "interval", "interval");
  if (!interval.ok()) return interval.status();
  if (interval->empty()) return Invalid("interval", "is required");
  absl::StatusOr<std::chrono::milliseconds> interval_duration =
      DurationField(*interval, "interval");
  if (!interval_duration.ok()) return interval_duration.status();
  if (interval_duration->count() <= 0) return Invalid("interval", "must be positive");
  parsed.interval = *interval_duration;

  absl::StatusOr<std::string> timeout = StringField(spec, "timeout", "timeout");
  if (!timeout.ok()) return timeout.status();
  if (!timeout->empty()) {
    absl::StatusOr<std::chrono::milliseconds> timeout_duration = DurationField(*timeout, "timeout");
    if (!timeout_duration.ok()) return timeout_duration.status();
    if (timeout_duration->count() <= 0) return Invalid("timeout", "must be positive");
    parsed.timeout = *timeout_duration;
  }

  if (auto ref = spec.find("ref"); ref != spec.end() && !ref->is_null()) {
    if (!ref->is_object()) return Invalid("ref", "must be an object");
    struct {
      const char* name;
      std::string* out;
    } fields[] = {{"branch", &parsed.reference.branch},
                  {"tag", &parsed.reference.tag},
                  {"semver", &parsed.reference.semver},
                  {"name", &parsed.reference.name},
                  {"commit", &parsed.reference.commit}};
    for (const auto& field : fields) {
      absl::StatusOr<std::string> value =
          StringField(*ref, field.name, absl::StrCat("ref.", field.name));
      if (!value.ok()) return value.status();
      *field.out = *value;
    }
    if (!parsed.reference.semver.empty() && parsed.reference.commit.empty() &&
        parsed.reference.name.empty()) {
      if (absl::StatusOr<git::VersionConstraint> constraint =
              git::VersionConstraint::Parse(parsed.reference.semver);
          !constraint.ok()) {
        return Invalid("ref.semver", std::string(constraint.status().message()));
      }
    }
    if (!parsed.reference.commit.empty()) {
      static const std::regex kSha("^[0-9a-f]{40}$");
      if (!std::regex_match(parsed.reference.commit, kSha)) {
        return Invalid("ref.commit", absl::StrCat("'", parsed.reference.commit,
                                                  "' is not a full SHA-1 commit id"));
      }
    }
    if (!parsed.reference.name.empty() && !absl::StartsWith(parsed.reference.name, "refs/") &&
        parsed.reference.name != "HEAD") {
      return Invalid("ref.name", absl::StrCat("'", parsed.reference.name,
                                              "' is not a full ref name such as refs/heads/main"));
    }
  }

  if (auto secret = spec.find("secretRef"); secret != spec.end() && !secret->is_null()) {
    absl::StatusOr<std::string> name = StringField(*secret, "name", "secretRef.name");
    if (!name.ok()) return name.status();
    if (name->empty()) return Invalid("secretRef.name", "is required");
    parsed.secret_name = *name;
  }
  if (auto ignore = spec.find("ignore"); ignore != spec.end() && !ignore->is_null()) {
    if (!ignore->is_string()) return Invalid("ignore", "must be a string");
    parsed.ignore = ignore->get<std::string>();
  }
  if (auto suspend = spec.find("suspend"); suspend != spec.end() && !suspend->is_null()) {
    if (!suspend->is_boolean()) return Invalid("suspend", "must be a boolean");
    parsed.suspend = suspend->get<bool>();
  }
  if (auto recurse = spec.find("recurseSubmodules"); recurse != spec.end() && !recurse->is_null()) {
    if (!recurse->is_boolean()) return Invalid("recurseSubmodules", "must be a boolean");
    parsed.recurse_submodules = recurse->get<bool>();
  }
  return parsed;
}

absl::StatusOr<git::AuthOptions> AuthFromSecret(const std::string& url,
                                                const manifest::Object& secret) {
  std::string name = absl::StrCat("Secret '", secret.Namespace(), "/", secret.Name(), "'");
  std::map<std::string, std::string> data;
  if (auto it = secret.json().find("data"); it != secret.json().end() && it->is_object()) {
    for (const auto& [key, value] : it->items()) {
      if (!value.is_string()) continue;
      std::string decoded;
      if (!absl::Base64Unescape(value.get<std::string>(), &decoded)) {
        return absl::InvalidArgumentError(
            absl::StrCat(name, ": data.", key, " is not valid base64"));
      }
      data[key] = std::move(decoded);
    }
  }
  auto get = [&data](const char* key) {
    auto it = data.find(key);
    return it == data.end() ? std::string() : it->second;
  };
  git::AuthOptions auth;
  if (absl::StartsWith(url, "ssh://")) {
    auth.ssh_private_key = get("identity");
    auth.known_hosts = get("known_hosts");
    auth.ssh_passphrase = get("password");
    if (auth.ssh_private_key.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, ": the key 'identity' (the SSH private key) is missing"));
    }
    if (auth.known_hosts.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, ": the key 'known_hosts' is missing (required for SSH)"));
    }
    return auth;
  }
  auth.username = get("username");
  auth.password = get("password");
  auth.bearer_token = get("bearerToken");
  auth.ca_pem = get("ca.crt");
  if (auth.ca_pem.empty()) auth.ca_pem = get("caFile");  // the key Flux used before ca.crt
  auth.allow_insecure_http = absl::StartsWith(url, "http://");
  if (!auth.bearer_token.empty() && (!auth.username.empty() || !auth.password.empty())) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": 'bearerToken' cannot be combined with 'username' and 'password'"));
  }
  if (!auth.username.empty() && auth.password.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": 'username' is set but 'password' is missing"));
  }
  // Mutual TLS, as Flux reads it: the client certificate and its key come together.
  auth.client_certificate_pem = get("tls.crt");
  auth.client_key_pem = get("tls.key");
  if (auth.client_certificate_pem.empty() != auth.client_key_pem.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": '", auth.client_certificate_pem.empty() ? "tls.key" : "tls.crt",
                     "' is set but '", auth.client_certificate_pem.empty() ? "tls.crt" : "tls.key",
                     "' is missing (a TLS client certificate needs both)"));
  }
  if (!auth.client_certificate_pem.empty() && !absl::StartsWith(url, "https://")) {
    return absl::InvalidArgumentError(absl::StrCat(
        name, ": 'tls.crt' / 'tls.key' (a TLS client certificate) need an https:// URL"));
  }
  return auth;
}

}  // namespace fluxcpp::reconciler::source
