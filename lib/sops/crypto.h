// Thin RAII wrappers over the OpenSSL primitives lib/sops needs. Internal to lib/sops.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "lib/sops/secret_bytes.h"

namespace fluxcpp::sops::crypto {

// X25519(scalar, point); an all-zero result (a low-order point) is an error.
[[nodiscard]] absl::StatusOr<SecretBytes> X25519(const SecretBytes& scalar, std::string_view point);
// The public point of a 32-byte X25519 scalar.
[[nodiscard]] absl::StatusOr<std::string> X25519PublicKey(const SecretBytes& scalar);
// HKDF-SHA256 (extract and expand) to `length` bytes.
[[nodiscard]] absl::StatusOr<SecretBytes> HkdfSha256(std::string_view ikm, std::string_view salt,
                                                     std::string_view info, std::size_t length);
[[nodiscard]] absl::StatusOr<std::string> HmacSha256(std::string_view key, std::string_view data);
// ChaCha20-Poly1305 open: `sealed` is ciphertext followed by the 16-byte tag.
[[nodiscard]] absl::StatusOr<SecretBytes> ChaChaPolyOpen(std::string_view key,
                                                         std::string_view nonce,
                                                         std::string_view sealed);
// AES-256-GCM open with a nonce of any length (SOPS uses 32 bytes) and additional data.
[[nodiscard]] absl::StatusOr<SecretBytes> AesGcmOpen(std::string_view key, std::string_view nonce,
                                                     std::string_view ciphertext,
                                                     std::string_view tag,
                                                     std::string_view additional_data);
// Constant-time equality.
bool Equal(std::string_view a, std::string_view b);

}  // namespace fluxcpp::sops::crypto
