// How lib/git authenticates to a Git server and decides whether to trust it: an SSH private key
// with the server's known_hosts, or HTTP basic auth / a bearer token with an optional CA of its
// own. Secrets held here are never written to logs or error messages.
//
// AuthOptions is a plain value; the functions here are pure and thread-safe.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace fluxcpp::git {

struct AuthOptions {
  // SSH (ssh://user@host:port/path or user@host:path). The user comes from the URL, else "git".
  std::string ssh_private_key;  // PEM or OpenSSH text, as in an identity file
  std::string ssh_passphrase;   // for an encrypted key; empty for none
  // known_hosts content. Required for SSH: the server's host key must match an entry for
  // "[host]:port" (or the plain host on port 22), key type and key bytes alike. Hashed host names
  // (|1|salt|hash), patterns with * and ?, negations and @revoked lines are understood.
  std::string known_hosts;
  // Host key algorithms to accept, in order of preference ("ssh-ed25519", "ecdsa-sha2-nistp256",
  // "rsa-sha2-512"...). Empty: those of the key types known_hosts holds for the host, in its order.
  std::vector<std::string> ssh_hostkey_algorithms;

  // HTTP(S).
  std::string username;
  std::string password;
  std::string bearer_token;  // sent as "Authorization: Bearer ..."; excludes username/password
  std::string ca_pem;        // trust only these certificates; empty: the system's trust store
  // Client certificate for mutual TLS (https:// only), both PEM: the certificate (optionally
  // followed by its intermediates) and its unencrypted private key. Given together or not at all.
  std::string client_certificate_pem;
  std::string client_key_pem;
  // Plain http:// is refused unless this is set, since it exposes the credentials and the content.
  bool allow_insecure_http = false;
};

// The URL as it may be shown to people: for http(s) without the user-info part
// ("https://user:secret@host/x" → "https://host/x"); for ssh without a password, keeping the user.
std::string RedactUrl(absl::string_view url);

// Checks that `url` can be used with `auth`: a known scheme, plain http only when allowed, SSH with
// a key and known_hosts, no bearer token mixed with a password, a client certificate only with its
// key and only for https. Errors name the redacted URL.
absl::Status ValidateAuth(absl::string_view url, const AuthOptions& auth);

}  // namespace fluxcpp::git
