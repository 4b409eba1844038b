// SOPS-encrypted Secrets in a source reach the cluster decrypted through spec.decryption, with the
// keys of its secretRef; without decryption, or with the wrong key, nothing is applied and the
// Ready condition names the Secret or the key.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/escaping.h"
#include "tests/e2e/reconciler_kustomization/kustomization_fixture.h"
#include "tests/e2e/support/sops_tools.h"

namespace fluxcpp::testing {
namespace {

using manifest::Json;

const manifest::GroupVersionKind kSecretKind{"", "v1", "Secret"};

// A source folder holding one Secret, encrypted by sops for `recipient` as Flux's guide does it.
void WriteEncryptedSecret(const ScratchDirectory& keys, const ScratchDirectory& source,
                          const std::string& ns, const std::string& recipient) {
  std::string encrypted = SopsEncrypt(
      keys, "secret.yaml",
      "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db-credentials\n  namespace: " + ns +
          "\ntype: Opaque\nstringData:\n  password: p4ss-w0rd\ndata:\n  user: " +
          absl::Base64Escape("admin") + "\n",
      "--age " + recipient + " --encrypted-regex '^(data|stringData)$'");
  REQUIRE(encrypted.find("p4ss-w0rd") == std::string::npos);
  source.Write("secret.yaml", encrypted);
}

void CreateKeySecret(KustomizationGround& ground, const std::string& name,
                     const std::string& identity_file) {
  Json secret{{"apiVersion", "v1"},
              {"kind", "Secret"},
              {"metadata", {{"name", name}, {"namespace", ground.ns()}}},
              {"data", {{"identity.agekey", absl::Base64Escape(identity_file)}}}};
  auto created = ground.client().Create(manifest::Object(secret));
  INFO(created.status().ToString());
  REQUIRE(created.ok());
}

TEST_CASE("an encrypted Secret reaches the cluster decrypted with the secretRef's age key") {
  KustomizationGround ground("ks-sops");
  ScratchDirectory keys;
  ScratchDirectory source;
  AgeKey key = MakeAgeKey(keys, "right");
  WriteEncryptedSecret(keys, source, ground.ns(), key.recipient);
  ground.Publish("source", source.path(), Revision(41));
  CreateKeySecret(ground, "sops-age", key.identity_file);
  ground.CreateKustomization(
      "apps", {{"path", "./"},
               {"decryption", {{"provider", "sops"}, {"secretRef", {{"name", "sops-age"}}}}}});
  ground.Reconcile("apps");
  Json ready = ground.Ready("apps");
  INFO(ready.dump());
  REQUIRE(ready.value("status", "") == "True");
  auto secret = ground.client().Get(kSecretKind, ground.ns(), "db-credentials");
  REQUIRE(secret.ok());
  const Json& data = secret->json()["data"];
  CHECK(data["password"] == absl::Base64Escape("p4ss-w0rd"));
  CHECK(data["user"] == absl::Base64Escape("admin"));
  CHECK(!secret->json().contains("sops"));
  // The Ready message and events carry no plaintext.
  CHECK(ground.Status("apps").dump().find("p4ss-w0rd") == std::string::npos);
}

TEST_CASE(
    "SOPS-encrypted secretGenerator sources (env file and file) are decrypted for the build") {
  KustomizationGround ground("ks-sops-gen");
  ScratchDirectory keys;
  ScratchDirectory source;
  AgeKey key = MakeAgeKey(keys, "right");
  auto encrypt = [&](const std::string& name, const std::string& plain) {
    source.Write(name, SopsEncrypt(keys, name, plain, "--age " + key.recipient));
  };
  encrypt("app.env", "USER=admin\nPASSWORD=env-s3cret\n");
  encrypt("config.json", R"({"token": "json-s3cret", "port": 8443})");
  source.Write("kustomization.yaml",
               "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
               "generatorOptions:\n  disableNameSuffixHash: true\n"
               "secretGenerator:\n  - name: app-env\n    envs: [app.env]\n"
               "  - name: app-files\n    files: [config.json]\n");
  ground.Publish("source", source.path(), Revision(44));
  CreateKeySecret(ground, "sops-age", key.identity_file);
  ground.CreateKustomization(
      "apps", {{"path", "./"},
               {"decryption", {{"provider", "sops"}, {"secretRef", {{"name", "sops-age"}}}}}});
  ground.Reconcile("apps");
  Json ready = ground.Ready("apps");
  INFO(ready.dump());
  REQUIRE(ready.value("status", "") == "True");
  auto env = ground.client().Get(kSecretKind, ground.ns(), "app-env");
  REQUIRE(env.ok());
  CHECK(env->json()["data"]["USER"] == absl::Base64Escape("admin"));
  CHECK(env->json()["data"]["PASSWORD"] == absl::Base64Escape("env-s3cret"));
  auto files = ground.client().Get(kSecretKind, ground.ns(), "app-files");
  REQUIRE(files.ok());
  std::string config;
  REQUIRE(absl::Base64Unescape(files->json()["data"]["config.json"].get<std::string>(), &config));
  Json parsed = Json::parse(config);
  CHECK(parsed["token"] == "json-s3cret");
  CHECK(parsed["port"] == 8443);
  CHECK(!parsed.contains("sops"));
}

TEST_CASE("an encrypted Secret without spec.decryption is an error naming it") {
  KustomizationGround ground("ks-sops-none");
  ScratchDirectory keys;
  ScratchDirectory source;
  AgeKey key = MakeAgeKey(keys, "right");
  WriteEncryptedSecret(keys, source, ground.ns(), key.recipient);
  ground.Publish("source", source.path(), Revision(42));
  ground.CreateKustomization("apps", {{"path", "./"}});
  ground.Reconcile("apps");
  Json ready = ground.Ready("apps");
  INFO(ready.dump());
  CHECK(ready.value("status", "") == "False");
  CHECK(ready.value("reason", "") == "DecryptionFailed");
  std::string message = ready.value("message", "");
  CHECK(message.find("db-credentials") != std::string::npos);
  CHECK(message.find("spec.decryption is not configured") != std::string::npos);
  CHECK_FALSE(ground.Exists(kSecretKind, "db-credentials"));
}

TEST_CASE("a wrong decryption key is named and nothing is applied") {
  KustomizationGround ground("ks-sops-wrong");
  ScratchDirectory keys;
  ScratchDirectory source;
  AgeKey right = MakeAgeKey(keys, "right");
  AgeKey wrong = MakeAgeKey(keys, "wrong");
  WriteEncryptedSecret(keys, source, ground.ns(), right.recipient);
  ground.Publish("source", source.path(), Revision(43));
  CreateKeySecret(ground, "sops-age", wrong.identity_file);
  ground.CreateKustomization(
      "apps", {{"path", "./"},
               {"decryption", {{"provider", "sops"}, {"secretRef", {{"name", "sops-age"}}}}}});
  ground.Reconcile("apps");
  Json ready = ground.Ready("apps");
  INFO(ready.dump());
  CHECK(ready.value("status", "") == "False");
  CHECK(ready.value("reason", "") == "DecryptionFailed");
  std::string message = ready.value("message", "");
  CHECK(message.find("age recipient " + right.recipient) != std::string::npos);
  CHECK(message.find("AGE-SECRET-KEY") == std::string::npos);
  CHECK_FALSE(ground.Exists(kSecretKind, "db-credentials"));
}

}  // namespace
}  // namespace fluxcpp::testing
