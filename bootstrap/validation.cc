#include "bootstrap/validation.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"

namespace fluxcpp::bootstrap {
namespace {

bool IsLowerAlphanumeric(char c) { return absl::ascii_isdigit(c) || absl::ascii_islower(c); }

bool IsNameCharacter(char c) { return absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.'; }

}  // namespace

bool IsDns1123Label(std::string_view text) {
  if (text.empty() || text.size() > 63) return false;
  if (!IsLowerAlphanumeric(text.front()) || !IsLowerAlphanumeric(text.back())) return false;
  for (char c : text) {
    if (!IsLowerAlphanumeric(c) && c != '-') return false;
  }
  return true;
}

bool IsDns1123Subdomain(std::string_view text) {
  if (text.empty() || text.size() > 253) return false;
  for (absl::string_view label : absl::StrSplit(absl::string_view(text.data(), text.size()), '.')) {
    if (!IsDns1123Label(std::string_view(label.data(), label.size()))) return false;
  }
  return true;
}

bool IsQualifiedName(std::string_view text) {
  std::string_view name = text;
  if (size_t slash = text.find('/'); slash != std::string_view::npos) {
    if (!IsDns1123Subdomain(text.substr(0, slash))) return false;
    name = text.substr(slash + 1);
  }
  if (name.empty() || name.size() > 63) return false;
  if (!absl::ascii_isalnum(name.front()) || !absl::ascii_isalnum(name.back())) return false;
  for (char c : name) {
    if (!IsNameCharacter(c)) return false;
  }
  return true;
}

bool IsFluxDuration(std::string_view text) {
  if (text.empty()) return false;
  size_t at = 0;
  auto digits = [&] {
    size_t start = at;
    while (at < text.size() && absl::ascii_isdigit(text[at])) ++at;
    return at > start;
  };
  while (at < text.size()) {
    if (!digits()) return false;
    if (at < text.size() && text[at] == '.') {
      ++at;
      if (!digits()) return false;
    }
    if (text.substr(at, 2) == "ms") {
      at += 2;
    } else if (at < text.size() && (text[at] == 's' || text[at] == 'm' || text[at] == 'h')) {
      ++at;
    } else {
      return false;
    }
  }
  return true;
}

std::optional<std::chrono::milliseconds> ParseFluxDuration(std::string_view text) {
  if (!IsFluxDuration(text)) return std::nullopt;
  double milliseconds = 0;
  size_t at = 0;
  while (at < text.size()) {
    size_t unit = text.find_first_not_of("0123456789.", at);
    double number = 0;
    if (!absl::SimpleAtod(absl::string_view(text.data() + at, unit - at), &number)) {
      return std::nullopt;
    }
    size_t next = text.find_first_of("0123456789", unit);
    if (next == std::string_view::npos) next = text.size();
    std::string_view suffix = text.substr(unit, next - unit);
    if (suffix == "h") milliseconds += number * 3'600'000;
    if (suffix == "m") milliseconds += number * 60'000;
    if (suffix == "s") milliseconds += number * 1'000;
    if (suffix == "ms") milliseconds += number;
    at = next;
  }
  return std::chrono::milliseconds(static_cast<int64_t>(milliseconds + 0.5));
}

std::string UrlScheme(std::string_view url) {
  size_t separator = url.find("://");
  if (separator == std::string_view::npos || separator == 0) return "";
  std::string scheme(url.substr(0, separator));
  for (char c : scheme) {
    if (!absl::ascii_isalnum(c) && c != '+' && c != '-' && c != '.') return "";
  }
  return absl::AsciiStrToLower(scheme);
}

bool IsScpLikeAddress(std::string_view url) {
  if (!UrlScheme(url).empty()) return false;
  size_t colon = url.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  size_t slash = url.find('/');
  return slash == std::string_view::npos || colon < slash;
}

std::string ScpLikeToSshUrl(std::string_view url) {
  size_t colon = url.find(':');
  std::string_view host = url.substr(0, colon);
  std::string_view path = url.substr(colon + 1);
  std::string result = "ssh://" + std::string(host);
  if (path.empty() || path.front() != '/') result += '/';
  result += path;
  return result;
}

std::string RedactUrl(std::string_view url) {
  size_t separator = url.find("://");
  if (separator == std::string_view::npos) return std::string(url);
  size_t authority = separator + 3;
  size_t authority_end = url.find_first_of("/?#", authority);
  if (authority_end == std::string_view::npos) authority_end = url.size();
  size_t at = url.rfind('@', authority_end - 1);
  if (at == std::string_view::npos || at < authority) return std::string(url);
  size_t colon = url.find(':', authority);
  if (colon == std::string_view::npos || colon > at) return std::string(url);
  return std::string(url.substr(0, colon + 1)) + "redacted" + std::string(url.substr(at));
}

}  // namespace fluxcpp::bootstrap
