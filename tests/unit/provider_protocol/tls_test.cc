#include "provider/protocol/tls.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <catch2/catch.hpp>
#include <memory>
#include <string>

namespace fluxcpp::provider::protocol {
namespace {

template <auto Free>
struct Deleter {
  template <typename T>
  void operator()(T* handle) const {
    Free(handle);
  }
};
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free_all>>;

X509Ptr ReadCertificate(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return X509Ptr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

EvpPkeyPtr ReadKey(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return EvpPkeyPtr(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
}

TEST_CASE("the server certificate is what go-plugin's client accepts") {
  absl::StatusOr<ServerCertificate> generated = GenerateServerCertificate();
  REQUIRE(generated.ok());
  X509Ptr certificate = ReadCertificate(generated->certificate_pem);
  REQUIRE(certificate);
  EvpPkeyPtr key = ReadKey(generated->private_key_pem);
  REQUIRE(key);

  // The key is ECDSA P-521 and belongs to the certificate, which signs itself.
  char curve[64] = {};
  REQUIRE(EVP_PKEY_get_group_name(key.get(), curve, sizeof(curve), nullptr) == 1);
  CHECK(std::string(curve) == "secp521r1");
  CHECK(X509_check_private_key(certificate.get(), key.get()) == 1);
  CHECK(X509_verify(certificate.get(), X509_get0_pubkey(certificate.get())) == 1);

  // Hostname localhost through the SAN; a CA, for both TLS roles.
  CHECK(X509_check_host(certificate.get(), "localhost", 0, 0, nullptr) == 1);
  CHECK(X509_check_ca(certificate.get()) >= 1);
  const uint32_t extended = X509_get_extended_key_usage(certificate.get());
  CHECK((extended & XKU_SSL_SERVER) != 0);
  CHECK((extended & XKU_SSL_CLIENT) != 0);
  const uint32_t usage = X509_get_key_usage(certificate.get());
  CHECK((usage & KU_DIGITAL_SIGNATURE) != 0);
  CHECK((usage & KU_KEY_CERT_SIGN) != 0);

  // Valid now.
  CHECK(X509_cmp_current_time(X509_get0_notBefore(certificate.get())) < 0);
  CHECK(X509_cmp_current_time(X509_get0_notAfter(certificate.get())) > 0);

  // The DER for the handshake line is the same certificate.
  const auto* der = reinterpret_cast<const unsigned char*>(generated->certificate_der.data());
  X509Ptr from_der(d2i_X509(nullptr, &der, static_cast<long>(generated->certificate_der.size())));
  REQUIRE(from_der);
  CHECK(X509_cmp(certificate.get(), from_der.get()) == 0);
}

TEST_CASE("every process gets its own key") {
  absl::StatusOr<ServerCertificate> first = GenerateServerCertificate();
  absl::StatusOr<ServerCertificate> second = GenerateServerCertificate();
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  CHECK(first->private_key_pem != second->private_key_pem);
  CHECK(first->certificate_der != second->certificate_der);
}

}  // namespace
}  // namespace fluxcpp::provider::protocol
