// Strict SSH host key verification against known_hosts content, as OpenSSH does it: the host is
// looked up as "[host]:port" (plain "host" on port 22), and the key must match an entry for it in
// type and bytes. Private to lib/git. Pure functions, thread-safe.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace fluxcpp::git {

struct PresentedHostKey {
  // The key in SSH wire format (string type, then the key's fields), as known_hosts holds it
  // base64-encoded. Empty when the transport only gave a hash.
  std::string blob;
  std::string sha256;  // binary SHA-256 of the blob; used when `blob` is empty
};

// OK when known_hosts trusts `key` for host:port. Otherwise kUnauthenticated naming the host:
// unknown host, a key that differs from the known ones (with both fingerprints), or a revoked key.
absl::Status VerifyHostKey(absl::string_view known_hosts, absl::string_view host, int port,
                           const PresentedHostKey& key);

// The key types ("ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-rsa") that known_hosts trusts for
// host:port, in the order of their first entries, without duplicates or revoked keys.
std::vector<std::string> KnownHostKeyTypes(absl::string_view known_hosts, absl::string_view host,
                                           int port);

// "SHA256:<unpadded base64>", as ssh-keygen -l prints it.
std::string HostKeyFingerprint(absl::string_view blob);

}  // namespace fluxcpp::git
