// Git's smart HTTP protocol for http:// and https:// remotes, carried by libcurl instead of
// libgit2's own HTTP client. libgit2 1.5 has no API for TLS client certificates and no socket
// timeouts; libcurl has both. libgit2 still speaks the Git protocol (its "smart" transport); this
// subtransport only moves the bytes: GET <url>/info/refs?service=git-<service> for the ref
// advertisement, then one POST <url>/git-<service> per request of the conversation.
//
// Per-operation settings (AuthOptions, deadline) come from the RemoteSession whose callbacks the
// operation passed to libgit2: the smart transport hands its connect options (callbacks and their
// payload) to the subtransport, so nothing flows through globals. An HTTP(S) remote used without a
// RemoteSession's callbacks is refused.
//
// Private to lib/git. Registration is process-wide libgit2 state, done once by EnsureLibgit2.
#pragma once

namespace fluxcpp::git {

// Registers the transport for "http://" and "https://". Returns libgit2's error code (0 on
// success). Not thread-safe: call once, before any remote is used (EnsureLibgit2 does).
int RegisterHttpTransport();

}  // namespace fluxcpp::git
