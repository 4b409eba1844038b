// lib/sops decrypts what the real sops encrypts: every format, every value type, the regex and
// suffix options; a tampered value fails the MAC; a wrong key is named in the error without key
// material.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "lib/sops/sops.h"
#include "tests/e2e/support/ground.h"
#include "tests/e2e/support/sops_tools.h"

namespace fluxcpp::sops {
namespace {

using manifest::Json;
using testing::AgeKey;
using testing::MakeAgeKey;
using testing::ScratchDirectory;
using testing::Shell;
using testing::SopsBinary;
using testing::SopsEncrypt;

KeyRing Keys(const AgeKey& key) {
  KeyRing keys;
  REQUIRE(keys.AddAgeKeys(key.identity_file, "test.agekey").ok());
  return keys;
}

std::string Text(const SecretBytes& bytes) { return std::string(bytes.view()); }

TEST_CASE("YAML with every value type decrypts to the original values") {
  ScratchDirectory dir;
  AgeKey key = MakeAgeKey(dir, "main");
  std::string plain =
      "name: demo\n"
      "count: 42\n"
      "negative: -7\n"
      "ratio: 2.5\n"
      "enabled: true\n"
      "disabled: false\n"
      "empty: \"\"\n"
      "nested:\n"
      "  list:\n"
      "    - first\n"
      "    - 3\n"
      "    - inner: value\n"
      "  password: s3cr3t\n";
  std::string encrypted = SopsEncrypt(dir, "doc.yaml", plain, "--age " + key.recipient);
  REQUIRE(encrypted.find("s3cr3t") == std::string::npos);
  REQUIRE(encrypted.find("type:int") != std::string::npos);
  REQUIRE(encrypted.find("type:float") != std::string::npos);
  REQUIRE(encrypted.find("type:bool") != std::string::npos);
  CHECK(IsEncrypted(encrypted, Format::kYaml));

  auto tree = ParseEncrypted(encrypted, Format::kYaml, "doc.yaml");
  REQUIRE(tree.ok());
  auto status = DecryptTree(*tree, Keys(key), "doc.yaml");
  INFO(status.message());
  REQUIRE(status.ok());
  CHECK(!tree->contains("sops"));
  CHECK((*tree)["name"] == "demo");
  CHECK((*tree)["count"].is_number_integer());
  CHECK((*tree)["count"] == 42);
  CHECK((*tree)["negative"] == -7);
  CHECK((*tree)["ratio"].is_number_float());
  CHECK((*tree)["ratio"] == 2.5);
  CHECK((*tree)["enabled"] == true);
  CHECK((*tree)["disabled"] == false);
  CHECK((*tree)["empty"] == "");
  CHECK((*tree)["nested"]["list"][0] == "first");
  CHECK((*tree)["nested"]["list"][1] == 3);
  CHECK((*tree)["nested"]["list"][2]["inner"] == "value");
  CHECK((*tree)["nested"]["password"] == "s3cr3t");

  auto document = DecryptDocument(encrypted, Format::kYaml, Keys(key), "doc.yaml");
  REQUIRE(document.ok());
  CHECK(Text(*document).find("password: s3cr3t") != std::string::npos);
  CHECK(Text(*document).find("sops") == std::string::npos);
}

TEST_CASE("JSON, dotenv and binary documents decrypt") {
  ScratchDirectory dir;
  AgeKey key = MakeAgeKey(dir, "main");
  SECTION("json") {
    std::string encrypted =
        SopsEncrypt(dir, "doc.json", R"({"user": "admin", "port": 5432, "tls": true,
      "weight": 0.75, "tags": ["a", "b"], "deep": {"token": "t0k3n"}})",
                    "--age " + key.recipient);
    auto tree = ParseEncrypted(encrypted, Format::kJson, "doc.json");
    REQUIRE(tree.ok());
    auto status = DecryptTree(*tree, Keys(key), "doc.json");
    INFO(status.message());
    REQUIRE(status.ok());
    CHECK((*tree)["user"] == "admin");
    CHECK((*tree)["port"] == 5432);
    CHECK((*tree)["tls"] == true);
    CHECK((*tree)["weight"] == 0.75);
    CHECK((*tree)["tags"] == Json::array({"a", "b"}));
    CHECK((*tree)["deep"]["token"] == "t0k3n");
  }
  SECTION("dotenv") {
    std::string encrypted =
        SopsEncrypt(dir, "app.env", "# a comment\nUSER=admin\nPASSWORD=hunter2\nMULTI=one\\ntwo\n",
                    "--age " + key.recipient);
    REQUIRE(encrypted.find("hunter2") == std::string::npos);
    CHECK(IsEncrypted(encrypted, Format::kDotenv));
    auto document = DecryptDocument(encrypted, Format::kDotenv, Keys(key), "app.env");
    INFO(document.status().message());
    REQUIRE(document.ok());
    CHECK(Text(*document) == "USER=admin\nPASSWORD=hunter2\nMULTI=one\\ntwo\n");
  }
  SECTION("binary") {
    std::string bytes(
        "\x00\x01\xfe\xff"
        "binary\n",
        11);
    std::string encrypted = SopsEncrypt(dir, "blob.bin", bytes, "--age " + key.recipient);
    CHECK(IsEncrypted(encrypted, Format::kBinary));
    auto document = DecryptDocument(encrypted, Format::kBinary, Keys(key), "blob.bin");
    INFO(document.status().message());
    REQUIRE(document.ok());
    CHECK(Text(*document) == bytes);
  }
}

TEST_CASE("encrypted_regex, unencrypted_regex and the suffix options are honoured") {
  ScratchDirectory dir;
  AgeKey key = MakeAgeKey(dir, "main");
  std::string plain =
      "apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\nstringData:\n  password: p4ss\n"
      "  count_unencrypted: 5\ndata:\n  token: dG9rZW4=\n";
  struct Case {
    std::string options;
    std::string cleartext_field;  // a field sops leaves in clear text
  };
  for (const auto& each :
       {Case{"--encrypted-regex '^(data|stringData)$'", "name: creds"},
        Case{"--unencrypted-regex '^(metadata|kind|apiVersion)$'", "kind: Secret"},
        Case{"--encrypted-suffix Data", "name: creds"},
        Case{"--unencrypted-suffix _unencrypted", "count_unencrypted: 5"},
        // Go regexp (RE2) syntax that ECMAScript regular expressions reject: flags, \z and a
        // named group, as sops users write them.
        Case{"--encrypted-regex '(?i)^STRINGDATA$|^data\\z'", "name: creds"},
        Case{"--unencrypted-regex '^(?P<clear>metadata|kind|apiVersion)\\z'", "kind: Secret"}}) {
    DYNAMIC_SECTION(each.options) {
      std::string encrypted =
          SopsEncrypt(dir, "secret.yaml", plain, "--age " + key.recipient + " " + each.options);
      CHECK(encrypted.find(each.cleartext_field) != std::string::npos);
      CHECK(encrypted.find("p4ss") == std::string::npos);
      auto tree = ParseEncrypted(encrypted, Format::kYaml, "secret.yaml");
      REQUIRE(tree.ok());
      auto status = DecryptTree(*tree, Keys(key), "secret.yaml");
      INFO(status.message());
      REQUIRE(status.ok());
      CHECK((*tree)["stringData"]["password"] == "p4ss");
      CHECK((*tree)["data"]["token"] == "dG9rZW4=");
      CHECK((*tree)["metadata"]["name"] == "creds");
      CHECK((*tree)["stringData"]["count_unencrypted"] == 5);
    }
  }
  SECTION("mac_only_encrypted") {
    // The CLI has no flag for it; a creation rule of .sops.yaml sets it.
    dir.Write(".sops.yaml",
              "creation_rules:\n  - age: " + key.recipient +
                  "\n    encrypted_regex: ^stringData$\n    mac_only_encrypted: true\n");
    std::string encrypted = SopsEncrypt(dir, "secret.yaml", plain, "");
    REQUIRE(encrypted.find("mac_only_encrypted: true") != std::string::npos);
    // With the MAC over encrypted values only, a clear-text field may change.
    std::string edited = encrypted;
    edited.replace(edited.find("name: creds"), 11, "name: other");
    auto tree = ParseEncrypted(edited, Format::kYaml, "secret.yaml");
    REQUIRE(tree.ok());
    auto status = DecryptTree(*tree, Keys(key), "secret.yaml");
    INFO(status.message());
    REQUIRE(status.ok());
    CHECK((*tree)["stringData"]["password"] == "p4ss");
  }
}

TEST_CASE("a tampered document fails the MAC check") {
  ScratchDirectory dir;
  AgeKey key = MakeAgeKey(dir, "main");
  std::string encrypted =
      SopsEncrypt(dir, "secret.yaml", "metadata:\n  name: creds\nstringData:\n  password: p4ss\n",
                  "--age " + key.recipient + " --encrypted-regex '^stringData$'");
  SECTION("a clear-text value changed") {
    encrypted.replace(encrypted.find("name: creds"), 11, "name: other");
    auto document = DecryptDocument(encrypted, Format::kYaml, Keys(key), "secret.yaml");
    REQUIRE_FALSE(document.ok());
    CHECK(document.status().code() == absl::StatusCode::kDataLoss);
    CHECK(std::string(document.status().message()).find("secret.yaml: MAC mismatch") !=
          std::string::npos);
  }
  SECTION("an encrypted value moved to another key fails its authentication") {
    auto tree = ParseEncrypted(encrypted, Format::kYaml, "secret.yaml");
    REQUIRE(tree.ok());
    (*tree)["stringData"]["moved"] = (*tree)["stringData"]["password"];
    (*tree)["stringData"].erase("password");
    auto status = DecryptTree(*tree, Keys(key), "secret.yaml");
    REQUIRE_FALSE(status.ok());
    CHECK(std::string(status.message()).find("stringData.moved") != std::string::npos);
  }
}

TEST_CASE("a wrong key is named in the error, without key material") {
  ScratchDirectory dir;
  AgeKey right = MakeAgeKey(dir, "right");
  AgeKey wrong = MakeAgeKey(dir, "wrong");
  std::string encrypted =
      SopsEncrypt(dir, "secret.yaml", "password: p4ss\n", "--age " + right.recipient);
  auto document = DecryptDocument(encrypted, Format::kYaml, Keys(wrong), "secret.yaml");
  REQUIRE_FALSE(document.ok());
  std::string message(document.status().message());
  CHECK(message.find("secret.yaml") != std::string::npos);
  CHECK(message.find("age recipient " + right.recipient) != std::string::npos);
  CHECK(message.find("AGE-SECRET-KEY") == std::string::npos);
  std::string secret_line = wrong.identity_file.substr(wrong.identity_file.find("AGE-SECRET-KEY"));
  CHECK(message.find(secret_line.substr(20, 20)) == std::string::npos);

  KeyRing none;
  auto without = DecryptDocument(encrypted, Format::kYaml, none, "secret.yaml");
  REQUIRE_FALSE(without.ok());
  CHECK(std::string(without.status().message()).find("no age identity") != std::string::npos);
}

TEST_CASE("an OpenPGP key decrypts the data key through gpgme") {
  ScratchDirectory dir;
  std::string home = dir.path() + "/gnupg";
  Shell("mkdir -m 700 " + home);
  std::string gpg = "gpg --homedir " + home + " --batch --pinentry-mode loopback --passphrase ''";
  Shell(
      gpg +
      " --quick-gen-key 'fluxcpp test <test@example.invalid>' rsa2048 encr,sign never 2>/dev/null");
  std::string fingerprint =
      Shell(gpg + " --list-secret-keys --with-colons | awk -F: '$1==\"fpr\"{print $10; exit}'");
  fingerprint = fingerprint.substr(0, fingerprint.find('\n'));
  std::string armored = Shell(gpg + " --armor --export-secret-keys " + fingerprint);
  std::string encrypted =
      Shell("cd " + dir.path() + " && GNUPGHOME=" + home + " " + SopsBinary() + " encrypt --pgp " +
            fingerprint + " " + dir.Write("secret.yaml", "password: p4ss\nport: 8080\n"));
  Shell("gpgconf --homedir " + home + " --kill gpg-agent");
  REQUIRE(encrypted.find("fp: " + fingerprint) != std::string::npos);

  KeyRing keys;
  keys.AddPgpKey(armored, "test.asc");
  auto document = DecryptDocument(encrypted, Format::kYaml, keys, "secret.yaml");
  INFO(document.status().message());
  REQUIRE(document.ok());
  CHECK(Text(*document) == "password: p4ss\nport: 8080\n");

  KeyRing none;
  auto without = DecryptDocument(encrypted, Format::kYaml, none, "secret.yaml");
  REQUIRE_FALSE(without.ok());
  CHECK(std::string(without.status().message()).find("pgp key " + fingerprint) !=
        std::string::npos);
}

}  // namespace
}  // namespace fluxcpp::sops
