#include "provider/protocol/handshake.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "provider/protocol/text.h"

namespace fluxcpp::provider::protocol {

bool MagicCookieMatches(const char* value) {
  return value != nullptr && std::string_view(value) == kMagicCookieValue;
}

namespace {

std::string_view TrimSpaces(std::string_view text) {
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const size_t last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

// A non-negative decimal number, or nullopt.
std::optional<int> ParseVersion(std::string_view text) {
  int value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 0) return std::nullopt;
  return value;
}

}  // namespace

absl::StatusOr<int> NegotiateProtocolVersion(const char* versions,
                                             const std::vector<int>& supported) {
  if (supported.empty()) {
    return absl::InvalidArgumentError("the server supports no protocol version");
  }
  const int highest_supported = *std::max_element(supported.begin(), supported.end());
  if (versions == nullptr || TrimSpaces(versions).empty()) return highest_supported;
  int chosen = -1;
  std::string_view rest = versions;
  while (true) {
    const size_t comma = rest.find(',');
    // go-plugin skips entries that are not numbers; so do we.
    std::optional<int> version = ParseVersion(TrimSpaces(rest.substr(0, comma)));
    if (version && std::find(supported.begin(), supported.end(), *version) != supported.end()) {
      chosen = std::max(chosen, *version);
    }
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  if (chosen < 0) {
    std::string ours;
    for (int version : supported) ours += Cat(ours.empty() ? "" : ",", version);
    return absl::FailedPreconditionError(
        Cat("the plugin host accepts plugin protocol versions \"", versions,
            "\" (PLUGIN_PROTOCOL_VERSIONS), and this provider speaks only ", ours,
            "; use Terraform >= 1.0 or OpenTofu >= 1.6"));
  }
  return chosen;
}

std::string EncodeBase64Raw(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t group = (static_cast<uint8_t>(bytes[i]) << 16) |
                           (static_cast<uint8_t>(bytes[i + 1]) << 8) |
                           static_cast<uint8_t>(bytes[i + 2]);
    out.push_back(kAlphabet[(group >> 18) & 63]);
    out.push_back(kAlphabet[(group >> 12) & 63]);
    out.push_back(kAlphabet[(group >> 6) & 63]);
    out.push_back(kAlphabet[group & 63]);
  }
  const size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t group = static_cast<uint8_t>(bytes[i]) << 16;
    if (rest == 2) group |= static_cast<uint8_t>(bytes[i + 1]) << 8;
    out.push_back(kAlphabet[(group >> 18) & 63]);
    out.push_back(kAlphabet[(group >> 12) & 63]);
    if (rest == 2) out.push_back(kAlphabet[(group >> 6) & 63]);
  }
  return out;
}

std::string FormatHandshakeLine(const HandshakeLine& line) {
  return Cat(kCoreProtocolVersion, "|", line.app_protocol_version, "|", line.network, "|",
             line.address, "|grpc|", EncodeBase64Raw(line.server_certificate_der), "\n");
}

std::string ReattachProvidersJson(const std::vector<std::string>& addresses, int pid,
                                  std::string_view network, std::string_view address) {
  nlohmann::json providers = nlohmann::json::object();
  for (const std::string& provider_address : addresses) {
    providers[provider_address] = {
        {"Protocol", "grpc"},
        {"ProtocolVersion", kSupportedProtocolVersion},
        {"Pid", pid},
        {"Test", true},
        {"Addr", {{"Network", std::string(network)}, {"String", std::string(address)}}}};
  }
  return providers.dump();
}

}  // namespace fluxcpp::provider::protocol
