// The server side of go-plugin's AutoMTLS: a fresh self-signed certificate for each process. The
// core trusts exactly the certificate printed in the handshake line and checks the name
// `localhost`; the server in turn trusts only the core's certificate (PLUGIN_CLIENT_CERT).
//
// Thread-safe: no shared state.
#pragma once

#include <string>

#include "absl/status/statusor.h"

namespace fluxcpp::provider::protocol {

struct ServerCertificate {
  std::string certificate_pem;
  std::string private_key_pem;
  // The certificate in DER, for the handshake line.
  std::string certificate_der;
};

// An ECDSA P-521 key (what go-plugin itself uses) and a self-signed certificate for it: SAN DNS
// `localhost`, a CA (the client uses it as its own root), key usages digitalSignature,
// keyEncipherment, keyAgreement and certSign, extended key usages serverAuth and clientAuth,
// valid from a minute ago for 30 days. Fails (Internal) naming the OpenSSL step and its error.
[[nodiscard]] absl::StatusOr<ServerCertificate> GenerateServerCertificate();

}  // namespace fluxcpp::provider::protocol
