// known_hosts matching: host forms, ports, hashed names, patterns, negation, revocation.
#include "lib/git/known_hosts.h"

#include <catch2/catch.hpp>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace fluxcpp::git {
namespace {

// A wire-format key blob of `type` with made-up key bytes.
std::string Blob(const std::string& type, const std::string& key_bytes) {
  std::string blob;
  for (const std::string& part : {type, key_bytes}) {
    uint32_t size = static_cast<uint32_t>(part.size());
    blob += static_cast<char>(size >> 24);
    blob += static_cast<char>(size >> 16);
    blob += static_cast<char>(size >> 8);
    blob += static_cast<char>(size);
    blob += part;
  }
  return blob;
}

std::string Line(const std::string& hosts, const std::string& type, const std::string& blob) {
  return absl::StrCat(hosts, " ", type, " ", absl::Base64Escape(blob), " comment\n");
}

const std::string kEd25519 = Blob("ssh-ed25519", std::string(32, 'a'));
const std::string kOtherEd25519 = Blob("ssh-ed25519", std::string(32, 'b'));
const std::string kEcdsa = Blob("ecdsa-sha2-nistp256", std::string(65, 'c'));

TEST_CASE("a key is trusted for [host]:port and, on port 22, for the plain host") {
  std::string known_hosts = Line("[git.example.com]:2222", "ssh-ed25519", kEd25519) +
                            Line("github.com,140.82.121.4", "ecdsa-sha2-nistp256", kEcdsa);
  CHECK(VerifyHostKey(known_hosts, "git.example.com", 2222, {kEd25519}).ok());
  CHECK(VerifyHostKey(known_hosts, "github.com", 22, {kEcdsa}).ok());
  CHECK(VerifyHostKey(known_hosts, "140.82.121.4", 22, {kEcdsa}).ok());
  auto other_port = VerifyHostKey(known_hosts, "github.com", 2222, {kEcdsa});
  CHECK(other_port.code() == absl::StatusCode::kUnauthenticated);
  CHECK_THAT(std::string(other_port.message()),
             Catch::Contains("[github.com]:2222") && Catch::Contains("not in known_hosts"));
}

TEST_CASE("a different key or key type is a mismatch naming both fingerprints") {
  std::string known_hosts = Line("[git.example.com]:2222", "ssh-ed25519", kEd25519);
  auto status = VerifyHostKey(known_hosts, "git.example.com", 2222, {kOtherEd25519});
  CHECK(status.code() == absl::StatusCode::kUnauthenticated);
  CHECK_THAT(std::string(status.message()),
             Catch::Contains("[git.example.com]:2222") &&
                 Catch::Contains(HostKeyFingerprint(kOtherEd25519)) &&
                 Catch::Contains(HostKeyFingerprint(kEd25519)));
  auto other_type = VerifyHostKey(known_hosts, "git.example.com", 2222, {kEcdsa});
  CHECK_THAT(std::string(other_type.message()),
             Catch::Contains("known_hosts has no ecdsa-sha2-nistp256 key"));
  // The type written in the line must agree with the key.
  std::string wrong_type = Line("[git.example.com]:2222", "ssh-rsa", kEd25519);
  CHECK_FALSE(VerifyHostKey(wrong_type, "git.example.com", 2222, {kEd25519}).ok());
}

TEST_CASE("hashed names, patterns, negation, comments and revoked keys") {
  // |1|salt|HMAC-SHA1(salt, "[git.example.com]:2222") as ssh-keygen -H writes it.
  std::string hashed = "|1|c2FsdHNhbHRzYWx0c2FsdHNhbHQ=|";
  SECTION("hashed") {
    // HMAC-SHA1 with key "saltsaltsaltsaltsalt" of "[git.example.com]:2222", base64-encoded.
    std::string known_hosts =
        Line(hashed + "NIbh1IQ8McM4Ea2WjOzQuEblcqQ=", "ssh-ed25519", kEd25519);
    CHECK(VerifyHostKey(known_hosts, "git.example.com", 2222, {kEd25519}).ok());
    CHECK_FALSE(VerifyHostKey(known_hosts, "git.example.com", 2223, {kEd25519}).ok());
  }
  SECTION("patterns and negation") {
    std::string known_hosts =
        "# a comment\n\n" + Line("*.example.com,!evil.example.com", "ssh-ed25519", kEd25519);
    CHECK(VerifyHostKey(known_hosts, "git.example.com", 22, {kEd25519}).ok());
    CHECK_FALSE(VerifyHostKey(known_hosts, "evil.example.com", 22, {kEd25519}).ok());
  }
  SECTION("revoked") {
    std::string known_hosts = Line("git.example.com", "ssh-ed25519", kEd25519) + "@revoked " +
                              Line("*", "ssh-ed25519", kEd25519);
    auto status = VerifyHostKey(known_hosts, "git.example.com", 22, {kEd25519});
    CHECK_THAT(std::string(status.message()), Catch::Contains("@revoked"));
  }
  SECTION("only a hash of the key") {
    std::string known_hosts = Line("git.example.com", "ssh-ed25519", kEd25519);
    std::string fingerprint = HostKeyFingerprint(kEd25519);
    std::string sha256;
    REQUIRE(absl::Base64Unescape(fingerprint.substr(7) + "=", &sha256));
    CHECK(VerifyHostKey(known_hosts, "git.example.com", 22, {"", sha256}).ok());
  }
}

TEST_CASE("the key types known_hosts holds for a host, in order, without revoked keys") {
  std::string known_hosts = Line("[git.example.com]:2222", "ecdsa-sha2-nistp256", kEcdsa) +
                            Line("other.example.com", "ssh-rsa", kEd25519) +
                            Line("[git.example.com]:2222", "ssh-ed25519", kEd25519) +
                            Line("*.example.com", "ecdsa-sha2-nistp256", kEcdsa) + "@revoked " +
                            Line("[git.example.com]:2222", "ssh-dss", kEd25519);
  CHECK(KnownHostKeyTypes(known_hosts, "git.example.com", 2222) ==
        std::vector<std::string>{"ecdsa-sha2-nistp256", "ssh-ed25519"});
  CHECK(KnownHostKeyTypes(known_hosts, "other.example.com", 22) ==
        std::vector<std::string>{"ssh-rsa", "ecdsa-sha2-nistp256"});
  CHECK(KnownHostKeyTypes(known_hosts, "unknown.org", 22).empty());
}

}  // namespace
}  // namespace fluxcpp::git
