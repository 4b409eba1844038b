// Serving a provider the way Terraform and OpenTofu launch plugins: go-plugin's handshake over a
// unix socket in a fresh temporary folder (or TCP on the loopback when asked), AutoMTLS when the
// core asks for it, the tfplugin6 Provider service plus go-plugin's health, controller and stdio
// services, and a prompt exit when the core calls GRPCController.Shutdown.
#pragma once

#include <string>
#include <vector>

#include "provider/protocol/provider.h"

namespace fluxcpp::provider::protocol {

struct ServeOptions {
  // Started by hand for a debugger: no magic cookie needed, plaintext, and instead of the handshake
  // line a TF_REATTACH_PROVIDERS value to export is printed. Ctrl-C stops the server.
  bool debug = false;
  // The full addresses the provider answers to, for TF_REATTACH_PROVIDERS.
  std::vector<std::string> provider_addresses;
  // Where to listen: false, a unix socket in a fresh folder (go-plugin's default); true, TCP on
  // 127.0.0.1 at a free port between PLUGIN_MIN_PORT and PLUGIN_MAX_PORT (any free port when
  // they are unset), for hosts that cannot share a socket file with the core.
  bool tcp = false;
  // Server message size limit, both ways (the core reads schemas of up to 64 MiB).
  int max_message_bytes = 256 * 1024 * 1024;
};

// Serves `provider` until shutdown and returns the process exit code: 0 after a shutdown, 1 when
// the binary was not started by a plugin host (after explaining so on stderr) or the server could
// not start. Writes only the handshake line to stdout; everything else goes to stderr. Ignores
// SIGINT (the core stops plugins itself), and shuts down cleanly on SIGTERM. Call once per process.
int Serve(Provider& provider, const ServeOptions& options);

}  // namespace fluxcpp::provider::protocol
