// Checks of the values the bootstrap options accept: Kubernetes names, Go durations as Flux's CRDs
// accept them, Git URLs. Private to bootstrap/.
//
// All functions are pure and thread-safe.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace fluxcpp::bootstrap {

// RFC 1123 label: lower-case alphanumerics and '-', starting and ending alphanumeric, ≤ 63.
bool IsDns1123Label(std::string_view text);

// RFC 1123 subdomain: dot-separated labels, ≤ 253 characters in all.
bool IsDns1123Subdomain(std::string_view text);

// A label or taint key: an optional DNS subdomain prefix and '/', then a name of ≤ 63
// alphanumerics, '-', '_' and '.', starting and ending alphanumeric.
bool IsQualifiedName(std::string_view text);

// A duration matching the pattern of Flux's interval fields, `^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`.
bool IsFluxDuration(std::string_view text);

// The length of such a duration ("1m30s" is 90 s), rounded to milliseconds; nullopt when the text
// is not one.
std::optional<std::chrono::milliseconds> ParseFluxDuration(std::string_view text);

// The scheme of a URL ("ssh", "https"), lower-cased; empty when there is no "<scheme>://".
std::string UrlScheme(std::string_view url);

// True for scp-like Git addresses (`git@github.com:org/repo.git`): no scheme, a ':' before any '/'.
bool IsScpLikeAddress(std::string_view url);

// The ssh:// spelling of an scp-like address: `ssh://git@github.com/org/repo.git`.
std::string ScpLikeToSshUrl(std::string_view url);

// The URL with any password in its user information replaced by "redacted", for messages.
std::string RedactUrl(std::string_view url);

}  // namespace fluxcpp::bootstrap
