// GenerateSync and GenerateSyncSecret.
#include <catch2/catch.hpp>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "bootstrap/manifests.h"
#include "lib/manifest/yaml.h"
#include "tests/unit/bootstrap/golden.h"

namespace fluxcpp::bootstrap {
namespace {

using manifest::Json;
using manifest::Object;

SyncOptions ValidSync() {
  SyncOptions options;
  options.url = "ssh://git@github.com/example/fleet.git";
  return options;
}

std::vector<Object> Sync(const SyncOptions& options) {
  auto objects = GenerateSync(options);
  INFO(objects.status().ToString());
  REQUIRE(objects.ok());
  REQUIRE(objects->size() == 2);
  return *objects;
}

std::string Decoded(const Json& value) {
  std::string decoded;
  REQUIRE(absl::Base64Unescape(value.get<std::string>(), &decoded));
  return decoded;
}

TEST_CASE("the default sync matches its golden file", "[golden]") {
  fluxcpp::testing::CheckGolden("sync-default.yaml", manifest::ToYaml(Sync(ValidSync())));
}

TEST_CASE("the sync set is a GitRepository and a Kustomization pruning from it") {
  SyncOptions options = ValidSync();
  options.path = "./clusters/dev/";
  std::vector<Object> objects = Sync(options);
  const Object& repository = objects[0];
  CHECK(repository.ApiVersion() == "source.toolkit.fluxcd.io/v1");
  CHECK(repository.Kind() == "GitRepository");
  CHECK(repository.Describe() == "GitRepository/flux-system/flux-system");
  const Json& spec = repository.json()["spec"];
  CHECK(spec["url"] == options.url);
  CHECK(spec["interval"] == "1m0s");
  CHECK(spec["ref"] == Json{{"branch", "main"}});
  CHECK(spec["secretRef"] == Json{{"name", "flux-system"}});
  CHECK_FALSE(spec.contains("recurseSubmodules"));

  const Object& kustomization = objects[1];
  CHECK(kustomization.ApiVersion() == "kustomize.toolkit.fluxcd.io/v1");
  CHECK(kustomization.Describe() == "Kustomization/flux-system/flux-system");
  const Json& ks = kustomization.json()["spec"];
  CHECK(ks["interval"] == "10m0s");
  CHECK(ks["path"] == "./clusters/dev");
  CHECK(ks["prune"] == true);
  CHECK(ks["sourceRef"] == Json{{"kind", "GitRepository"}, {"name", "flux-system"}});
}

TEST_CASE("the root of the repository is ./") {
  CHECK(Sync(ValidSync())[1].json()["spec"]["path"] == "./");
}

TEST_CASE("the reference written is the one Flux follows") {
  SyncOptions options = ValidSync();
  options.tag = "v1.2.3";
  CHECK(Sync(options)[0].json()["spec"]["ref"] == Json{{"tag", "v1.2.3"}});
  options.tag = "";
  options.semver = ">=1.0.0 <2.0.0";
  CHECK(Sync(options)[0].json()["spec"]["ref"] == Json{{"semver", ">=1.0.0 <2.0.0"}});
  options.semver = "";
  options.branch = "release";
  options.commit = std::string(40, 'a');
  CHECK(Sync(options)[0].json()["spec"]["ref"] ==
        Json{{"branch", "release"}, {"commit", std::string(40, 'a')}});
}

TEST_CASE("names, namespace, intervals and options reach the sync objects") {
  SyncOptions options = ValidSync();
  options.name = "fleet";
  options.namespace_name = "gitops";
  options.secret_name = "";
  options.interval = "5m";
  options.kustomization_interval = "1h";
  options.recurse_submodules = true;
  std::vector<Object> objects = Sync(options);
  CHECK(objects[0].Describe() == "GitRepository/gitops/fleet");
  CHECK_FALSE(objects[0].json()["spec"].contains("secretRef"));
  CHECK(objects[0].json()["spec"]["recurseSubmodules"] == true);
  CHECK(objects[0].json()["spec"]["interval"] == "5m");
  CHECK(objects[1].Describe() == "Kustomization/gitops/fleet");
  CHECK(objects[1].json()["spec"]["interval"] == "1h");
  CHECK(objects[1].json()["spec"]["sourceRef"]["name"] == "fleet");
}

TEST_CASE("the SSH Secret holds identity, identity.pub and known_hosts") {
  SshCredentials ssh{.identity = "-----BEGIN OPENSSH PRIVATE KEY-----\nkey\n",
                     .identity_pub = "ssh-ed25519 AAAA test\n",
                     .known_hosts = "github.com ssh-ed25519 AAAA\n"};
  auto secret = GenerateSyncSecret(ValidSync(), ssh);
  INFO(secret.status().ToString());
  REQUIRE(secret.ok());
  CHECK(secret->Describe() == "Secret/flux-system/flux-system");
  CHECK(secret->json()["type"] == "Opaque");
  const Json& data = secret->json()["data"];
  CHECK(data.size() == 3);
  CHECK(Decoded(data["identity"]) == ssh.identity);
  CHECK(Decoded(data["identity.pub"]) == ssh.identity_pub);
  CHECK(Decoded(data["known_hosts"]) == ssh.known_hosts);
}

TEST_CASE("the SSH Secret of an encrypted key holds its passphrase as password, as Flux's does") {
  SshCredentials ssh{.identity = "-----BEGIN OPENSSH PRIVATE KEY-----\nkey\n",
                     .known_hosts = "github.com ssh-ed25519 AAAA\n",
                     .password = "correct horse"};
  auto secret = GenerateSyncSecret(ValidSync(), ssh);
  INFO(secret.status().ToString());
  REQUIRE(secret.ok());
  const Json& data = secret->json()["data"];
  CHECK(data.size() == 3);
  CHECK(Decoded(data["identity"]) == ssh.identity);
  CHECK(Decoded(data["known_hosts"]) == ssh.known_hosts);
  CHECK(Decoded(data["password"]) == "correct horse");
  CHECK_FALSE(data.contains("identity.pub"));
}

TEST_CASE("the HTTPS Secret holds username, password and ca.crt") {
  SyncOptions options = ValidSync();
  options.url = "https://git.example.com/fleet.git";
  HttpsCredentials https{.username = "git", .password = "s3cret", .ca_crt = "PEM"};
  auto secret = GenerateSyncSecret(options, https);
  REQUIRE(secret.ok());
  const Json& data = secret->json()["data"];
  CHECK(Decoded(data["username"]) == "git");
  CHECK(Decoded(data["password"]) == "s3cret");
  CHECK(Decoded(data["ca.crt"]) == "PEM");
  https.ca_crt = "";
  CHECK_FALSE(GenerateSyncSecret(options, https)->json()["data"].contains("ca.crt"));
}

TEST_CASE("Secret errors name the field and never the secret") {
  SyncOptions https_url = ValidSync();
  https_url.url = "https://git.example.com/fleet.git";
  struct Case {
    const char* what;
    SyncOptions options;
    GitCredentials credentials;
    const char* prefix;
  };
  const Case cases[] = {
      {"ssh credentials for https", https_url,
       SshCredentials{.identity = "hunter2", .known_hosts = "x"}, "credentials: SSH credentials"},
      {"https credentials for ssh", ValidSync(),
       HttpsCredentials{.username = "u", .password = "hunter2"}, "credentials: username/password"},
      {"no identity", ValidSync(), SshCredentials{.known_hosts = "x"},
       "credentials: identity must be set"},
      {"no known_hosts", ValidSync(), SshCredentials{.identity = "hunter2"},
       "credentials: known_hosts must be set"},
      {"no password", https_url, HttpsCredentials{.username = "hunter2"},
       "credentials: password must be set"},
      {"no username", https_url, HttpsCredentials{.password = "hunter2"},
       "credentials: username must be set"},
  };
  for (const Case& test : cases) {
    INFO(test.what);
    auto secret = GenerateSyncSecret(test.options, test.credentials);
    INFO(secret.status().ToString());
    CHECK(secret.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(absl::StartsWith(secret.status().message(), test.prefix));
    CHECK_FALSE(absl::StrContains(secret.status().message(), "hunter2"));
  }
  SyncOptions no_secret = ValidSync();
  no_secret.secret_name = "";
  CHECK(absl::StartsWith(
      GenerateSyncSecret(no_secret, SshCredentials{.identity = "k", .known_hosts = "h"})
          .status()
          .message(),
      "secret_name: "));
}

}  // namespace
}  // namespace fluxcpp::bootstrap
