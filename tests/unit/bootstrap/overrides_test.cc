// kustomization_override and registry_credentials: validation, the repository files and the image
// pull Secret.
#include <catch2/catch.hpp>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "bootstrap/manifests.h"
#include "lib/manifest/yaml.h"
#include "tests/unit/testdata.h"

namespace fluxcpp::bootstrap {
namespace {

SyncOptions ValidSync() {
  SyncOptions options;
  options.url = "ssh://git@github.com/example/fleet.git";
  options.path = "clusters/dev";
  return options;
}

void CheckRejected(const absl::Status& status, const std::string& prefix) {
  INFO(status.ToString());
  CHECK(status.code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StartsWith(status.message(), prefix));
}

TEST_CASE("kustomization_override replaces kustomization.yaml and nothing else") {
  SyncOptions sync = ValidSync();
  auto generated = RepositoryFiles({}, sync);
  REQUIRE(generated.ok());
  sync.kustomization_override = fluxcpp::testing::ReadTestdata("kustomization-override.yaml");
  auto overridden = RepositoryFiles({}, sync);
  INFO(overridden.status().ToString());
  REQUIRE(overridden.ok());
  CHECK(overridden->at("clusters/dev/flux-system/kustomization.yaml") ==
        sync.kustomization_override);
  CHECK(generated->at("clusters/dev/flux-system/kustomization.yaml") !=
        sync.kustomization_override);
  for (const char* name : {"gotk-components.yaml", "gotk-sync.yaml"}) {
    std::string path = std::string("clusters/dev/flux-system/") + name;
    CHECK(overridden->at(path) == generated->at(path));
  }
}

TEST_CASE("kustomization_override must list both bootstrap files") {
  SyncOptions sync = ValidSync();
  sync.kustomization_override =
      fluxcpp::testing::ReadTestdata("kustomization-override-missing-sync.yaml");
  CheckRejected(sync.Validate(), "kustomization_override: its resources must list");
  CHECK(absl::StrContains(sync.Validate().message(), "gotk-sync.yaml is missing"));
  sync.kustomization_override = "resources: [gotk-components.yaml";
  CheckRejected(sync.Validate(), "kustomization_override: is not valid YAML");
  sync.kustomization_override = "- gotk-components.yaml\n- gotk-sync.yaml\n";
  CheckRejected(sync.Validate(), "kustomization_override: must be one YAML mapping");
  sync.kustomization_override = "resources:\n  - ./gotk-components.yaml\n  - gotk-sync.yaml\n";
  CHECK(sync.Validate().ok());
}

TEST_CASE("registry_credentials needs image_pull_secret and user:password, never echoed") {
  InstallOptions install;
  install.registry_credentials = "robot:s3cret-value";
  CheckRejected(install.Validate(), "registry_credentials: requires image_pull_secret");
  install.image_pull_secret = "registry-pull";
  CHECK(install.Validate().ok());
  for (const char* wrong : {"no-colon-s3cret", ":s3cret", "robot:"}) {
    install.registry_credentials = wrong;
    absl::Status status = install.Validate();
    CheckRejected(status, "registry_credentials: must have the form user:password");
    CHECK_FALSE(absl::StrContains(status.message(), "s3cret"));
    CHECK_FALSE(GenerateImagePullSecret(install).ok());
  }
}

TEST_CASE("the image pull Secret holds a docker config for the registry's host") {
  InstallOptions install;
  install.namespace_name = "flux-dev";
  install.registry = "registry.example.com:5000/team/flux";
  install.image_pull_secret = "registry-pull";
  install.registry_credentials = "robot:pa:ss";  // the password may hold ':'
  auto secret = GenerateImagePullSecret(install);
  INFO(secret.status().ToString());
  REQUIRE(secret.ok());
  CHECK(secret->Kind() == "Secret");
  CHECK(secret->Name() == "registry-pull");
  CHECK(secret->Namespace() == "flux-dev");
  CHECK(secret->json()["type"] == "kubernetes.io/dockerconfigjson");
  CHECK(secret->Label(kInstanceLabel) == "flux-dev");
  std::string decoded;
  REQUIRE(absl::Base64Unescape(secret->json()["data"][".dockerconfigjson"].get<std::string>(),
                               &decoded));
  manifest::Json config = manifest::Json::parse(decoded);
  REQUIRE(config["auths"].size() == 1);
  const manifest::Json& entry = config["auths"]["registry.example.com:5000"];
  CHECK(entry["username"] == "robot");
  CHECK(entry["password"] == "pa:ss");
  std::string auth;
  REQUIRE(absl::Base64Unescape(entry["auth"].get<std::string>(), &auth));
  CHECK(auth == "robot:pa:ss");

  install.registry_credentials.clear();
  CHECK_FALSE(GenerateImagePullSecret(install).ok());
}

TEST_CASE("registry credentials never reach the install set or the repository files") {
  InstallOptions install;
  install.image_pull_secret = "registry-pull";
  install.registry_credentials = "robot:s3cret-value";
  auto files = RepositoryFiles(install, ValidSync());
  REQUIRE(files.ok());
  for (const auto& [path, content] : *files) {
    INFO(path);
    CHECK_FALSE(absl::StrContains(content, "s3cret"));
    CHECK_FALSE(absl::StrContains(content, absl::Base64Escape("robot:s3cret-value")));
    CHECK_FALSE(absl::StrContains(content, "dockerconfigjson"));
  }
  auto objects = GenerateInstall(install);
  REQUIRE(objects.ok());
  bool pulls_with_secret = false;
  for (const manifest::Object& object : *objects) {
    CHECK_FALSE((object.Kind() == "Secret" && object.Name() == "registry-pull"));
    if (object.Kind() == "Deployment") {
      pulls_with_secret = object.json()["spec"]["template"]["spec"]["imagePullSecrets"] ==
                          manifest::Json::array({{{"name", "registry-pull"}}});
    }
  }
  CHECK(pulls_with_secret);
}

}  // namespace
}  // namespace fluxcpp::bootstrap
