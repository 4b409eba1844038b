// go-plugin's handshake, as Terraform and OpenTofu run it (reference:
// terraform-plugin-protocol.md, §1): the core starts the plugin with a magic cookie and the
// protocol versions it accepts in the environment, and the plugin answers with one line on stdout
// that says where it listens and which certificate it serves.
//
// Pure functions of their inputs; safe from any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace fluxcpp::provider::protocol {

inline constexpr std::string_view kMagicCookieKey = "TF_PLUGIN_MAGIC_COOKIE";
inline constexpr std::string_view kMagicCookieValue =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
// go-plugin's own protocol version, the first field of the handshake line.
inline constexpr int kCoreProtocolVersion = 1;
// The plugin protocol majors this server implements.
inline constexpr int kSupportedProtocolVersion = 6;

// What to print when the binary is started by hand: it is a plugin, not a command.
inline constexpr std::string_view kNotAPluginMessage =
    "This binary is a plugin. These are not meant to be executed directly.\n"
    "Please execute the program that consumes these plugins, which will\n"
    "load any plugins automatically (terraform-provider-flux is loaded by\n"
    "`tofu` or `terraform` when a configuration requires fluxcd/flux).\n";

// Whether the environment's cookie (`value`, null when unset) is the one the core sends.
bool MagicCookieMatches(const char* value);

// Picks the protocol major from PLUGIN_PROTOCOL_VERSIONS (`versions`, e.g. "5,6"; null when
// unset): the highest one both sides speak. When the variable is unset or empty the core is older
// than version negotiation and the server's version is assumed. Fails (FailedPrecondition) when
// the core accepts none of ours, naming both lists.
[[nodiscard]] absl::StatusOr<int> NegotiateProtocolVersion(const char* versions,
                                                           const std::vector<int>& supported = {
                                                               kSupportedProtocolVersion});

// Base64 with the standard alphabet and no `=` padding (Go's RawStdEncoding), the certificate
// encoding the handshake line needs.
std::string EncodeBase64Raw(std::string_view bytes);

struct HandshakeLine {
  int app_protocol_version = kSupportedProtocolVersion;
  // "unix" (address is a bare socket path) or "tcp" (address is ip:port).
  std::string network = "unix";
  std::string address;
  // The DER of the served certificate; empty when serving plaintext.
  std::string server_certificate_der;
};

// `1|6|unix|/tmp/plugin/plugin.sock|grpc|MIIB...` followed by a newline; the last field is empty
// without a certificate. There is never a seventh field: older clients would read it as part of
// the certificate.
std::string FormatHandshakeLine(const HandshakeLine& line);

// The JSON to export as TF_REATTACH_PROVIDERS so that tofu and terraform use a provider that was
// started by hand (`--debug`): one entry per provider address in `addresses`.
std::string ReattachProvidersJson(const std::vector<std::string>& addresses, int pid,
                                  std::string_view network, std::string_view address);

}  // namespace fluxcpp::provider::protocol
