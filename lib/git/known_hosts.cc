#include "lib/git/known_hosts.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace fluxcpp::git {
namespace {

std::string Sha256(absl::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<const char*>(digest), length);
}

std::string FingerprintOfHash(absl::string_view sha256) {
  std::string encoded = absl::Base64Escape(sha256);
  while (!encoded.empty() && encoded.back() == '=') encoded.pop_back();
  return absl::StrCat("SHA256:", encoded);
}

// The key type named inside a wire-format blob ("ssh-ed25519"), or empty when malformed.
std::string BlobType(absl::string_view blob) {
  if (blob.size() < 4) return "";
  uint32_t length = (uint32_t(uint8_t(blob[0])) << 24) | (uint32_t(uint8_t(blob[1])) << 16) |
                    (uint32_t(uint8_t(blob[2])) << 8) | uint32_t(uint8_t(blob[3]));
  if (length > blob.size() - 4) return "";
  return std::string(blob.substr(4, length));
}

// Glob match with '*' and '?', case-insensitive as host names are.
bool GlobMatch(absl::string_view pattern, absl::string_view text) {
  if (pattern.empty()) return text.empty();
  if (pattern[0] == '*') {
    for (size_t skip = 0; skip <= text.size(); ++skip) {
      if (GlobMatch(pattern.substr(1), text.substr(skip))) return true;
    }
    return false;
  }
  if (text.empty()) return false;
  if (pattern[0] != '?' && absl::ascii_tolower(pattern[0]) != absl::ascii_tolower(text[0])) {
    return false;
  }
  return GlobMatch(pattern.substr(1), text.substr(1));
}

// A hashed entry "|1|base64(salt)|base64(HMAC-SHA1(salt, name))".
bool HashedMatch(absl::string_view entry, absl::string_view name) {
  std::vector<absl::string_view> parts = absl::StrSplit(entry.substr(3), '|');
  std::string salt, hash;
  if (parts.size() != 2 || !absl::Base64Unescape(parts[0], &salt) ||
      !absl::Base64Unescape(parts[1], &hash)) {
    return false;
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (HMAC(EVP_sha1(), salt.data(), static_cast<int>(salt.size()),
           reinterpret_cast<const unsigned char*>(name.data()), name.size(), digest,
           &length) == nullptr) {
    return false;
  }
  return hash == absl::string_view(reinterpret_cast<const char*>(digest), length);
}

// Whether the comma-separated host patterns of a line cover one of `names`.
bool HostsMatch(absl::string_view hosts, const std::vector<std::string>& names) {
  bool matched = false;
  for (absl::string_view pattern : absl::StrSplit(hosts, ',')) {
    if (absl::StartsWith(pattern, "|1|")) {
      for (const std::string& name : names) matched = matched || HashedMatch(pattern, name);
      continue;
    }
    bool negated = absl::ConsumePrefix(&pattern, "!");
    for (const std::string& name : names) {
      if (GlobMatch(pattern, name)) {
        if (negated) return false;
        matched = true;
      }
    }
  }
  return matched;
}

struct Entry {
  bool revoked = false;
  std::string type;
  std::string blob;
};

// The known_hosts entries for host:port (revoked ones included), in file order; `shown_name` gets
// the name OpenSSH uses for it.
std::vector<Entry> EntriesFor(absl::string_view known_hosts, absl::string_view host, int port,
                              std::string* shown_name) {
  // OpenSSH writes "[host]:port" for every port but 22; accept "[host]:22" too.
  std::string shown = port == 22 ? std::string(host) : absl::StrCat("[", host, "]:", port);
  std::vector<std::string> names = {shown};
  if (port == 22) names.push_back(absl::StrCat("[", host, "]:22"));

  std::vector<Entry> entries;
  for (absl::string_view line : absl::StrSplit(known_hosts, '\n')) {
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == '#') continue;
    std::vector<absl::string_view> fields =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    Entry entry;
    if (!fields.empty() && fields[0][0] == '@') {
      // Host certificates are not checked here; such lines trust nothing.
      if (fields[0] != "@revoked") continue;
      entry.revoked = true;
      fields.erase(fields.begin());
    }
    if (fields.size() < 3 || !HostsMatch(fields[0], names)) continue;
    entry.type = std::string(fields[1]);
    if (!absl::Base64Unescape(fields[2], &entry.blob)) continue;
    entries.push_back(std::move(entry));
  }

  if (shown_name != nullptr) *shown_name = shown;
  return entries;
}

}  // namespace

std::string HostKeyFingerprint(absl::string_view blob) { return FingerprintOfHash(Sha256(blob)); }

absl::Status VerifyHostKey(absl::string_view known_hosts, absl::string_view host, int port,
                           const PresentedHostKey& key) {
  std::string shown;
  std::vector<Entry> entries = EntriesFor(known_hosts, host, port, &shown);

  std::string presented_hash = key.blob.empty() ? key.sha256 : Sha256(key.blob);
  std::string presented_type = BlobType(key.blob);
  auto same_key = [&](const Entry& entry) {
    if (key.blob.empty()) return Sha256(entry.blob) == presented_hash;
    return entry.blob == key.blob && entry.type == presented_type;
  };
  std::string presented = absl::StrCat(presented_type.empty() ? "" : presented_type + " ",
                                       FingerprintOfHash(presented_hash));
  for (const Entry& entry : entries) {
    if (entry.revoked && same_key(entry)) {
      return absl::UnauthenticatedError(absl::StrCat("host key verification failed for ", shown,
                                                     ": its key ", presented,
                                                     " is marked @revoked in known_hosts"));
    }
  }
  std::vector<std::string> known;
  bool type_known = false;
  for (const Entry& entry : entries) {
    if (entry.revoked) continue;
    if (same_key(entry)) return absl::OkStatus();
    known.push_back(absl::StrCat(entry.type, " ", HostKeyFingerprint(entry.blob)));
    type_known = type_known || entry.type == presented_type;
  }
  if (known.empty()) {
    return absl::UnauthenticatedError(absl::StrCat("host key verification failed for ", shown,
                                                   ": the host is not in known_hosts (its key is ",
                                                   presented, ")"));
  }
  // The key type is negotiated before the key is seen, and libssh2 under libgit2 1.5 cannot be told
  // to prefer the types known_hosts holds: a server with several host keys may present one of a
  // type known_hosts lacks.
  std::string hint =
      type_known || presented_type.empty()
          ? ""
          : absl::StrCat(" (known_hosts has no ", presented_type,
                         " key for this host; if the server has several host keys, add that one, "
                         "e.g. from ssh-keyscan)");
  return absl::UnauthenticatedError(absl::StrCat(
      "host key verification failed for ", shown, ": the server presented ", presented,
      ", but known_hosts trusts only ", absl::StrJoin(known, ", "), " for this host", hint));
}

std::vector<std::string> KnownHostKeyTypes(absl::string_view known_hosts, absl::string_view host,
                                           int port) {
  std::vector<std::string> types;
  for (const Entry& entry : EntriesFor(known_hosts, host, port, nullptr)) {
    if (entry.revoked || entry.type.empty()) continue;
    if (std::find(types.begin(), types.end(), entry.type) == types.end()) {
      types.push_back(entry.type);
    }
  }
  return types;
}

}  // namespace fluxcpp::git
