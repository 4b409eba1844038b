#include "provider/protocol/tls.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "provider/protocol/text.h"

namespace fluxcpp::provider::protocol {
namespace {

template <auto Free>
struct Deleter {
  template <typename T>
  void operator()(T* handle) const {
    Free(handle);
  }
};
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using EvpPkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;
using X509ExtensionPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using BignumPtr = std::unique_ptr<BIGNUM, Deleter<BN_free>>;

// An Internal error naming the step and OpenSSL's queued errors (which it clears).
absl::Status OpenSslError(std::string_view step) {
  std::string detail;
  while (unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof(buffer));
    detail += Cat(detail.empty() ? "" : "; ", buffer);
  }
  return absl::InternalError(Cat("generating the plugin's TLS certificate: ", step, " failed",
                                 detail.empty() ? "" : ": ", detail));
}

absl::StatusOr<std::string> ReadBio(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  if (size < 0) return OpenSslError("reading a memory BIO");
  return std::string(data, static_cast<size_t>(size));
}

absl::Status AddExtension(X509* certificate, int nid, const char* value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, certificate, certificate, nullptr, nullptr, 0);
  X509ExtensionPtr extension(X509V3_EXT_conf_nid(nullptr, &context, nid, value));
  if (!extension) return OpenSslError(Cat("building extension ", OBJ_nid2sn(nid)));
  if (X509_add_ext(certificate, extension.get(), -1) != 1) {
    return OpenSslError(Cat("adding extension ", OBJ_nid2sn(nid)));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ServerCertificate> GenerateServerCertificate() {
  EvpPkeyCtxPtr key_context(EVP_PKEY_CTX_new_id(EVP_PKEY_EC, nullptr));
  if (!key_context || EVP_PKEY_keygen_init(key_context.get()) != 1 ||
      EVP_PKEY_CTX_set_ec_paramgen_curve_nid(key_context.get(), NID_secp521r1) != 1) {
    return OpenSslError("setting up P-521 key generation");
  }
  EVP_PKEY* raw_key = nullptr;
  if (EVP_PKEY_keygen(key_context.get(), &raw_key) != 1) return OpenSslError("generating the key");
  EvpPkeyPtr key(raw_key);

  X509Ptr certificate(X509_new());
  if (!certificate || X509_set_version(certificate.get(), 2) != 1) {
    return OpenSslError("creating the certificate");
  }
  // A random positive 128-bit serial number, as Go's crypto/x509 users do.
  unsigned char serial_bytes[16];
  if (RAND_bytes(serial_bytes, sizeof(serial_bytes)) != 1) return OpenSslError("RAND_bytes");
  serial_bytes[0] &= 0x7f;
  BignumPtr serial(BN_bin2bn(serial_bytes, sizeof(serial_bytes), nullptr));
  if (!serial ||
      BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(certificate.get())) == nullptr) {
    return OpenSslError("setting the serial number");
  }
  // A minute of slack for clocks; the process lives for one Terraform command.
  if (X509_gmtime_adj(X509_getm_notBefore(certificate.get()), -60) == nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(certificate.get()), 30L * 24 * 3600) == nullptr) {
    return OpenSslError("setting the validity period");
  }
  X509_NAME* name = X509_get_subject_name(certificate.get());
  if (X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                                 reinterpret_cast<const unsigned char*>("fluxcpp"), -1, -1,
                                 0) != 1 ||
      X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                 reinterpret_cast<const unsigned char*>("localhost"), -1, -1,
                                 0) != 1 ||
      X509_set_issuer_name(certificate.get(), name) != 1) {
    return OpenSslError("setting the subject");
  }
  if (X509_set_pubkey(certificate.get(), key.get()) != 1) return OpenSslError("X509_set_pubkey");
  for (const auto& [nid, value] : {
           std::pair{NID_basic_constraints, "critical,CA:TRUE"},
           std::pair{NID_key_usage,
                     "critical,digitalSignature,keyEncipherment,keyAgreement,keyCertSign"},
           std::pair{NID_ext_key_usage, "serverAuth,clientAuth"},
           std::pair{NID_subject_alt_name, "DNS:localhost"},
           std::pair{NID_subject_key_identifier, "hash"},
       }) {
    if (absl::Status status = AddExtension(certificate.get(), nid, value); !status.ok()) {
      return status;
    }
  }
  if (X509_sign(certificate.get(), key.get(), EVP_sha512()) == 0) {
    return OpenSslError("signing the certificate");
  }

  ServerCertificate result;
  BioPtr certificate_bio(BIO_new(BIO_s_mem()));
  if (!certificate_bio || PEM_write_bio_X509(certificate_bio.get(), certificate.get()) != 1) {
    return OpenSslError("writing the certificate PEM");
  }
  absl::StatusOr<std::string> certificate_pem = ReadBio(certificate_bio.get());
  if (!certificate_pem.ok()) return certificate_pem.status();
  result.certificate_pem = *std::move(certificate_pem);

  BioPtr key_bio(BIO_new(BIO_s_mem()));
  if (!key_bio || PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr,
                                           nullptr) != 1) {
    return OpenSslError("writing the key PEM");
  }
  absl::StatusOr<std::string> key_pem = ReadBio(key_bio.get());
  if (!key_pem.ok()) return key_pem.status();
  result.private_key_pem = *std::move(key_pem);

  const int der_size = i2d_X509(certificate.get(), nullptr);
  if (der_size <= 0) return OpenSslError("measuring the certificate DER");
  result.certificate_der.resize(static_cast<size_t>(der_size));
  auto* cursor = reinterpret_cast<unsigned char*>(result.certificate_der.data());
  if (i2d_X509(certificate.get(), &cursor) != der_size) {
    return OpenSslError("writing the certificate DER");
  }
  return result;
}

}  // namespace fluxcpp::provider::protocol
