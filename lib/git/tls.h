// Verification of an HTTPS server's certificate against a CA bundle of our own (libgit2 1.5 only
// knows process-wide trust locations). Private to lib/git. Thread-safe.
#pragma once

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace fluxcpp::git {

// OK when the DER certificate `der` chains to a certificate of `ca_pem` and names `host` (a DNS
// name or an IP address). Otherwise kUnauthenticated saying why, naming the host; kInvalidArgument
// when `ca_pem` holds no certificate.
absl::Status VerifyServerCertificate(absl::string_view der, absl::string_view ca_pem,
                                     absl::string_view host);

}  // namespace fluxcpp::git
