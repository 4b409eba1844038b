#include "lib/kustomize/hash.h"

#include <openssl/sha.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "lib/kustomize/yaml_output.h"
#include "lib/manifest/wipe.h"

namespace fluxcpp::kustomize {

using manifest::Json;

namespace {

void AppendGoString(std::string& out, const std::string& text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = text[i];
    switch (c) {
      case '"':
        out += "\\\"";
        continue;
      case '\\':
        out += "\\\\";
        continue;
      case '\n':
        out += "\\n";
        continue;
      case '\r':
        out += "\\r";
        continue;
      case '\t':
        out += "\\t";
        continue;
      default:
        break;
    }
    if (c < 0x20 || c == '<' || c == '>' || c == '&') {
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    } else if (c == 0xE2 && i + 2 < text.size() &&
               static_cast<unsigned char>(text[i + 1]) == 0x80 &&
               (static_cast<unsigned char>(text[i + 2]) == 0xA8 ||
                static_cast<unsigned char>(text[i + 2]) == 0xA9)) {
      out += static_cast<unsigned char>(text[i + 2]) == 0xA8 ? "\\u2028" : "\\u2029";
      i += 2;
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
}

void AppendGoJson(std::string& out, const Json& value) {
  switch (value.type()) {
    case Json::value_t::object: {
      std::vector<const std::string*> keys;
      for (const auto& [key, unused] : value.items()) keys.push_back(&key);
      std::sort(keys.begin(), keys.end(),
                [](const std::string* a, const std::string* b) { return *a < *b; });
      out += '{';
      for (size_t i = 0; i < keys.size(); ++i) {
        if (i > 0) out += ',';
        AppendGoString(out, *keys[i]);
        out += ':';
        AppendGoJson(out, value.at(*keys[i]));
      }
      out += '}';
      return;
    }
    case Json::value_t::array:
      out += '[';
      for (size_t i = 0; i < value.size(); ++i) {
        if (i > 0) out += ',';
        AppendGoJson(out, value[i]);
      }
      out += ']';
      return;
    case Json::value_t::string:
      return AppendGoString(out, value.get_ref<const std::string&>());
    case Json::value_t::number_float:
      // Numbers in data are rare; Go's and go-yaml's shortest forms agree for ordinary values.
      out += FormatGoFloat(value.get<double>());
      return;
    default:
      out += value.dump();
  }
}

// No GoJson text of `value` is longer than this.
size_t GoJsonSizeBound(const Json& value) {
  constexpr size_t kEscapedByte = 6;  // \u00XX
  switch (value.type()) {
    case Json::value_t::object: {
      size_t size = 2;
      for (const auto& [key, child] : value.items()) {
        size += kEscapedByte * key.size() + 4 + GoJsonSizeBound(child);
      }
      return size;
    }
    case Json::value_t::array: {
      size_t size = 2;
      for (const Json& child : value) size += 1 + GoJsonSizeBound(child);
      return size;
    }
    case Json::value_t::string:
      return kEscapedByte * value.get_ref<const std::string&>().size() + 2;
    default:
      return 32 + value.dump().size();
  }
}

// kustomize reads a field for hashing as a string when it is a scalar, "" when absent.
Json FieldForHash(const Json& object, const Json::json_pointer& pointer) {
  if (!object.contains(pointer)) return "";
  const Json& value = object.at(pointer);
  if (value.is_structured()) return value;
  if (value.is_string()) return value;
  if (value.is_null()) return "";
  return value.dump();
}

}  // namespace

std::string GoJson(const Json& value) {
  std::string out;
  AppendGoJson(out, value);
  return out;
}

std::string ContentHash(const manifest::Object& object) {
  const Json& json = object.json();
  Json encoded = Json::object();
  encoded["kind"] = object.Kind();
  // kustomize looks the name up as a single field called "metadata/name", which never exists:
  // the name is always hashed as "".
  encoded["name"] = "";
  encoded["data"] = FieldForHash(json, Json::json_pointer("/data"));
  if (object.Kind() == "Secret") {
    encoded["type"] = FieldForHash(json, Json::json_pointer("/type"));
    if (json.contains("stringData") && json["stringData"].is_object()) {
      encoded["stringData"] = json["stringData"];
    }
  } else if (json.contains("binaryData") && json["binaryData"].is_object()) {
    encoded["binaryData"] = json["binaryData"];
  }
  std::string text;
  // A Secret's data is hashed as text that must not be left in freed memory: the text is
  // reserved at its largest size (every byte escaped as \u00XX) so it never reallocates, and
  // both it and the copy of the data are wiped after hashing.
  bool secret = object.Kind() == "Secret";
  if (secret) text.reserve(GoJsonSizeBound(encoded));
  AppendGoJson(text, encoded);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  if (secret) {
    manifest::WipeString(text);
    manifest::WipeJson(encoded);
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string suffix;
  for (int i = 0; suffix.size() < 10; ++i) {
    suffix += kHex[digest[i] >> 4];
    suffix += kHex[digest[i] & 0xF];
  }
  for (char& c : suffix) {
    switch (c) {
      case '0':
        c = 'g';
        break;
      case '1':
        c = 'h';
        break;
      case '3':
        c = 'k';
        break;
      case 'a':
        c = 'm';
        break;
      case 'e':
        c = 't';
        break;
      default:
        break;
    }
  }
  return suffix;
}

}  // namespace fluxcpp::kustomize
