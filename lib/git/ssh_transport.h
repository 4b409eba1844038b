// Git over SSH for ssh:// and scp-like user@host:path remotes, carried by libssh2 directly instead
// of libgit2's own SSH transport. libgit2 1.5 gives libssh2 no socket timeouts, no host key
// algorithm preference and no say over how a private key is read; here every step is bounded by
// the operation's deadline: the TCP connect (non-blocking), the SSH handshake, authentication and
// every read and write of the pack conversation. libgit2 still speaks the Git protocol (its
// "smart" transport); this subtransport opens one SSH session, runs git-upload-pack or
// git-receive-pack on the server with the repository path quoted as git quotes it, and moves the
// bytes.
//
// The server's host key is checked strictly against AuthOptions::known_hosts (VerifyHostKey,
// known_hosts.h) before any credential is sent. Host key algorithms are asked for in the order of
// AuthOptions::ssh_hostkey_algorithms, else in the order of the key types known_hosts holds for the
// host, so a server with several host keys presents one known_hosts can check.
//
// Per-operation settings come from the RemoteSession whose callbacks the operation passed to
// libgit2 (as for http_transport.h); nothing flows through globals. An SSH remote used without a
// RemoteSession's callbacks is refused.
//
// Private to lib/git. Registration is process-wide libgit2 state, done once by EnsureLibgit2.
#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace fluxcpp::git {

// Registers the transport for "ssh://" (libgit2 also gives it scp-like URLs). Initialises libssh2.
// Returns libgit2's error code (0 on success). Not thread-safe: call once, before any remote is
// used (EnsureLibgit2 does).
int RegisterSshTransport();

// The command that runs `service` ("git-upload-pack") for the repository at `path` on the server,
// with the path single-quoted as git quotes it for a shell: "git-upload-pack '/fleet.git'".
std::string SshGitCommand(absl::string_view service, absl::string_view path);

// Whether `private_key` (PEM or OpenSSH text) is encrypted with a passphrase.
bool SshPrivateKeyIsEncrypted(absl::string_view private_key);

}  // namespace fluxcpp::git
