// SOPS through Git, end to end: fixtures encrypted at test time by the real `sops` with fresh age
// and OpenPGP keys are pushed to the ground's Git server, a Kustomization with spec.decryption
// builds them, and the real flux-reconciler (run by pod_runner for the install's Pod) applies the
// decrypted Secrets to the real API server. The plaintext must reach the cluster's Secrets and
// nothing else: not the reconciler's log, not Events, not any Kustomization's status.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "absl/strings/escaping.h"
#include "lib/manifest/yaml.h"
#include "tests/e2e/reconciler_takeover/takeover_ground.h"
#include "tests/e2e/support/sops_tools.h"

namespace fluxcpp::testing {
namespace {

namespace fs = std::filesystem;

const manifest::GroupVersionKind kSecretKind{"", "v1", "Secret"};
const manifest::GroupVersionKind kEventKind{"", "v1", "Event"};

// Plaintext values, each distinctive so that a leak anywhere is found by a plain search.
struct Plaintext {
  std::string password = "pw-" + RandomSuffix(12);
  std::string user = "user-" + RandomSuffix(12);
  std::string certificate_line = "cert-" + RandomSuffix(12);
  std::string pgp_token = "pgp-" + RandomSuffix(12);
  std::string env_password = "env-" + RandomSuffix(12);
  std::string banner = "banner-" + RandomSuffix(12);
  std::string binary = "bin-" + RandomSuffix(12);

  std::vector<std::string> All() const {
    return {password, user, certificate_line, pgp_token, env_password, banner, binary};
  }
};

std::string SecretManifest(const std::string& name, const std::string& namespace_name,
                           const std::string& string_data) {
  return "apiVersion: v1\nkind: Secret\nmetadata:\n  name: " + name +
         "\n  namespace: " + namespace_name + "\ntype: Opaque\nstringData:\n" + string_data;
}

// A Kustomization for ./<path>, written under the bootstrap folder so flux-system applies it.
std::string SyncManifest(const std::string& namespace_name, const std::string& name,
                         const std::string& decryption) {
  return "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: " +
         name + "\n  namespace: " + namespace_name + "\nspec:\n  interval: 3s\n  path: ./" + name +
         "\n  prune: true\n  sourceRef:\n    kind: GitRepository\n    name: " + namespace_name +
         "\n" + decryption;
}

std::string Decryption(const std::string& secret_name) {
  std::string text = "  decryption:\n    provider: sops\n";
  if (!secret_name.empty()) text += "    secretRef:\n      name: " + secret_name + "\n";
  return text;
}

// Writes ./<folder> with a Secret manifest encrypted for age (the encrypted_regex Flux's guide
// uses), one encrypted for OpenPGP, and a secretGenerator over an encrypted dotenv file, an
// encrypted YAML file with typed values and an encrypted binary file.
void WriteEncryptedApp(TakeoverGround& ground, const std::string& folder, const AgeKey& age,
                       const PgpKey* pgp, const Plaintext& plain, const ScratchDirectory& work) {
  const std::string& ns = ground.namespace_name();
  const std::string age_options = "--age " + age.recipient;
  std::string db = SopsEncrypt(
      work, "db-credentials.yaml",
      SecretManifest("db-credentials", ns,
                     // Quoted: strings that look like an int and a bool stay strings.
                     "  port: \"5432\"\n  tls: \"true\"\n  password: " + plain.password +
                         "\n  certificate: |\n    -----BEGIN CERTIFICATE-----\n    " +
                         plain.certificate_line + "\n    -----END CERTIFICATE-----\n") +
          "data:\n  user: " + absl::Base64Escape(plain.user) + "\n",
      age_options + " --encrypted-regex '^(data|stringData)$'");
  REQUIRE(db.find(plain.password) == std::string::npos);
  ground.WriteFile(folder + "/db-credentials.yaml", db);
  if (pgp != nullptr) {
    ground.WriteFile(
        folder + "/pgp-credentials.yaml",
        SopsEncrypt(work, "pgp-credentials.yaml",
                    SecretManifest("pgp-credentials", ns, "  api-token: " + plain.pgp_token + "\n"),
                    "--pgp " + pgp->fingerprint() + " --encrypted-regex '^(data|stringData)$'",
                    pgp->Environment()));
  }
  ground.WriteFile(
      folder + "/app.env",
      SopsEncrypt(work, "app.env", "DB_HOST=db.internal\nDB_PASSWORD=" + plain.env_password + "\n",
                  age_options));
  ground.WriteFile(folder + "/settings.yaml",
                   SopsEncrypt(work, "settings.yaml",
                               "port: 8443\ndebug: true\nratio: 0.75\nbanner: |\n  " +
                                   plain.banner + "\n  second line\n",
                               age_options));
  ground.WriteFile(folder + "/token.bin",
                   SopsEncrypt(work, "token.bin", plain.binary + "\nsecond line\n", age_options));
  ground.WriteFile(folder + "/kustomization.yaml",
                   "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
                   "namespace: " +
                       ns + "\nresources:\n  - db-credentials.yaml\n" +
                       (pgp != nullptr ? "  - pgp-credentials.yaml\n" : "") +
                       "generatorOptions:\n  disableNameSuffixHash: true\n"
                       "secretGenerator:\n  - name: app-env\n    envs: [app.env]\n"
                       "  - name: app-files\n    files: [settings.yaml, token.bin]\n");
}

void CreateKeySecret(TakeoverGround& ground, const std::string& name,
                     const std::map<std::string, std::string>& entries) {
  Json data = Json::object();
  for (const auto& [key, value] : entries) data[key] = absl::Base64Escape(value);
  Json secret{{"apiVersion", "v1"},
              {"kind", "Secret"},
              {"metadata", {{"name", name}, {"namespace", ground.namespace_name()}}},
              {"data", data}};
  auto created = ground.client().Create(manifest::Object(secret));
  INFO(created.status().ToString());
  REQUIRE(created.ok());
}

std::string SecretValue(TakeoverGround& ground, const std::string& name, const std::string& key) {
  auto secret = ground.Get(kSecretKind, name);
  REQUIRE(secret.has_value());
  const Json& data = (*secret).value("data", Json::object());
  INFO("Secret " << name << " has no data." << key);
  REQUIRE(data.contains(key));
  std::string decoded;
  REQUIRE(absl::Base64Unescape(data[key].get<std::string>(), &decoded));
  return decoded;
}

// Every value type arrives as it was before encryption.
void CheckDecryptedSecrets(TakeoverGround& ground, const Plaintext& plain, bool with_pgp) {
  CHECK(SecretValue(ground, "db-credentials", "password") == plain.password);
  CHECK(SecretValue(ground, "db-credentials", "user") == plain.user);
  CHECK(SecretValue(ground, "db-credentials", "port") == "5432");
  CHECK(SecretValue(ground, "db-credentials", "tls") == "true");
  CHECK(SecretValue(ground, "db-credentials", "certificate") ==
        "-----BEGIN CERTIFICATE-----\n" + plain.certificate_line + "\n-----END CERTIFICATE-----\n");
  if (with_pgp) CHECK(SecretValue(ground, "pgp-credentials", "api-token") == plain.pgp_token);
  CHECK(SecretValue(ground, "app-env", "DB_HOST") == "db.internal");
  CHECK(SecretValue(ground, "app-env", "DB_PASSWORD") == plain.env_password);
  CHECK(SecretValue(ground, "app-files", "token.bin") == plain.binary + "\nsecond line\n");
  std::string settings = SecretValue(ground, "app-files", "settings.yaml");
  INFO(settings);
  CHECK(settings.find("sops") == std::string::npos);
  auto documents = manifest::ParseYamlDocuments(settings, "settings.yaml",
                                                {.typing = manifest::ScalarTyping::kKustomize});
  REQUIRE(documents.ok());
  REQUIRE(documents->size() == 1);
  const Json& values = documents->front().json;
  CHECK(values["port"] == 8443);
  CHECK(values["port"].is_number_integer());
  CHECK(values["debug"] == true);
  CHECK(values["ratio"] == 0.75);
  CHECK(values["banner"] == plain.banner + "\nsecond line\n");
  for (const char* name : {"db-credentials", "pgp-credentials"}) {
    if (!with_pgp && std::string(name) == "pgp-credentials") continue;
    auto secret = ground.Get(kSecretKind, name);
    REQUIRE(secret.has_value());
    CHECK_FALSE(secret->contains("sops"));
  }
}

// All the reconciler's log output (every pod it ran), the namespace's Events and its
// Kustomizations and GitRepositories (status included), as text to search.
std::string ObservableText(TakeoverGround& ground) {
  std::ostringstream text;
  std::error_code error;
  const fs::path pods = fs::path(ground.runner().state_directory()) / "pods";
  int logs = 0;
  for (const auto& pod : fs::directory_iterator(pods, error)) {
    for (const auto& file : fs::directory_iterator(pod.path(), error)) {
      if (file.path().extension() != ".log") continue;
      std::ifstream log(file.path(), std::ios::binary);
      text << log.rdbuf() << "\n";
      ++logs;
    }
  }
  REQUIRE(logs > 0);
  text << ground.runner().Log() << "\n";
  for (const auto& kind : {kEventKind, kKustomizationKind, kGitRepositoryKind}) {
    auto list = ground.client().List(kind, ground.namespace_name());
    INFO(list.status().ToString());
    REQUIRE(list.ok());
    for (const kube::Object& object : list->items) text << object.json().dump() << "\n";
  }
  return text.str();
}

// The decrypted Secrets' values as the cluster holds them (base64) and decoded, for the ones long
// enough not to match by chance ("true", "5432" would).
std::vector<std::string> ClusterSecretValues(TakeoverGround& ground, bool with_pgp) {
  std::vector<std::string> values;
  for (const char* name : {"db-credentials", "pgp-credentials", "app-env", "app-files"}) {
    if (!with_pgp && std::string(name) == "pgp-credentials") continue;
    auto secret = ground.Get(kSecretKind, name);
    REQUIRE(secret.has_value());
    const Json data = secret->value("data", Json::object());
    for (const auto& [key, encoded] : data.items()) {
      std::string decoded;
      REQUIRE(absl::Base64Unescape(encoded.get<std::string>(), &decoded));
      if (decoded.size() < 12) continue;
      values.push_back(encoded.get<std::string>());
      values.push_back(decoded);
    }
  }
  return values;
}

void CheckNoLeak(TakeoverGround& ground, const Plaintext& plain, bool with_pgp,
                 const std::vector<std::string>& key_material) {
  std::string observable = ObservableText(ground);
  // The search itself must work: the reconciler logged its applies and recorded events.
  REQUIRE(observable.find("db-credentials") != std::string::npos);
  for (const std::string& value : plain.All()) {
    INFO("plaintext " << value);
    CHECK(observable.find(value) == std::string::npos);
  }
  // Whole values, also in the base64 form a dumped Secret would show.
  for (const std::string& value : ClusterSecretValues(ground, with_pgp)) {
    INFO("Secret value " << value);
    CHECK(observable.find(value) == std::string::npos);
  }
  CHECK(observable.find("AGE-SECRET-KEY") == std::string::npos);
  CHECK(observable.find("PRIVATE KEY BLOCK") == std::string::npos);
  for (const std::string& key : key_material) {
    // A stretch of the base64 body, in case it were logged without its armor line.
    CHECK(observable.find(key) == std::string::npos);
  }
}

// A run of the armored key's body (a line from its middle), to search for.
std::string ArmoredBodyLine(const std::string& armored) {
  std::istringstream lines(armored);
  std::string line;
  std::vector<std::string> body;
  while (std::getline(lines, line)) {
    if (line.size() >= 60 && line.find(' ') == std::string::npos) body.push_back(line);
  }
  REQUIRE(body.size() > 4);
  return body[body.size() / 2];
}

Json ReadyCondition(TakeoverGround& ground, const std::string& name) {
  auto object = ground.Get(kKustomizationKind, name);
  return object ? TakeoverGround::Condition(*object, "Ready") : Json::object();
}

// Whether the Kustomization attempted `revision` and failed with `reason`.
bool FailedAt(TakeoverGround& ground, const std::string& name, const std::string& revision,
              const std::string& reason) {
  auto object = ground.Get(kKustomizationKind, name);
  if (!object) return false;
  Json ready = TakeoverGround::Condition(*object, "Ready");
  return ready.value("status", "") == "False" && ready.value("reason", "") == reason &&
         (*object)["status"].value("lastAttemptedRevision", "") == revision;
}

TEST_CASE("encrypted Secrets in Git reach the cluster decrypted, and only the cluster") {
  TakeoverGround ground("sops-git");
  ground.Bootstrap("2s", "--log-level debug");
  const std::string& ns = ground.namespace_name();
  ScratchDirectory work;
  AgeKey age = MakeAgeKey(work, "right");
  AgeKey wrong_age = MakeAgeKey(work, "wrong");
  PgpKey pgp(work, "right");
  PgpKey wrong_pgp(work, "wrong");
  Plaintext plain;

  CreateKeySecret(ground, "sops-keys",
                  {{"identity.agekey", age.identity_file}, {"pgp.asc", pgp.armored_private_key()}});
  CreateKeySecret(
      ground, "sops-wrong-keys",
      {{"identity.agekey", wrong_age.identity_file}, {"pgp.asc", wrong_pgp.armored_private_key()}});

  // secrets: decrypted with the secretRef's keys.
  WriteEncryptedApp(ground, "secrets", age, &pgp, plain, work);
  ground.WriteFile(std::string(TakeoverGround::kPath) + "/secrets.yaml",
                   SyncManifest(ns, "secrets", Decryption("sops-keys")));
  // undecrypted: an encrypted Secret without spec.decryption.
  ground.WriteFile(
      "undecrypted/secret.yaml",
      SopsEncrypt(
          work, "undecrypted.yaml",
          SecretManifest("undecrypted-credentials", ns, "  token: " + plain.password + "\n"),
          "--age " + age.recipient + " --encrypted-regex '^(data|stringData)$'"));
  ground.WriteFile(std::string(TakeoverGround::kPath) + "/undecrypted.yaml",
                   SyncManifest(ns, "undecrypted", ""));
  // wrong-key: encrypted for both the right age and PGP keys, given only the wrong ones.
  ground.WriteFile(
      "wrong-key/secret.yaml",
      SopsEncrypt(work, "wrong-key.yaml",
                  SecretManifest("wrong-key-credentials", ns, "  token: " + plain.password + "\n"),
                  "--age " + age.recipient + " --pgp " + pgp.fingerprint() +
                      " --encrypted-regex '^(data|stringData)$'",
                  pgp.Environment()));
  ground.WriteFile(std::string(TakeoverGround::kPath) + "/wrong-key.yaml",
                   SyncManifest(ns, "wrong-key", Decryption("sops-wrong-keys")));
  // untyped: an unquoted number in stringData decrypts to an int, which no Secret can hold; the
  // API server's refusal would quote it, so the reconciler refuses it first without the value.
  const std::string number = std::to_string(100000000 + std::random_device{}() % 800000000);
  ground.WriteFile(
      "untyped/secret.yaml",
      SopsEncrypt(work, "untyped.yaml",
                  SecretManifest("untyped-credentials", ns, "  port: " + number + "\n"),
                  "--age " + age.recipient + " --encrypted-regex '^(data|stringData)$'"));
  ground.WriteFile(std::string(TakeoverGround::kPath) + "/untyped.yaml",
                   SyncManifest(ns, "untyped", Decryption("sops-keys")));
  const std::string revision = ground.Push("encrypted secrets");

  ground.WaitUntil("the Kustomization secrets is Ready at " + revision,
                   [&] { return ground.KustomizationReadyAt("secrets", revision); });
  CheckDecryptedSecrets(ground, plain, true);

  {
    INFO("a Secret still encrypted without spec.decryption fails, naming it");
    ground.WaitUntil("undecrypted fails with DecryptionFailed",
                     [&] { return FailedAt(ground, "undecrypted", revision, "DecryptionFailed"); });
    std::string message = ReadyCondition(ground, "undecrypted").value("message", "");
    INFO(message);
    CHECK(message.find("Secret/" + ns + "/undecrypted-credentials") != std::string::npos);
    CHECK(message.find("spec.decryption is not configured") != std::string::npos);
    CHECK_FALSE(ground.Get(kSecretKind, "undecrypted-credentials").has_value());
  }
  {
    INFO("wrong keys fail, naming each key kind and key that failed, without key material");
    ground.WaitUntil("wrong-key fails with DecryptionFailed",
                     [&] { return FailedAt(ground, "wrong-key", revision, "DecryptionFailed"); });
    std::string message = ReadyCondition(ground, "wrong-key").value("message", "");
    INFO(message);
    CHECK(message.find("Secret/" + ns + "/wrong-key-credentials") != std::string::npos);
    CHECK(message.find("age recipient " + age.recipient) != std::string::npos);
    CHECK(message.find("pgp key " + pgp.fingerprint()) != std::string::npos);
    CHECK(message.find("AGE-SECRET-KEY") == std::string::npos);
    CHECK(message.find("BEGIN PGP") == std::string::npos);
    CHECK_FALSE(ground.Get(kSecretKind, "wrong-key-credentials").has_value());
  }
  {
    INFO("a decrypted number in a Secret's stringData is refused without quoting it");
    ground.WaitUntil("untyped fails with DecryptionFailed",
                     [&] { return FailedAt(ground, "untyped", revision, "DecryptionFailed"); });
    std::string message = ReadyCondition(ground, "untyped").value("message", "");
    INFO(message);
    CHECK(message.find("Secret/" + ns +
                       "/untyped-credentials: stringData.port decrypts to a "
                       "number, but Secret values must be strings") != std::string::npos);
    CHECK_FALSE(ground.Get(kSecretKind, "untyped-credentials").has_value());
    CHECK(ObservableText(ground).find(number) == std::string::npos);
  }
  CheckNoLeak(
      ground, plain, true,
      {ArmoredBodyLine(pgp.armored_private_key()), ArmoredBodyLine(wrong_pgp.armored_private_key()),
       age.identity_file.substr(age.identity_file.find("AGE-SECRET-KEY-1") + 16, 24),
       wrong_age.identity_file.substr(wrong_age.identity_file.find("AGE-SECRET-KEY-1") + 16, 24)});
}

TEST_CASE("the controller-wide --sops-age-key-file decrypts without a secretRef") {
  TakeoverGround ground("sops-flag");
  ground.Bootstrap("2s", "--log-level debug");
  const std::string& ns = ground.namespace_name();
  ScratchDirectory work;
  // Outside /tmp: the pod runner maps the Pod's /tmp mount onto a folder of its own.
  ScratchDirectory key_directory("/var/tmp");
  AgeKey age = MakeAgeKey(key_directory, "controller");
  const std::string key_file = key_directory.path() + "/controller.agekey";
  Plaintext plain;

  // The flag goes into the Deployment in Git, as an operator would set it.
  const std::string components =
      std::string(TakeoverGround::kPath) + "/" + ns + "/gotk-components.yaml";
  std::string text = ground.ReadFile(components);
  const std::string anchor = "- --cluster-domain=";
  size_t at = text.find(anchor);
  REQUIRE(at != std::string::npos);
  size_t line_start = text.rfind('\n', at) + 1;
  size_t line_end = text.find('\n', at);
  text.insert(line_end + 1, text.substr(line_start, at - line_start) +
                                "- --sops-age-key-file=" + key_file + "\n");
  ground.WriteFile(components, text);
  const std::string flag_revision = ground.Push("reconciler: controller-wide age key");
  ground.WaitUntil("a reconciler with --sops-age-key-file runs", [&] {
    auto pod = ground.ReconcilerPod();
    return pod && pod->dump().find("--sops-age-key-file=" + key_file) != std::string::npos &&
           ground.KustomizationReadyAt(ns, flag_revision);
  });

  // Age only (there is no controller-wide PGP option), and spec.decryption without a secretRef.
  WriteEncryptedApp(ground, "secrets", age, nullptr, plain, work);
  ground.WriteFile(std::string(TakeoverGround::kPath) + "/secrets.yaml",
                   SyncManifest(ns, "secrets", Decryption("")));
  const std::string revision = ground.Push("encrypted secrets, controller-wide key");
  ground.WaitUntil(
      "the Kustomization secrets is Ready at " + revision,
      [&] { return ground.KustomizationReadyAt("secrets", revision); }, std::chrono::seconds(90));
  CheckDecryptedSecrets(ground, plain, false);
  CheckNoLeak(ground, plain, false,
              {age.identity_file.substr(age.identity_file.find("AGE-SECRET-KEY-1") + 16, 24)});
}

}  // namespace
}  // namespace fluxcpp::testing
