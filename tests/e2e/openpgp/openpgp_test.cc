// lib/openpgp with keys made by the real gpg at test time; signatures are checked by `gpg --verify`
// in a GnuPG home that holds only the public key.
#include "lib/openpgp/openpgp.h"

#include <catch2/catch.hpp>
#include <filesystem>

#include "tests/e2e/support/gpg_keys.h"
#include "tests/e2e/support/ground.h"

namespace fluxcpp::openpgp {
namespace {

using testing::GpgKey;
using testing::MakeGpgKey;
using testing::ScratchDirectory;
using testing::ShellQuote;

// `gpg --verify` of `signature` over `data` with only `key`'s public half known; gpg's status
// lines ("[GNUPG:] GOODSIG <keyid> ...") when it verifies, empty otherwise.
std::string GpgVerify(const ScratchDirectory& dir, const GpgKey& key, const std::string& data,
                      const std::string& signature) {
  std::string home = testing::VerifyingGnupgHome(dir, "verify-" + testing::RandomSuffix(), key);
  std::string data_file = dir.Write("data-" + testing::RandomSuffix(), data);
  std::string signature_file =
      dir.Write(data_file.substr(dir.path().size() + 1) + ".asc", signature);
  testing::CommandRun run = testing::RunCommand(
      "gpg --homedir " + ShellQuote(home) + " --batch --status-fd 1 --verify " +
      ShellQuote(signature_file) + " " + ShellQuote(data_file) + " 2>/dev/null");
  testing::RunCommand("gpgconf --homedir " + ShellQuote(home) + " --kill gpg-agent");
  return run.exit_code == 0 ? run.output : "";
}

std::unique_ptr<Context> MustSigningContext(const GpgKey& key, const std::string& key_id = "",
                                            const std::string& ring = "") {
  auto context = SigningContext({.armored_key_ring = ring.empty() ? key.armored_secret : ring,
                                 .passphrase = key.passphrase,
                                 .key_id = key_id},
                                "test key ring");
  INFO(context.status().ToString());
  REQUIRE(context.ok());
  return std::move(*context);
}

// The error holds neither the passphrase nor key material.
void CheckNoSecrets(const absl::Status& status, const GpgKey& key) {
  std::string message(status.message());
  if (!key.passphrase.empty()) CHECK(message.find(key.passphrase) == std::string::npos);
  CHECK(message.find("PRIVATE KEY") == std::string::npos);
  CHECK(message.find(key.armored_secret.substr(40, 40)) == std::string::npos);
}

TEST_CASE("key ids are 16 hex digits, optionally after 0x") {
  CHECK(*NormalizeKeyId("0x0123456789abcdef") == "0123456789ABCDEF");
  CHECK(*NormalizeKeyId("0123456789ABCDEF") == "0123456789ABCDEF");
  for (const char* bad : {"", "0x", "0123456789abcde", "0123456789abcdef0", "0123456789abcdeg"}) {
    auto normalized = NormalizeKeyId(bad);
    CHECK(normalized.status().code() == absl::StatusCode::kInvalidArgument);
  }
}

TEST_CASE("an unprotected key signs data and gpg verifies the detached signature") {
  ScratchDirectory dir;
  GpgKey key = MakeGpgKey(dir, "plain");
  auto context = MustSigningContext(key);
  std::string data = "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n\nmessage\n";
  auto signature = context->SignDetached(data);
  INFO(signature.status().ToString());
  REQUIRE(signature.ok());
  CHECK(signature->rfind("-----BEGIN PGP SIGNATURE-----", 0) == 0);
  std::string status = GpgVerify(dir, key, data, *signature);
  CHECK(status.find("[GNUPG:] GOODSIG " + key.key_id) != std::string::npos);
  // A signature over other data does not verify.
  CHECK(GpgVerify(dir, key, data + "changed", *signature).empty());
}

TEST_CASE("a protected key signs with its passphrase and names a wrong or missing one") {
  ScratchDirectory dir;
  GpgKey key = MakeGpgKey(dir, "protected", {.passphrase = "correct horse battery"});

  SECTION("the right passphrase") {
    auto context = MustSigningContext(key);
    auto signature = context->SignDetached("data\n");
    INFO(signature.status().ToString());
    REQUIRE(signature.ok());
    CHECK(GpgVerify(dir, key, "data\n", *signature).find("GOODSIG " + key.key_id) !=
          std::string::npos);
  }
  SECTION("a wrong passphrase") {
    GpgKey wrong = key;
    wrong.passphrase = "wrong staple";
    auto context = MustSigningContext(wrong);
    auto signature = context->SignDetached("data\n");
    REQUIRE_FALSE(signature.ok());
    INFO(signature.status().ToString());
    CHECK(signature.status().code() == absl::StatusCode::kPermissionDenied);
    CHECK(signature.status().message().find("wrong passphrase for OpenPGP key " + key.key_id) !=
          std::string_view::npos);
    CheckNoSecrets(signature.status(), wrong);
    CheckNoSecrets(signature.status(), key);
  }
  SECTION("no passphrase") {
    GpgKey none = key;
    none.passphrase.clear();
    auto context = MustSigningContext(none);
    auto signature = context->SignDetached("data\n");
    REQUIRE_FALSE(signature.ok());
    INFO(signature.status().ToString());
    CHECK(signature.status().code() == absl::StatusCode::kPermissionDenied);
    CHECK(signature.status().message().find("protected by a passphrase and none was given") !=
          std::string_view::npos);
  }
}

TEST_CASE("the signing key is chosen by id from a ring of several") {
  ScratchDirectory dir;
  GpgKey first = MakeGpgKey(dir, "first");
  GpgKey second = MakeGpgKey(dir, "second");
  std::string ring = first.armored_secret + second.armored_secret;

  SECTION("by id, with 0x and in lower case") {
    std::string id = "0x" + second.key_id;
    for (char& c : id) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto context = MustSigningContext(second, id, ring);
    auto signature = context->SignDetached("data\n");
    REQUIRE(signature.ok());
    CHECK(GpgVerify(dir, second, "data\n", *signature).find("GOODSIG " + second.key_id) !=
          std::string::npos);
    CHECK(GpgVerify(dir, first, "data\n", *signature).empty());
  }
  SECTION("without an id, the first signing key") {
    auto context = Context::Create();
    REQUIRE(context.ok());
    REQUIRE((*context)->ImportKeyRing(ring, "ring").ok());
    auto chosen = (*context)->SelectSigningKey("");
    REQUIRE(chosen.ok());
    CHECK((*chosen == first.key_id || *chosen == second.key_id));
  }
  SECTION("an id the ring lacks is named, with the ids it has") {
    auto context = SigningContext({.armored_key_ring = ring, .key_id = "0123456789ABCDEF"},
                                  "git.gpg_key_ring");
    REQUIRE_FALSE(context.ok());
    INFO(context.status().ToString());
    CHECK(context.status().code() == absl::StatusCode::kNotFound);
    std::string message(context.status().message());
    CHECK(message.find("git.gpg_key_ring: OpenPGP key id 0123456789ABCDEF is not a secret key") !=
          std::string::npos);
    CHECK(message.find(first.key_id) != std::string::npos);
    CHECK(message.find(second.key_id) != std::string::npos);
  }
}

TEST_CASE("key rings without a usable secret key are refused up front") {
  ScratchDirectory dir;
  SECTION("only public keys") {
    GpgKey key = MakeGpgKey(dir, "public");
    auto context = SigningContext({.armored_key_ring = key.armored_public}, "ring.asc");
    REQUIRE_FALSE(context.ok());
    CHECK(context.status().code() == absl::StatusCode::kNotFound);
    CHECK(context.status().message().find("holds no secret key") != std::string_view::npos);
  }
  SECTION("not a key ring") {
    auto context = SigningContext({.armored_key_ring = "just some text\n"}, "ring.asc");
    REQUIRE_FALSE(context.ok());
    INFO(context.status().ToString());
    CHECK(context.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(context.status().message().find("ring.asc") != std::string_view::npos);
  }
  SECTION("an expired key") {
    GpgKey key = MakeGpgKey(dir, "expired", {.expire = "1d", .created = "20200101T000000"});
    auto context = SigningContext({.armored_key_ring = key.armored_secret}, "ring.asc");
    REQUIRE_FALSE(context.ok());
    INFO(context.status().ToString());
    CHECK(context.status().code() == absl::StatusCode::kFailedPrecondition);
    CHECK(context.status().message().find("OpenPGP key " + key.key_id + " expired on 2020-01-0") !=
          std::string_view::npos);
  }
}

TEST_CASE("a context's GnuPG home is private and goes away with it") {
  std::string home;
  {
    auto context = Context::Create();
    REQUIRE(context.ok());
    home = (*context)->home();
    REQUIRE(std::filesystem::is_directory(home));
    CHECK((std::filesystem::status(home).permissions() & std::filesystem::perms::group_all) ==
          std::filesystem::perms::none);
    const char* user_home = std::getenv("GNUPGHOME");
    if (user_home != nullptr) CHECK(home != user_home);
  }
  CHECK_FALSE(std::filesystem::exists(home));
}

}  // namespace
}  // namespace fluxcpp::openpgp
