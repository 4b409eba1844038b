// Decryption of SOPS-encrypted documents (YAML, JSON, dotenv and binary), as written by the `sops`
// tool: the data key is recovered from the `sops` metadata with an age X25519 identity or an
// OpenPGP private key, every ENC[AES256_GCM,…] value is decrypted with its path as additional data,
// the value types (str, int, float, bool, bytes) are restored, encrypted_regex / unencrypted_regex
// (Go regular expressions, matched with RE2 as sops matches them) / encrypted_suffix /
// unencrypted_suffix are honoured, and the MAC over the values is verified: a mismatch is an error,
// never a silently accepted file. The comment regexes are refused: comments are not kept.
//
// Errors name the document and, for a key that failed, its public side (age recipient, PGP
// fingerprint) and why; never key material or plaintext. Plaintext is returned in SecretBytes or in
// a Json tree that the caller wipes with WipeJson after use.
//
// What is wiped (OPENSSL_cleanse) and what is not, honestly:
//   - wiped: data keys, age file keys and identities, PGP key text (SecretBytes); each decrypted
//     value's buffer and the MAC input; the tree of DecryptDocument and the strings it serializes
//     through; in the Kustomization reconciler, every Secret among the built objects (and the
//     health check's copies), the decryption Secret's parsed entries and the key file's bytes;
//     in lib/kustomize, a decrypted secretGenerator source, the data gathered from it, its base64
//     text, the text hashed for the name suffix, and the copies patches and replacements make of
//     a Secret; in lib/kube, the request and response bodies of every core Secret it gets, lists
//     or applies, and the live, dry-run and applied copies its apply engine holds;
//   - not wiped: memory the allocator gave back before a wipe could reach it (std::string growth
//     while a value is appended, a response body is received or a tree is serialized or copied),
//     yaml-cpp's emitter buffers while DecryptDocument writes YAML, gpgme's and GnuPG's own
//     buffers, and curl's buffers. Nothing decrypted is written to disk, logged, or put in an
//     event or a status (tests/e2e/reconciler_sops searches for it there).
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "lib/manifest/object.h"
#include "lib/sops/age.h"
#include "lib/sops/secret_bytes.h"

namespace fluxcpp::sops {

enum class Format { kYaml, kJson, kDotenv, kBinary };

// The format sops infers from a file name: .yaml/.yml, .json, .env, anything else binary.
Format FormatFromPath(std::string_view path);

// The keys a decryption may use.
class KeyRing {
 public:
  // Adds the identities of an age key file (`*.agekey`); `source` labels errors.
  absl::Status AddAgeKeys(std::string_view text, std::string_view source);
  // Adds an ASCII-armored OpenPGP private key (`*.asc`).
  void AddPgpKey(std::string_view armored, std::string_view source);

  const std::vector<AgeIdentity>& age() const { return age_; }
  struct PgpKey {
    SecretBytes armored;
    std::string source;
  };
  const std::vector<PgpKey>& pgp() const { return pgp_; }
  bool empty() const { return age_.empty() && pgp_.empty(); }

 private:
  std::vector<AgeIdentity> age_;
  std::vector<PgpKey> pgp_;
};

// Whether `text` is a SOPS-encrypted document of `format` (it carries sops metadata with a MAC).
bool IsEncrypted(std::string_view text, Format format);
// Whether a parsed document (a manifest) carries a top-level `sops` metadata object.
bool IsEncrypted(const manifest::Json& document);

// Parses an encrypted document into its tree: YAML and JSON as they are, dotenv as an object of
// strings with the flattened `sops_…` entries gathered into `sops`, binary as {"data": …, "sops":
// …}. YAML streams of several documents become an array. Validates the sops metadata (used by the
// fuzz target). `name` labels errors.
[[nodiscard]] absl::StatusOr<manifest::Json> ParseEncrypted(std::string_view text, Format format,
                                                            std::string_view name);

// Decrypts a tree holding a top-level `sops` object in place and removes `sops`. On error the tree
// may be partly decrypted: wipe it.
[[nodiscard]] absl::Status DecryptTree(manifest::Json& document, const KeyRing& keys,
                                       std::string_view name);

// Decrypts a whole document and writes it back in its own format (binary: the raw bytes).
[[nodiscard]] absl::StatusOr<SecretBytes> DecryptDocument(std::string_view text, Format format,
                                                          const KeyRing& keys,
                                                          std::string_view name);

// Overwrites every string in `value` with zeros, then empties it.
using manifest::WipeJson;

}  // namespace fluxcpp::sops
