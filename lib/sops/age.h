// Decryption of age (age-encryption.org/v1) files with X25519 identities, enough to recover the
// SOPS data key from a `sops.age[].enc` entry: ASCII armor, the textual header with its stanzas
// and HMAC, and the ChaCha20-Poly1305 STREAM payload in 64 KiB chunks. Built on OpenSSL only.
// Identities other than X25519 (scrypt passphrases, plugins) are not supported.
//
// Pure functions; thread-safe. Secret inputs and outputs are SecretBytes, wiped after use.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/sops/secret_bytes.h"

namespace fluxcpp::sops {

// One X25519 identity (AGE-SECRET-KEY-1…) with its public recipient (age1…).
struct AgeIdentity {
  SecretBytes scalar;     // 32 bytes
  std::string recipient;  // age1…, for matching and for error messages
};

// Reads the identities of an age key file (one AGE-SECRET-KEY-1… a line; `#` comments and blank
// lines skipped). `source` names the file or Secret entry in errors; key material never appears.
[[nodiscard]] absl::StatusOr<std::vector<AgeIdentity>> ParseAgeIdentities(std::string_view text,
                                                                          std::string_view source);

struct AgeStanza {
  std::string type;               // e.g. "X25519"
  std::vector<std::string> args;  // the arguments after the type
  std::string body;               // base64-decoded body
};

struct AgeHeader {
  std::vector<AgeStanza> stanzas;
  std::string mac;             // 32 bytes
  std::string_view mac_input;  // the header bytes the MAC covers (up to and including "---")
  std::size_t payload_offset = 0;
};

// Removes the ASCII armor (-----BEGIN AGE ENCRYPTED FILE-----) if present; binary files pass
// through.
[[nodiscard]] absl::StatusOr<std::string> Dearmor(std::string_view file);

// Parses the header of a binary (dearmored) age file. `file` must outlive the result.
[[nodiscard]] absl::StatusOr<AgeHeader> ParseAgeHeader(std::string_view file);

// Decrypts an age file (armored or binary) with the first identity whose X25519 stanza opens it.
[[nodiscard]] absl::StatusOr<SecretBytes> AgeDecrypt(std::string_view file,
                                                     const std::vector<AgeIdentity>& identities);

// Base64 (RFC 4648 standard alphabet) decoding; `padded` requires '=' padding, otherwise it must be
// absent (age's header uses unpadded base64).
[[nodiscard]] absl::StatusOr<std::string> Base64Decode(std::string_view text, bool padded);

}  // namespace fluxcpp::sops
