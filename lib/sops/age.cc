#include "lib/sops/age.h"

#include <array>
#include <cctype>
#include <cstdint>

#include "lib/sops/crypto.h"

namespace fluxcpp::sops {
namespace {

constexpr std::string_view kVersionLine = "age-encryption.org/v1\n";
constexpr std::string_view kArmorBegin = "-----BEGIN AGE ENCRYPTED FILE-----";
constexpr std::string_view kArmorEnd = "-----END AGE ENCRYPTED FILE-----";
constexpr std::string_view kX25519Info = "age-encryption.org/v1/X25519";
constexpr std::size_t kChunkSize = 64 * 1024;
constexpr std::size_t kTagSize = 16;
constexpr std::string_view kBech32Charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

std::uint32_t Bech32Polymod(const std::vector<std::uint8_t>& values) {
  static constexpr std::array<std::uint32_t, 5> kGenerator = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa,
                                                              0x3d4233dd, 0x2a1462b3};
  std::uint32_t check = 1;
  for (std::uint8_t value : values) {
    std::uint32_t top = check >> 25;
    check = ((check & 0x1ffffff) << 5) ^ value;
    for (int i = 0; i < 5; ++i) {
      if ((top >> i) & 1) check ^= kGenerator[i];
    }
  }
  return check;
}

std::vector<std::uint8_t> HrpExpand(std::string_view hrp) {
  std::vector<std::uint8_t> out;
  for (char c : hrp) out.push_back(static_cast<std::uint8_t>(c) >> 5);
  out.push_back(0);
  for (char c : hrp) out.push_back(static_cast<std::uint8_t>(c) & 31);
  return out;
}

// Decodes a Bech32 string with human-readable part `hrp` (lowercase) into bytes.
absl::StatusOr<SecretBytes> Bech32Decode(std::string_view text, std::string_view hrp) {
  std::string lower;
  for (char c : text)
    lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  auto separator = lower.rfind('1');
  if (separator == std::string::npos || lower.substr(0, separator) != hrp ||
      lower.size() < separator + 7) {
    WipeString(lower);
    return absl::InvalidArgumentError("not a Bech32 string with prefix " + std::string(hrp));
  }
  std::vector<std::uint8_t> values = HrpExpand(hrp);
  std::size_t data_start = values.size();
  for (char c : std::string_view(lower).substr(separator + 1)) {
    auto position = kBech32Charset.find(c);
    if (position == std::string_view::npos) {
      WipeString(lower);
      return absl::InvalidArgumentError("invalid Bech32 character");
    }
    values.push_back(static_cast<std::uint8_t>(position));
  }
  WipeString(lower);
  bool checksum_ok = Bech32Polymod(values) == 1;
  SecretBytes out;
  std::string bytes;
  std::uint32_t buffer = 0;
  int bits = 0;
  bool padding_ok = true;
  for (std::size_t i = data_start; i + 6 < values.size(); ++i) {
    buffer = (buffer << 5) | values[i];
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes.push_back(static_cast<char>((buffer >> bits) & 0xff));
    }
  }
  if (bits >= 5 || ((buffer << (8 - bits)) & 0xff) != 0) padding_ok = false;
  for (auto& value : values) value = 0;
  buffer = 0;
  out = SecretBytes(std::move(bytes));
  if (!checksum_ok) return absl::InvalidArgumentError("Bech32 checksum mismatch");
  if (!padding_ok) return absl::InvalidArgumentError("Bech32 data has non-zero padding");
  return out;
}

std::string Bech32Encode(std::string_view hrp, std::string_view bytes) {
  std::vector<std::uint8_t> data;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      data.push_back((buffer >> bits) & 31);
    }
  }
  if (bits > 0) data.push_back((buffer << (5 - bits)) & 31);
  std::vector<std::uint8_t> values = HrpExpand(hrp);
  values.insert(values.end(), data.begin(), data.end());
  values.insert(values.end(), 6, 0);
  std::uint32_t polymod = Bech32Polymod(values) ^ 1;
  std::string out(hrp);
  out.push_back('1');
  for (auto value : data) out.push_back(kBech32Charset[value]);
  for (int i = 0; i < 6; ++i) out.push_back(kBech32Charset[(polymod >> (5 * (5 - i))) & 31]);
  return out;
}

// Reads one line (without its '\n') at `offset`; false at the end of the input.
bool NextLine(std::string_view text, std::size_t& offset, std::string_view& line) {
  if (offset >= text.size()) return false;
  auto end = text.find('\n', offset);
  if (end == std::string_view::npos) return false;  // every header line ends with '\n'
  line = text.substr(offset, end - offset);
  offset = end + 1;
  return true;
}

bool ValidArgument(std::string_view arg) {
  if (arg.empty()) return false;
  for (char c : arg) {
    if (c < 33 || c > 126) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<std::string> Base64Decode(std::string_view text, bool padded) {
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  std::size_t data_length = text.size();
  if (padded) {
    if (text.size() % 4 != 0)
      return absl::InvalidArgumentError("base64: length is not a multiple of 4");
    while (data_length > 0 && text[data_length - 1] == '=' && text.size() - data_length < 2)
      --data_length;
  }
  for (std::size_t i = 0; i < data_length; ++i) {
    int value = Base64Value(text[i]);
    if (value < 0) return absl::InvalidArgumentError("base64: invalid character");
    buffer = (buffer << 6) | static_cast<std::uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xff));
    }
  }
  if (bits >= 6) return absl::InvalidArgumentError("base64: truncated input");
  if ((buffer & ((1u << bits) - 1)) != 0)
    return absl::InvalidArgumentError("base64: non-canonical trailing bits");
  return out;
}

absl::StatusOr<std::vector<AgeIdentity>> ParseAgeIdentities(std::string_view text,
                                                            std::string_view source) {
  std::vector<AgeIdentity> identities;
  std::size_t offset = 0;
  int line_number = 0;
  while (offset < text.size()) {
    auto end = text.find('\n', offset);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(offset, end - offset);
    offset = end + 1;
    ++line_number;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
      line.remove_suffix(1);
    }
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    if (line.empty() || line.front() == '#') continue;
    auto scalar = Bech32Decode(line, "age-secret-key-");
    if (!scalar.ok() || scalar->size() != 32) {
      return absl::InvalidArgumentError(
          std::string(source) + ": line " + std::to_string(line_number) +
          " is not an age X25519 identity (AGE-SECRET-KEY-1…)" +
          (scalar.ok() ? "" : ": " + std::string(scalar.status().message())));
    }
    auto point = crypto::X25519PublicKey(*scalar);
    if (!point.ok()) return point.status();
    identities.push_back(AgeIdentity{std::move(*scalar), Bech32Encode("age", *point)});
  }
  if (identities.empty())
    return absl::InvalidArgumentError(std::string(source) + ": holds no age identity");
  return identities;
}

absl::StatusOr<std::string> Dearmor(std::string_view file) {
  std::size_t start = 0;
  while (start < file.size() && std::isspace(static_cast<unsigned char>(file[start]))) ++start;
  if (file.substr(start, kArmorBegin.size()) != kArmorBegin) return std::string(file);
  auto body_start = file.find('\n', start);
  auto end = file.find(kArmorEnd, start);
  if (body_start == std::string_view::npos || end == std::string_view::npos || end < body_start) {
    return absl::InvalidArgumentError("age armor: missing END line");
  }
  std::string base64;
  for (char c : file.substr(body_start + 1, end - body_start - 1)) {
    if (c == '\n' || c == '\r') continue;
    base64.push_back(c);
  }
  auto decoded = Base64Decode(base64, true);
  if (!decoded.ok())
    return absl::InvalidArgumentError("age armor: " + std::string(decoded.status().message()));
  return decoded;
}

absl::StatusOr<AgeHeader> ParseAgeHeader(std::string_view file) {
  if (file.substr(0, kVersionLine.size()) != kVersionLine) {
    return absl::InvalidArgumentError("age header: not an age-encryption.org/v1 file");
  }
  AgeHeader header;
  std::size_t offset = kVersionLine.size();
  std::string_view line;
  while (true) {
    std::size_t line_start = offset;
    if (!NextLine(file, offset, line)) return absl::InvalidArgumentError("age header: truncated");
    if (line.substr(0, 4) == "--- ") {
      header.mac_input = file.substr(0, line_start + 3);
      auto mac = Base64Decode(line.substr(4), false);
      if (!mac.ok() || mac->size() != 32)
        return absl::InvalidArgumentError("age header: malformed MAC line");
      header.mac = std::move(*mac);
      header.payload_offset = offset;
      break;
    }
    if (line.substr(0, 3) != "-> ")
      return absl::InvalidArgumentError("age header: expected a stanza or the MAC");
    AgeStanza stanza;
    std::string_view rest = line.substr(3);
    std::vector<std::string> words;
    while (true) {
      auto space = rest.find(' ');
      std::string_view word = rest.substr(0, space);
      if (!ValidArgument(word))
        return absl::InvalidArgumentError("age header: malformed stanza argument");
      words.emplace_back(word);
      if (space == std::string_view::npos) break;
      rest = rest.substr(space + 1);
    }
    stanza.type = words.front();
    stanza.args.assign(words.begin() + 1, words.end());
    // The body is unpadded base64 in lines of 64 columns; a shorter (possibly empty) line ends it.
    std::string body_text;
    while (true) {
      if (!NextLine(file, offset, line))
        return absl::InvalidArgumentError("age header: truncated stanza body");
      if (line.size() > 64)
        return absl::InvalidArgumentError("age header: stanza body line over 64 columns");
      body_text.append(line);
      if (line.size() < 64) break;
    }
    auto body = Base64Decode(body_text, false);
    if (!body.ok())
      return absl::InvalidArgumentError("age header: stanza body: " +
                                        std::string(body.status().message()));
    stanza.body = std::move(*body);
    header.stanzas.push_back(std::move(stanza));
  }
  if (header.stanzas.empty()) return absl::InvalidArgumentError("age header: no recipient stanza");
  return header;
}

absl::StatusOr<SecretBytes> AgeDecrypt(std::string_view armored,
                                       const std::vector<AgeIdentity>& identities) {
  auto file = Dearmor(armored);
  if (!file.ok()) return file.status();
  auto header = ParseAgeHeader(*file);
  if (!header.ok()) return header.status();
  SecretBytes file_key;
  bool found = false;
  std::string last_error = "the file has no X25519 stanza";
  for (const auto& stanza : header->stanzas) {
    if (stanza.type != "X25519") continue;
    if (stanza.args.size() != 1 || stanza.body.size() != 32) {
      return absl::InvalidArgumentError("age header: malformed X25519 stanza");
    }
    auto share = Base64Decode(stanza.args[0], false);
    if (!share.ok() || share->size() != 32)
      return absl::InvalidArgumentError("age header: malformed X25519 share");
    for (const auto& identity : identities) {
      auto shared = crypto::X25519(identity.scalar, *share);
      if (!shared.ok()) {
        last_error = std::string(shared.status().message());
        continue;
      }
      auto recipient_point = crypto::X25519PublicKey(identity.scalar);
      if (!recipient_point.ok()) return recipient_point.status();
      auto wrap_key =
          crypto::HkdfSha256(shared->view(), *share + *recipient_point, kX25519Info, 32);
      if (!wrap_key.ok()) return wrap_key.status();
      auto opened = crypto::ChaChaPolyOpen(wrap_key->view(), std::string(12, '\0'), stanza.body);
      if (!opened.ok()) {
        last_error = "no identity matches the file's X25519 recipients";
        continue;
      }
      file_key = std::move(*opened);
      found = true;
      break;
    }
    if (found) break;
  }
  if (!found) return absl::PermissionDeniedError("age: " + last_error);
  auto mac_key = crypto::HkdfSha256(file_key.view(), "", "header", 32);
  if (!mac_key.ok()) return mac_key.status();
  auto mac = crypto::HmacSha256(mac_key->view(), header->mac_input);
  if (!mac.ok()) return mac.status();
  if (!crypto::Equal(*mac, header->mac))
    return absl::InvalidArgumentError("age: header MAC mismatch");

  std::string_view payload = std::string_view(*file).substr(header->payload_offset);
  if (payload.size() < 16)
    return absl::InvalidArgumentError("age: payload too short for its nonce");
  auto payload_key = crypto::HkdfSha256(file_key.view(), payload.substr(0, 16), "payload", 32);
  if (!payload_key.ok()) return payload_key.status();
  payload.remove_prefix(16);
  SecretBytes plaintext;
  std::uint64_t counter = 0;
  do {
    std::size_t chunk = std::min(payload.size(), kChunkSize + kTagSize);
    bool last = chunk == payload.size();
    if (chunk < kTagSize) return absl::InvalidArgumentError("age: truncated payload chunk");
    std::string nonce(12, '\0');
    for (int i = 0; i < 8; ++i) nonce[10 - i] = static_cast<char>((counter >> (8 * i)) & 0xff);
    nonce[11] = last ? 1 : 0;
    auto opened = crypto::ChaChaPolyOpen(payload_key->view(), nonce, payload.substr(0, chunk));
    if (!opened.ok())
      return absl::InvalidArgumentError("age: payload chunk " + std::to_string(counter) +
                                        " failed authentication");
    if (opened->empty() && counter > 0) return absl::InvalidArgumentError("age: empty final chunk");
    plaintext.append(opened->view());
    payload.remove_prefix(chunk);
    ++counter;
  } while (!payload.empty());
  return plaintext;
}

}  // namespace fluxcpp::sops
