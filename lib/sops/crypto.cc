#include "lib/sops/crypto.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>

#include <memory>

namespace fluxcpp::sops::crypto {
namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* ctx) const { EVP_PKEY_CTX_free(ctx); }
};
struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
struct KdfFree {
  void operator()(EVP_KDF* kdf) const { EVP_KDF_free(kdf); }
};
struct KdfCtxFree {
  void operator()(EVP_KDF_CTX* ctx) const { EVP_KDF_CTX_free(ctx); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;

const unsigned char* Bytes(std::string_view text) {
  return reinterpret_cast<const unsigned char*>(text.data());
}

}  // namespace

absl::StatusOr<SecretBytes> X25519(const SecretBytes& scalar, std::string_view point) {
  if (scalar.size() != 32 || point.size() != 32) {
    return absl::InvalidArgumentError("X25519 needs a 32-byte scalar and a 32-byte point");
  }
  Pkey own(EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, scalar.data(), scalar.size()));
  Pkey peer(EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nullptr, Bytes(point), point.size()));
  if (!own || !peer) return absl::InternalError("X25519: OpenSSL refused the key");
  PkeyCtx ctx(EVP_PKEY_CTX_new(own.get(), nullptr));
  std::size_t length = 32;
  SecretBytes shared(std::string(32, '\0'));
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) <= 0 ||
      EVP_PKEY_derive_set_peer(ctx.get(), peer.get()) <= 0 ||
      EVP_PKEY_derive(ctx.get(), shared.mutable_data(), &length) <= 0 || length != 32) {
    // OpenSSL itself refuses an all-zero shared secret.
    return absl::InvalidArgumentError("X25519: key agreement failed (low-order point?)");
  }
  unsigned char any = 0;
  for (std::size_t i = 0; i < 32; ++i) any |= shared.data()[i];
  if (any == 0) return absl::InvalidArgumentError("X25519: all-zero shared secret");
  return shared;
}

absl::StatusOr<std::string> X25519PublicKey(const SecretBytes& scalar) {
  if (scalar.size() != 32) return absl::InvalidArgumentError("X25519 needs a 32-byte scalar");
  Pkey own(EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, scalar.data(), scalar.size()));
  if (!own) return absl::InternalError("X25519: OpenSSL refused the key");
  std::string point(32, '\0');
  std::size_t length = point.size();
  if (EVP_PKEY_get_raw_public_key(own.get(), reinterpret_cast<unsigned char*>(point.data()),
                                  &length) <= 0) {
    return absl::InternalError("X25519: cannot compute the public key");
  }
  return point;
}

absl::StatusOr<SecretBytes> HkdfSha256(std::string_view ikm, std::string_view salt,
                                       std::string_view info, std::size_t length) {
  std::unique_ptr<EVP_KDF, KdfFree> kdf(EVP_KDF_fetch(nullptr, "HKDF", nullptr));
  if (!kdf) return absl::InternalError("HKDF is not available in OpenSSL");
  std::unique_ptr<EVP_KDF_CTX, KdfCtxFree> ctx(EVP_KDF_CTX_new(kdf.get()));
  if (!ctx) return absl::InternalError("HKDF: out of memory");
  char digest[] = "SHA256";
  // OpenSSL's HKDF wants a non-null pointer even for an empty salt.
  static const char kEmpty[1] = {0};
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<char*>(ikm.data()),
                                        ikm.size()),
      OSSL_PARAM_construct_octet_string(
          OSSL_KDF_PARAM_SALT, const_cast<char*>(salt.empty() ? kEmpty : salt.data()), salt.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, const_cast<char*>(info.data()),
                                        info.size()),
      OSSL_PARAM_construct_end()};
  SecretBytes out(std::string(length, '\0'));
  if (EVP_KDF_derive(ctx.get(), out.mutable_data(), length, params) <= 0) {
    return absl::InternalError("HKDF-SHA256 failed");
  }
  return out;
}

absl::StatusOr<std::string> HmacSha256(std::string_view key, std::string_view data) {
  std::string mac(32, '\0');
  unsigned int length = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), Bytes(data), data.size(),
           reinterpret_cast<unsigned char*>(mac.data()), &length) == nullptr ||
      length != 32) {
    return absl::InternalError("HMAC-SHA256 failed");
  }
  return mac;
}

absl::StatusOr<SecretBytes> ChaChaPolyOpen(std::string_view key, std::string_view nonce,
                                           std::string_view sealed) {
  constexpr std::size_t kTag = 16;
  if (key.size() != 32 || nonce.size() != 12 || sealed.size() < kTag) {
    return absl::InvalidArgumentError("ChaCha20-Poly1305: malformed key, nonce or ciphertext");
  }
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  std::size_t length = sealed.size() - kTag;
  SecretBytes plain(std::string(length, '\0'));
  int written = 0;
  int final_written = 0;
  if (!ctx ||
      EVP_DecryptInit_ex(ctx.get(), EVP_chacha20_poly1305(), nullptr, nullptr, nullptr) <= 0 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_IVLEN, 12, nullptr) <= 0 ||
      EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, Bytes(key), Bytes(nonce)) <= 0) {
    return absl::InternalError("ChaCha20-Poly1305: OpenSSL setup failed");
  }
  if (length > 0 && EVP_DecryptUpdate(ctx.get(), plain.mutable_data(), &written, Bytes(sealed),
                                      static_cast<int>(length)) <= 0) {
    return absl::InvalidArgumentError("ChaCha20-Poly1305: decryption failed");
  }
  std::string tag(sealed.substr(length));
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_TAG, kTag, tag.data()) <= 0 ||
      EVP_DecryptFinal_ex(ctx.get(), plain.mutable_data() + written, &final_written) <= 0) {
    return absl::InvalidArgumentError("ChaCha20-Poly1305: authentication failed");
  }
  return plain;
}

absl::StatusOr<SecretBytes> AesGcmOpen(std::string_view key, std::string_view nonce,
                                       std::string_view ciphertext, std::string_view tag,
                                       std::string_view additional_data) {
  if (key.size() != 32) return absl::InvalidArgumentError("AES-256-GCM needs a 32-byte key");
  if (nonce.empty() || tag.size() != 16) {
    return absl::InvalidArgumentError("AES-256-GCM: malformed iv or tag");
  }
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  SecretBytes plain(std::string(ciphertext.size(), '\0'));
  int written = 0;
  int final_written = 0;
  int aad_written = 0;
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) <= 0 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(nonce.size()),
                          nullptr) <= 0 ||
      EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, Bytes(key), Bytes(nonce)) <= 0) {
    return absl::InternalError("AES-256-GCM: OpenSSL setup failed");
  }
  if (!additional_data.empty() &&
      EVP_DecryptUpdate(ctx.get(), nullptr, &aad_written, Bytes(additional_data),
                        static_cast<int>(additional_data.size())) <= 0) {
    return absl::InternalError("AES-256-GCM: additional data refused");
  }
  if (!ciphertext.empty() &&
      EVP_DecryptUpdate(ctx.get(), plain.mutable_data(), &written, Bytes(ciphertext),
                        static_cast<int>(ciphertext.size())) <= 0) {
    return absl::InvalidArgumentError("AES-256-GCM: decryption failed");
  }
  std::string tag_copy(tag);
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, 16, tag_copy.data()) <= 0 ||
      EVP_DecryptFinal_ex(ctx.get(), plain.mutable_data() + written, &final_written) <= 0) {
    return absl::InvalidArgumentError(
        "AES-256-GCM: authentication failed (wrong data key or tampered value)");
  }
  return plain;
}

bool Equal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace fluxcpp::sops::crypto
