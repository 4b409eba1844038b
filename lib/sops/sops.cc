#include "lib/sops/sops.h"

#include <openssl/evp.h>

#include <charconv>
#include <cstdio>
#include <memory>

#include "lib/manifest/yaml.h"
#include "lib/sops/crypto.h"
#include "lib/sops/pgp.h"
#include "re2/re2.h"

namespace fluxcpp::sops {
namespace {

using manifest::Json;

constexpr std::string_view kMapSeparator = "__map_";
constexpr std::string_view kListSeparator = "__list_";
// sops seeds the MAC with these bytes when mac_only_encrypted is set, so the two MAC kinds differ.
constexpr unsigned char kMacOnlyEncryptedSeed[] = {
    0x8a, 0x3f, 0xd2, 0xad, 0x54, 0xce, 0x66, 0x52, 0x7b, 0x10, 0x34, 0xf3, 0xd1, 0x47, 0xbe, 0x0b,
    0x0b, 0x97, 0x5b, 0x3b, 0xf4, 0x4f, 0x72, 0xc6, 0xfd, 0xad, 0xec, 0x81, 0x76, 0xf2, 0x7d, 0x69};

struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

absl::Status Error(std::string_view name, const std::string& message) {
  return absl::InvalidArgumentError(std::string(name) + ": " + message);
}

struct KeyEntry {
  std::string kind;  // "age" or "pgp"
  std::string id;    // recipient or fingerprint
  std::string enc;
};

struct Metadata {
  std::string mac;
  std::string last_modified;
  std::string unencrypted_suffix;
  std::string encrypted_suffix;
  // Go regular expressions (RE2 syntax), as sops compiles them with Go's regexp package.
  std::unique_ptr<const re2::RE2> unencrypted_regex;
  std::unique_ptr<const re2::RE2> encrypted_regex;
  bool mac_only_encrypted = false;
  std::vector<KeyEntry> keys;
};

std::string StringOf(const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  if (value.is_number()) return value.dump();
  return "";
}

absl::Status CollectKeys(const Json& holder, const std::string& where, std::vector<KeyEntry>& keys,
                         std::string_view name) {
  for (const char* kind : {"age", "pgp"}) {
    auto found = holder.find(kind);
    if (found == holder.end() || found->is_null()) continue;
    if (!found->is_array()) return Error(name, where + kind + " must be a list");
    for (const auto& entry : *found) {
      if (!entry.is_object()) return Error(name, where + kind + " entries must be mappings");
      KeyEntry key{kind,
                   StringOf(entry.value(std::string(kind) == "age" ? "recipient" : "fp", Json())),
                   StringOf(entry.value("enc", Json()))};
      if (key.enc.empty()) return Error(name, where + kind + " entry " + key.id + " has no enc");
      keys.push_back(std::move(key));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<Metadata> ReadMetadata(const Json& sops, std::string_view name) {
  if (!sops.is_object()) return Error(name, "sops metadata must be a mapping");
  Metadata metadata;
  metadata.mac = StringOf(sops.value("mac", Json()));
  metadata.last_modified = StringOf(sops.value("lastmodified", Json()));
  if (metadata.mac.empty()) return Error(name, "sops metadata has no mac");
  if (metadata.last_modified.empty()) return Error(name, "sops metadata has no lastmodified");
  metadata.unencrypted_suffix = StringOf(sops.value("unencrypted_suffix", Json()));
  metadata.encrypted_suffix = StringOf(sops.value("encrypted_suffix", Json()));
  for (auto [field, target] : {std::pair{"unencrypted_regex", &metadata.unencrypted_regex},
                               std::pair{"encrypted_regex", &metadata.encrypted_regex}}) {
    std::string pattern = StringOf(sops.value(field, Json()));
    if (pattern.empty()) continue;
    re2::RE2::Options options;
    options.set_log_errors(false);
    auto compiled = std::make_unique<const re2::RE2>(pattern, options);
    if (!compiled->ok()) {
      return Error(name, std::string("sops.") + field +
                             " is not a valid regular expression: " + compiled->error());
    }
    *target = std::move(compiled);
  }
  for (const char* field : {"unencrypted_comment_regex", "encrypted_comment_regex"}) {
    if (!StringOf(sops.value(field, Json())).empty()) {
      return Error(name, std::string("sops.") + field + " is not supported");
    }
  }
  std::string mac_only = StringOf(sops.value("mac_only_encrypted", Json()));
  metadata.mac_only_encrypted = mac_only == "true" || mac_only == "True";
  if (auto status = CollectKeys(sops, "sops.", metadata.keys, name); !status.ok()) return status;
  if (auto groups = sops.find("key_groups"); groups != sops.end() && !groups->is_null()) {
    if (!groups->is_array()) return Error(name, "sops.key_groups must be a list");
    if (groups->size() > 1) {
      return Error(name, "sops.key_groups with Shamir secret sharing (" +
                             std::to_string(groups->size()) + " groups) is not supported");
    }
    for (const auto& group : *groups) {
      if (!group.is_object()) return Error(name, "sops.key_groups entries must be mappings");
      if (auto status = CollectKeys(group, "sops.key_groups[].", metadata.keys, name); !status.ok())
        return status;
    }
  }
  return metadata;
}

// Parses ENC[AES256_GCM,data:…,iv:…,tag:…,type:…].
struct EncryptedValue {
  std::string data, iv, tag, type;
};

std::optional<EncryptedValue> ParseEncryptedValue(std::string_view text) {
  constexpr std::string_view kPrefix = "ENC[AES256_GCM,";
  if (text.substr(0, kPrefix.size()) != kPrefix || text.empty() || text.back() != ']')
    return std::nullopt;
  std::string_view body = text.substr(kPrefix.size(), text.size() - kPrefix.size() - 1);
  EncryptedValue value;
  std::string* targets[] = {&value.data, &value.iv, &value.tag, &value.type};
  const char* labels[] = {"data:", "iv:", "tag:", "type:"};
  for (int i = 0; i < 4; ++i) {
    std::string_view label = labels[i];
    if (body.substr(0, label.size()) != label) return std::nullopt;
    body.remove_prefix(label.size());
    auto comma = i < 3 ? body.find(',') : body.size();
    if (comma == std::string_view::npos) return std::nullopt;
    std::string_view field = body.substr(0, comma);
    if (i < 3) {
      auto decoded = Base64Decode(field, true);
      if (!decoded.ok()) return std::nullopt;
      *targets[i] = std::move(*decoded);
      body.remove_prefix(comma + 1);
    } else {
      *targets[i] = std::string(field);
    }
  }
  return value;
}

absl::StatusOr<SecretBytes> DecryptValue(std::string_view text, const SecretBytes& data_key,
                                         std::string_view additional_data, std::string* type) {
  auto parsed = ParseEncryptedValue(text);
  if (!parsed)
    return absl::InvalidArgumentError("value does not match sops' ENC[AES256_GCM,…] format");
  *type = parsed->type;
  return crypto::AesGcmOpen(data_key.view(), parsed->iv, parsed->data, parsed->tag,
                            additional_data);
}

std::string FormatFloat(double value) {
  // Go's strconv.FormatFloat(v, 'f', -1, 64): the shortest digits that round-trip, never an
  // exponent.
  char buffer[400];
  auto result = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed);
  return std::string(buffer, result.ptr);
}

// The bytes sops feeds the MAC for an unencrypted (or decrypted) value.
std::optional<std::string> MacBytes(const Json& value) {
  switch (value.type()) {
    case Json::value_t::string:
      return value.get_ref<const std::string&>();
    case Json::value_t::number_integer:
      return std::to_string(value.get<std::int64_t>());
    case Json::value_t::number_unsigned:
      return std::to_string(value.get<std::uint64_t>());
    case Json::value_t::number_float:
      return FormatFloat(value.get<double>());
    case Json::value_t::boolean:
      return std::string(value.get<bool>() ? "True" : "False");
    default:
      return std::nullopt;
  }
}

std::string PathLabel(const std::vector<std::string>& path) {
  std::string label;
  for (const auto& key : path) label += (label.empty() ? "" : ".") + key;
  return label.empty() ? "(root)" : label;
}

class TreeDecryptor {
 public:
  TreeDecryptor(const Metadata& metadata, const SecretBytes& data_key, std::string_view name)
      : metadata_(metadata), data_key_(data_key), name_(name), hash_(EVP_MD_CTX_new()) {}

  absl::Status Start() {
    if (!hash_ || EVP_DigestInit_ex(hash_.get(), EVP_sha512(), nullptr) <= 0) {
      return absl::InternalError("SHA-512 is not available");
    }
    if (metadata_.mac_only_encrypted)
      Hash(std::string_view(reinterpret_cast<const char*>(kMacOnlyEncryptedSeed),
                            sizeof kMacOnlyEncryptedSeed));
    return absl::OkStatus();
  }

  absl::Status Walk(Json& value, std::vector<std::string>& path) {
    if (value.is_object()) {
      for (auto& [key, child] : value.items()) {
        path.push_back(key);
        auto status = Walk(child, path);
        path.pop_back();
        if (!status.ok()) return status;
      }
      return absl::OkStatus();
    }
    if (value.is_array()) {
      // List items share their parent's path, as in sops.
      for (auto& child : value) {
        if (auto status = Walk(child, path); !status.ok()) return status;
      }
      return absl::OkStatus();
    }
    if (value.is_null()) return absl::OkStatus();
    bool encrypted = ShouldBeEncrypted(path);
    if (encrypted) {
      if (!value.is_string()) {
        return Error(name_, "value at " + PathLabel(path) + " should be encrypted but is a " +
                                value.type_name());
      }
      auto& text = value.get_ref<std::string&>();
      if (text.empty()) return absl::OkStatus();  // sops leaves empty strings as they are
      std::string additional_data;
      for (const auto& key : path) additional_data += key + ":";
      std::string type;
      auto plain = DecryptValue(text, data_key_, additional_data, &type);
      if (!plain.ok()) {
        return Error(name_, "cannot decrypt the value at " + PathLabel(path) + ": " +
                                std::string(plain.status().message()));
      }
      auto typed = Restore(*plain, type, path);
      if (!typed.ok()) return typed.status();
      WipeString(text);
      value = std::move(*typed);
      if (type == "comment") return absl::OkStatus();
      if (type == "time" || type == "bytes" || type == "str") {
        Hash(plain->view());
        return absl::OkStatus();
      }
    }
    if (!metadata_.mac_only_encrypted || encrypted) {
      if (auto bytes = MacBytes(value)) {
        Hash(*bytes);
        WipeString(*bytes);
      }
    }
    return absl::OkStatus();
  }

  absl::Status Verify() {
    std::string digest(64, '\0');
    unsigned int length = 0;
    if (EVP_DigestFinal_ex(hash_.get(), reinterpret_cast<unsigned char*>(digest.data()), &length) <=
        0) {
      return absl::InternalError("SHA-512 failed");
    }
    std::string hex;
    char buffer[3];
    for (unsigned char c : digest) {
      std::snprintf(buffer, sizeof buffer, "%02X", c);
      hex += buffer;
    }
    std::string type;
    auto stored = DecryptValue(metadata_.mac, data_key_, metadata_.last_modified, &type);
    if (!stored.ok()) {
      return absl::DataLossError(std::string(name_) + ": cannot decrypt the MAC: " +
                                 std::string(stored.status().message()));
    }
    if (!crypto::Equal(stored->view(), hex)) {
      return absl::DataLossError(std::string(name_) +
                                 ": MAC mismatch: the file was modified after it was encrypted");
    }
    return absl::OkStatus();
  }

 private:
  bool ShouldBeEncrypted(const std::vector<std::string>& path) const {
    auto ends_with = [](const std::string& key, const std::string& suffix) {
      return key.size() >= suffix.size() &&
             key.compare(key.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    bool encrypted = true;
    if (!metadata_.unencrypted_suffix.empty()) {
      for (const auto& key : path) {
        if (ends_with(key, metadata_.unencrypted_suffix)) encrypted = false;
      }
    }
    if (!metadata_.encrypted_suffix.empty()) {
      encrypted = false;
      for (const auto& key : path) {
        if (ends_with(key, metadata_.encrypted_suffix)) encrypted = true;
      }
    }
    if (metadata_.unencrypted_regex) {
      for (const auto& key : path) {
        if (re2::RE2::PartialMatch(key, *metadata_.unencrypted_regex)) encrypted = false;
      }
    }
    if (metadata_.encrypted_regex) {
      encrypted = false;
      for (const auto& key : path) {
        if (re2::RE2::PartialMatch(key, *metadata_.encrypted_regex)) {
          encrypted = true;
          break;
        }
      }
    }
    return encrypted;
  }

  absl::StatusOr<Json> Restore(const SecretBytes& plain, const std::string& type,
                               const std::vector<std::string>& path) const {
    std::string_view text = plain.view();
    auto bad = [&](const char* what) {
      return Error(name_, "the value at " + PathLabel(path) + " is not a valid " + what);
    };
    if (type == "str" || type == "bytes" || type == "time" || type == "comment")
      return Json(std::string(text));
    if (type == "int") {
      std::int64_t number = 0;
      std::string_view digits = text.substr(!text.empty() && text.front() == '+' ? 1 : 0);
      auto result = std::from_chars(digits.data(), digits.data() + digits.size(), number);
      if (result.ec != std::errc() || result.ptr != digits.data() + digits.size())
        return bad("int");
      return Json(number);
    }
    if (type == "float") {
      double number = 0;
      auto result = std::from_chars(text.data(), text.data() + text.size(), number);
      if (result.ec != std::errc() || result.ptr != text.data() + text.size()) return bad("float");
      return Json(number);
    }
    if (type == "bool") {
      if (text == "1" || text == "t" || text == "T" || text == "TRUE" || text == "true" ||
          text == "True") {
        return Json(true);
      }
      if (text == "0" || text == "f" || text == "F" || text == "FALSE" || text == "false" ||
          text == "False") {
        return Json(false);
      }
      return bad("bool");
    }
    return Error(name_, "the value at " + PathLabel(path) + " has the unknown type " + type);
  }

  void Hash(std::string_view bytes) { EVP_DigestUpdate(hash_.get(), bytes.data(), bytes.size()); }

  const Metadata& metadata_;
  const SecretBytes& data_key_;
  std::string_view name_;
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> hash_;
};

absl::StatusOr<SecretBytes> RecoverDataKey(const Metadata& metadata, const KeyRing& keys,
                                           std::string_view name) {
  if (metadata.keys.empty()) return Error(name, "the sops metadata names no age or pgp key");
  std::string failures;
  for (const auto& entry : metadata.keys) {
    absl::StatusOr<SecretBytes> key = absl::UnknownError("unset");
    std::string label;
    if (entry.kind == "age") {
      label = "age recipient " + entry.id;
      if (keys.age().empty()) {
        key = absl::PermissionDeniedError("no age identity was given");
      } else {
        key = AgeDecrypt(entry.enc, keys.age());
      }
    } else {
      label = "pgp key " + entry.id;
      key = PgpDecrypt(entry.enc, keys, entry.id);
    }
    if (key.ok() && key->size() == 32) return key;
    failures += (failures.empty() ? "" : "; ") + label + ": " +
                (key.ok() ? std::string("the decrypted data key is not 32 bytes")
                          : std::string(key.status().message()));
  }
  return absl::PermissionDeniedError(std::string(name) +
                                     ": cannot recover the SOPS data key: " + failures);
}

// Splits a flattened dotenv metadata key (age__list_0__map_enc) into object keys and list indexes.
absl::Status Unflatten(Json& root, std::string_view key, std::string value, std::string_view name) {
  Json* node = &root;
  std::size_t next = std::min(key.find(kMapSeparator), key.find(kListSeparator));
  std::string first(key.substr(0, next));
  node = &(*node)[first];
  key = next == std::string_view::npos ? std::string_view() : key.substr(next);
  while (!key.empty()) {
    bool is_map = key.substr(0, kMapSeparator.size()) == kMapSeparator;
    key.remove_prefix(is_map ? kMapSeparator.size() : kListSeparator.size());
    next = std::min(key.find(kMapSeparator), key.find(kListSeparator));
    std::string token(key.substr(0, next));
    key = next == std::string_view::npos ? std::string_view() : key.substr(next);
    if (is_map) {
      if (!node->is_null() && !node->is_object())
        return Error(name, "inconsistent flattened sops metadata");
      node = &(*node)[token];
    } else {
      std::size_t index = 0;
      auto result = std::from_chars(token.data(), token.data() + token.size(), index);
      if (result.ec != std::errc() || result.ptr != token.data() + token.size() || index > 1000) {
        return Error(name, "malformed list index in flattened sops metadata");
      }
      if (!node->is_null() && !node->is_array())
        return Error(name, "inconsistent flattened sops metadata");
      if (node->is_null()) *node = Json::array();
      while (node->size() <= index) node->push_back(Json());
      node = &(*node)[index];
    }
  }
  *node = std::move(value);
  return absl::OkStatus();
}

absl::StatusOr<Json> ParseDotenv(std::string_view text, std::string_view name) {
  Json document = Json::object();
  Json metadata = Json::object();
  std::size_t offset = 0;
  while (offset <= text.size()) {
    auto end = text.find('\n', offset);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(offset, end - offset);
    offset = end + 1;
    if (line.empty() || line.front() == '#') continue;  // comments carry no value and no MAC bytes
    auto equals = line.find('=');
    if (equals == std::string_view::npos) return Error(name, "invalid dotenv line (no '=')");
    std::string key(line.substr(0, equals));
    std::string value;
    std::string_view raw = line.substr(equals + 1);
    for (std::size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '\\' && i + 1 < raw.size() && raw[i + 1] == 'n') {
        value.push_back('\n');
        ++i;
      } else {
        value.push_back(raw[i]);
      }
    }
    if (key.rfind("sops_", 0) == 0) {
      if (auto status =
              Unflatten(metadata, std::string_view(key).substr(5), std::move(value), name);
          !status.ok()) {
        return status;
      }
    } else {
      document[key] = std::move(value);
    }
  }
  if (!metadata.empty()) document["sops"] = std::move(metadata);
  return document;
}

bool HasSopsMac(const Json& document) {
  if (!document.is_object()) return false;
  auto found = document.find("sops");
  return found != document.end() && found->is_object() && found->contains("mac");
}

}  // namespace

Format FormatFromPath(std::string_view path) {
  auto ends_with = [&](std::string_view suffix) {
    return path.size() >= suffix.size() && path.substr(path.size() - suffix.size()) == suffix;
  };
  if (ends_with(".yaml") || ends_with(".yml")) return Format::kYaml;
  if (ends_with(".json")) return Format::kJson;
  if (ends_with(".env")) return Format::kDotenv;
  return Format::kBinary;
}

absl::Status KeyRing::AddAgeKeys(std::string_view text, std::string_view source) {
  auto identities = ParseAgeIdentities(text, source);
  if (!identities.ok()) return identities.status();
  for (auto& identity : *identities) age_.push_back(std::move(identity));
  return absl::OkStatus();
}

void KeyRing::AddPgpKey(std::string_view armored, std::string_view source) {
  pgp_.push_back(PgpKey{SecretBytes(armored), std::string(source)});
}

bool IsEncrypted(const Json& document) {
  if (!document.is_object()) return false;
  auto found = document.find("sops");
  return found != document.end() && found->is_object();
}

bool IsEncrypted(std::string_view text, Format format) {
  if (format == Format::kDotenv) {
    return text.find("sops_mac=") != std::string_view::npos;
  }
  auto parsed = ParseEncrypted(text, format, "document");
  if (!parsed.ok()) return false;
  if (parsed->is_array()) {
    for (const auto& document : *parsed) {
      if (HasSopsMac(document)) return true;
    }
    return false;
  }
  return HasSopsMac(*parsed);
}

absl::StatusOr<Json> ParseEncrypted(std::string_view text, Format format, std::string_view name) {
  Json document;
  switch (format) {
    case Format::kYaml: {
      manifest::ParseOptions options;
      options.typing = manifest::ScalarTyping::kKustomize;  // sops reads YAML with go-yaml v3
      auto documents = manifest::ParseYamlDocuments(text, name, options);
      if (!documents.ok()) return documents.status();
      if (documents->empty()) return Error(name, "the document is empty");
      if (documents->size() == 1) {
        document = std::move(documents->front().json);
      } else {
        document = Json::array();
        for (auto& each : *documents) document.push_back(std::move(each.json));
      }
      break;
    }
    case Format::kJson:
    case Format::kBinary:
      document = Json::parse(text.begin(), text.end(), nullptr, false);
      if (document.is_discarded()) return Error(name, "not valid JSON");
      if (format == Format::kBinary && (!document.is_object() || !document.contains("data"))) {
        return Error(name, "a SOPS binary document must be JSON with a data field");
      }
      break;
    case Format::kDotenv: {
      auto parsed = ParseDotenv(text, name);
      if (!parsed.ok()) return parsed.status();
      document = std::move(*parsed);
      break;
    }
  }
  const Json* holder = nullptr;
  if (document.is_array()) {
    for (const auto& each : document) {
      if (IsEncrypted(each)) holder = &each;
    }
  } else if (IsEncrypted(document)) {
    holder = &document;
  }
  if (holder == nullptr) return Error(name, "not SOPS-encrypted: no sops metadata");
  if (auto metadata = ReadMetadata((*holder)["sops"], name); !metadata.ok())
    return metadata.status();
  return document;
}

absl::Status DecryptTree(Json& document, const KeyRing& keys, std::string_view name) {
  std::vector<Json*> branches;
  const Json* metadata_holder = nullptr;
  if (document.is_array()) {
    for (auto& each : document) {
      branches.push_back(&each);
      if (IsEncrypted(each) && metadata_holder == nullptr) metadata_holder = &each;
    }
  } else {
    branches.push_back(&document);
    if (IsEncrypted(document)) metadata_holder = &document;
  }
  if (metadata_holder == nullptr) return Error(name, "not SOPS-encrypted: no sops metadata");
  auto metadata = ReadMetadata(metadata_holder->at("sops"), name);
  if (!metadata.ok()) return metadata.status();
  for (auto* branch : branches) {
    if (branch->is_object()) branch->erase("sops");
  }
  auto data_key = RecoverDataKey(*metadata, keys, name);
  if (!data_key.ok()) return data_key.status();
  TreeDecryptor decryptor(*metadata, *data_key, name);
  if (auto status = decryptor.Start(); !status.ok()) return status;
  for (auto* branch : branches) {
    std::vector<std::string> path;
    if (auto status = decryptor.Walk(*branch, path); !status.ok()) return status;
  }
  return decryptor.Verify();
}

absl::StatusOr<SecretBytes> DecryptDocument(std::string_view text, Format format,
                                            const KeyRing& keys, std::string_view name) {
  auto document = ParseEncrypted(text, format, name);
  if (!document.ok()) return document.status();
  struct Wiper {
    Json& json;
    ~Wiper() { WipeJson(json); }
  } wiper{*document};
  if (auto status = DecryptTree(*document, keys, name); !status.ok()) return status;
  std::string out;
  switch (format) {
    case Format::kYaml:
      if (document->is_array()) {
        for (const auto& each : *document) {
          if (!out.empty()) out += "---\n";
          out += manifest::ToYaml(each);
        }
      } else {
        out = manifest::ToYaml(*document);
      }
      break;
    case Format::kJson:
      out = document->dump(4);
      out += '\n';
      break;
    case Format::kBinary: {
      const Json& data = document->at("data");
      if (!data.is_string()) return Error(name, "the data of a binary document is not a string");
      out = data.get<std::string>();
      break;
    }
    case Format::kDotenv:
      for (const auto& [key, value] : document->items()) {
        std::string line = key + "=";
        std::string plain = value.is_string() ? value.get<std::string>() : value.dump();
        for (char c : plain) {
          if (c == '\n') {
            line += "\\n";
          } else {
            line.push_back(c);
          }
        }
        WipeString(plain);
        out += line + "\n";
        WipeString(line);
      }
      break;
  }
  return SecretBytes(std::move(out));
}

}  // namespace fluxcpp::sops
