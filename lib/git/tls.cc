#include "lib/git/tls.h"

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"

namespace fluxcpp::git {
namespace {

struct X509Deleter {
  void operator()(X509* certificate) const { X509_free(certificate); }
};
struct StoreDeleter {
  void operator()(X509_STORE* store) const { X509_STORE_free(store); }
};
struct StoreContextDeleter {
  void operator()(X509_STORE_CTX* context) const { X509_STORE_CTX_free(context); }
};
struct BioDeleter {
  void operator()(BIO* bio) const { BIO_free(bio); }
};

bool IsIpAddress(absl::string_view host) {
  return host.find_first_not_of("0123456789.") == absl::string_view::npos ||
         host.find(':') != absl::string_view::npos;
}

}  // namespace

absl::Status VerifyServerCertificate(absl::string_view der, absl::string_view ca_pem,
                                     absl::string_view host) {
  std::unique_ptr<X509_STORE, StoreDeleter> store(X509_STORE_new());
  std::unique_ptr<BIO, BioDeleter> bio(
      BIO_new_mem_buf(ca_pem.data(), static_cast<int>(ca_pem.size())));
  if (!store || !bio) return absl::ResourceExhaustedError("out of memory verifying a certificate");
  int loaded = 0;
  while (true) {
    std::unique_ptr<X509, X509Deleter> ca(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!ca) break;
    if (X509_STORE_add_cert(store.get(), ca.get()) == 1) ++loaded;
  }
  if (loaded == 0) {
    return absl::InvalidArgumentError("the CA bundle holds no PEM certificate");
  }

  const unsigned char* cursor = reinterpret_cast<const unsigned char*>(der.data());
  std::unique_ptr<X509, X509Deleter> certificate(
      d2i_X509(nullptr, &cursor, static_cast<long>(der.size())));
  if (!certificate) {
    return absl::UnauthenticatedError(
        absl::StrCat("the certificate of ", host, " could not be parsed"));
  }
  std::unique_ptr<X509_STORE_CTX, StoreContextDeleter> context(X509_STORE_CTX_new());
  if (!context ||
      X509_STORE_CTX_init(context.get(), store.get(), certificate.get(), nullptr) != 1) {
    return absl::ResourceExhaustedError("out of memory verifying a certificate");
  }
  X509_VERIFY_PARAM* parameters = X509_STORE_CTX_get0_param(context.get());
  X509_VERIFY_PARAM_set_purpose(parameters, X509_PURPOSE_SSL_SERVER);
  std::string host_string(host);
  int set = IsIpAddress(host)
                ? X509_VERIFY_PARAM_set1_ip_asc(parameters, host_string.c_str())
                : X509_VERIFY_PARAM_set1_host(parameters, host_string.c_str(), host_string.size());
  if (set != 1) {
    return absl::InvalidArgumentError(absl::StrCat("invalid host name '", host, "'"));
  }
  if (X509_verify_cert(context.get()) != 1) {
    int error = X509_STORE_CTX_get_error(context.get());
    return absl::UnauthenticatedError(absl::StrCat(
        "the certificate of ", host,
        " is not trusted by the configured CA: ", X509_verify_cert_error_string(error)));
  }
  return absl::OkStatus();
}

}  // namespace fluxcpp::git
