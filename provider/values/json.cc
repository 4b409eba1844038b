#include "provider/values/json.h"

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

#include "provider/values/path.h"

namespace fluxcpp::provider::values {

namespace {

// nlohmann's tokenizer turns number text into int64, uint64 or a float before anyone sees it, and
// fails on floats that overflow. Tokenizing with long double moves that limit from 1.8e308 to
// 1.2e4932, and its SAX interface hands over the original text of every non-integer number, which
// is what we keep.
using WideJson = nlohmann::basic_json<std::map, std::vector, std::string, bool, std::int64_t,
                                      std::uint64_t, long double>;
using Json = nlohmann::json;

// Numbers are stored in the document as binary values of this subtype holding the number's text:
// JSON itself has no binary values, so nothing else can be mistaken for one.
constexpr std::uint8_t kNumberTextSubtype = 0x4e;

Json NumberText(const std::string& text) {
  return Json::binary(std::vector<std::uint8_t>(text.begin(), text.end()), kNumberTextSubtype);
}

bool IsNumberText(const Json& json) { return json.is_binary(); }

std::string NumberTextOf(const Json& json) {
  const auto& bytes = json.get_binary();
  return std::string(bytes.begin(), bytes.end());
}

// Builds a document from SAX events, numbers as text, refusing deep nesting.
class DocumentBuilder : public nlohmann::json_sax<WideJson> {
 public:
  bool null() override { return Add(nullptr); }
  bool boolean(bool value) override { return Add(value); }
  bool number_integer(number_integer_t value) override {
    return Add(NumberText(std::to_string(value)));
  }
  bool number_unsigned(number_unsigned_t value) override {
    return Add(NumberText(std::to_string(value)));
  }
  bool number_float(number_float_t /*value*/, const string_t& text) override {
    return Add(NumberText(text));
  }
  bool string(string_t& value) override { return Add(std::move(value)); }
  bool binary(binary_t& /*value*/) override { return false; }  // never in JSON text
  bool start_object(std::size_t /*elements*/) override { return Open(Json::object()); }
  bool key(string_t& value) override {
    key_ = std::move(value);
    return true;
  }
  bool end_object() override { return Close(); }
  bool start_array(std::size_t /*elements*/) override { return Open(Json::array()); }
  bool end_array() override { return Close(); }
  bool parse_error(std::size_t /*position*/, const std::string& /*last_token*/,
                   const nlohmann::detail::exception& error) override {
    error_ = error.what();
    return false;
  }

  Json& document() { return document_; }
  const std::string& error() const { return error_; }

 private:
  // Where the next value goes: the root, the end of the open array, or the open object's key.
  Json* Place(Json value) {
    if (open_.empty()) {
      document_ = std::move(value);
      return &document_;
    }
    Json& parent = *open_.back();
    if (parent.is_array()) {
      parent.push_back(std::move(value));
      return &parent.back();
    }
    Json& slot = parent[key_];
    slot = std::move(value);
    return &slot;
  }
  bool Add(Json value) {
    Place(std::move(value));
    return true;
  }
  bool Open(Json container) {
    if (open_.size() >= static_cast<size_t>(kMaxJsonDepth)) {
      error_ = "JSON nested too deeply";
      return false;
    }
    // Pointers to open containers stay valid: only the innermost one grows.
    open_.push_back(Place(std::move(container)));
    return true;
  }
  bool Close() {
    open_.pop_back();
    return true;
  }

  Json document_;
  std::vector<Json*> open_;
  std::string key_;
  std::string error_;
};

std::string KindName(const Json& json) {
  if (IsNumberText(json)) return "number";
  if (json.is_boolean()) return "bool";
  return json.type_name();
}

class Decoder {
 public:
  explicit Decoder(const JsonDecodeOptions& options) : options_(options) {}

  absl::StatusOr<Value> Decode(const Json& json, const Type& type, const Path& path,
                               int depth) const {
    if (depth > kMaxJsonDepth) return PathError(path, "value nested too deeply");
    if (json.is_null()) return Value::Null(type);
    auto mismatch = [&] {
      return PathError(path, "expected " + type.FriendlyName() + ", got " + KindName(json));
    };
    switch (type.kind()) {
      case Type::Kind::kDynamic:
        return DecodeDynamic(json, path, depth);
      case Type::Kind::kString:
        if (json.is_string()) return Value::String(json.get<std::string>());
        // ctyjson converts numbers and bools to their text.
        if (IsNumberText(json)) return Value::String(NumberTextOf(json));
        if (json.is_boolean()) return Value::String(json.get<bool>() ? "true" : "false");
        return mismatch();
      case Type::Kind::kNumber: {
        if (!IsNumberText(json) && !json.is_string()) return mismatch();
        auto number =
            Decimal::Parse(json.is_string() ? json.get<std::string>() : NumberTextOf(json));
        if (!number.ok()) return PathError(path, number.status());
        return Value::Number(*std::move(number));
      }
      case Type::Kind::kBool:
        if (json.is_boolean()) return Value::Bool(json.get<bool>());
        if (json.is_string() && json.get<std::string>() == "true") return Value::Bool(true);
        if (json.is_string() && json.get<std::string>() == "false") return Value::Bool(false);
        return mismatch();
      case Type::Kind::kList:
      case Type::Kind::kSet:
      case Type::Kind::kTuple: {
        if (!json.is_array()) return mismatch();
        if (type.IsTuple() && json.size() != type.TupleElementTypes().size()) {
          return PathError(path, "expected a tuple of " +
                                     std::to_string(type.TupleElementTypes().size()) +
                                     " elements, got " + std::to_string(json.size()));
        }
        std::vector<Value> elements;
        elements.reserve(json.size());
        for (size_t i = 0; i < json.size(); ++i) {
          const Type& element_type =
              type.IsTuple() ? type.TupleElementTypes()[i] : type.ElementType();
          auto element =
              Decode(json[i], element_type, path.Index(static_cast<int64_t>(i)), depth + 1);
          if (!element.ok()) return element.status();
          elements.push_back(*std::move(element));
        }
        if (type.IsTuple()) return Value::Tuple(std::move(elements));
        auto element_type = CommonType(type.ElementType(), elements, path);
        if (!element_type.ok()) return element_type.status();
        if (type.IsSet()) return Value::Set(*element_type, std::move(elements));
        return Value::List(*element_type, std::move(elements));
      }
      case Type::Kind::kMap: {
        if (!json.is_object()) return mismatch();
        std::map<std::string, Value> entries;
        std::vector<Value> for_type;
        for (const auto& [key, entry_json] : json.items()) {
          auto entry = Decode(entry_json, type.ElementType(), path.Key(key), depth + 1);
          if (!entry.ok()) return entry.status();
          if (type.ElementType().HasDynamic()) for_type.push_back(*entry);
          entries.emplace(key, *std::move(entry));
        }
        auto element_type = CommonType(type.ElementType(), for_type, path);
        if (!element_type.ok()) return element_type.status();
        return Value::Map(*element_type, std::move(entries));
      }
      case Type::Kind::kObject: {
        if (!json.is_object()) return mismatch();
        std::map<std::string, Value> attributes;
        for (const auto& [name, attribute_json] : json.items()) {
          const Type* attribute_type = type.AttributeType(name);
          if (attribute_type == nullptr) {
            if (options_.ignore_unknown_attributes) continue;
            return PathError(path, "unsupported attribute \"" + name + "\"");
          }
          auto attribute = Decode(attribute_json, *attribute_type, path.Attribute(name), depth + 1);
          if (!attribute.ok()) return attribute.status();
          attributes.emplace(name, *std::move(attribute));
        }
        // Missing attributes are null, as ctyjson makes them.
        for (const auto& [name, attribute_type] : type.AttributeTypes()) {
          attributes.try_emplace(name, Value::Null(attribute_type));
        }
        if (!type.HasDynamic()) return Value::ObjectOf(type, std::move(attributes));
        return Value::Object(std::move(attributes));
      }
    }
    return absl::InternalError("unreachable");
  }

 private:
  absl::StatusOr<Value> DecodeDynamic(const Json& json, const Path& path, int depth) const {
    if (!json.is_object() || !json.contains("value") || !json.contains("type")) {
      return PathError(path, "expected a dynamic value as {\"value\": ..., \"type\": ...}");
    }
    auto type = Type::FromJson(json["type"]);
    if (!type.ok()) return PathError(path, type.status());
    return Decode(json["value"], *type, path, depth + 1);
  }

  // The concrete element type of a collection whose schema element type may be dynamic.
  static absl::StatusOr<Type> CommonType(const Type& schema, const std::vector<Value>& elements,
                                         const Path& path) {
    if (!schema.HasDynamic()) return schema;
    std::optional<Type> common;
    for (const Value& element : elements) {
      if (element.type().IsDynamic()) continue;
      if (!common) {
        common = element.type();
      } else if (!(*common == element.type())) {
        return PathError(path, "elements of different types: " + common->FriendlyName() + " and " +
                                   element.type().FriendlyName());
      }
    }
    return common.value_or(schema);
  }

  const JsonDecodeOptions& options_;
};

// ---------------------------------------------------------------------------------------------
// Encoding

absl::StatusOr<std::string> Quote(const std::string& text, const Path& path) {
  try {
    return Json(text).dump();
  } catch (const Json::exception&) {
    return PathError(path, "string is not valid UTF-8");
  }
}

absl::Status Encode(std::string& out, const Value& value, const Type& type, const Path& path) {
  if (type.IsDynamic() && !value.type().IsDynamic()) {
    out += "{\"value\":";
    if (auto status = Encode(out, value, value.type(), path); !status.ok()) return status;
    out += ",\"type\":" + value.type().ToJsonString() + "}";
    return absl::OkStatus();
  }
  if (!type.IsDynamic() && !value.type().IsDynamic() && value.type().kind() != type.kind()) {
    return PathError(path,
                     "expected " + type.FriendlyName() + ", got " + value.type().FriendlyName());
  }
  if (!value.IsKnown()) return PathError(path, "unknown values cannot be written as JSON");
  if (value.IsNull()) {
    out += "null";
    return absl::OkStatus();
  }
  // Builders let a collection's type disagree with the schema even when it has no elements.
  if (type.IsCollection() && !Conforms(value.type(), type)) {
    return PathError(path,
                     "expected " + type.FriendlyName() + ", got " + value.type().FriendlyName());
  }
  switch (type.kind()) {
    case Type::Kind::kString: {
      auto quoted = Quote(*value.AsString(), path);
      if (!quoted.ok()) return quoted.status();
      out += *quoted;
      return absl::OkStatus();
    }
    case Type::Kind::kBool:
      out += *value.AsBool() ? "true" : "false";
      return absl::OkStatus();
    case Type::Kind::kNumber: {
      Decimal number = *value.AsNumber();
      if (number.IsInfinite()) return PathError(path, "JSON cannot hold infinity");
      out += number.ToString();
      return absl::OkStatus();
    }
    case Type::Kind::kList:
    case Type::Kind::kSet:
    case Type::Kind::kTuple: {
      const auto& elements = value.Elements();
      if (type.IsTuple() && elements.size() != type.TupleElementTypes().size()) {
        return PathError(path, "expected a tuple of " +
                                   std::to_string(type.TupleElementTypes().size()) +
                                   " elements, got " + std::to_string(elements.size()));
      }
      out += '[';
      for (size_t i = 0; i < elements.size(); ++i) {
        if (i > 0) out += ',';
        const Type& element_type =
            type.IsTuple() ? type.TupleElementTypes()[i] : type.ElementType();
        auto status = Encode(out, elements[i], element_type, path.Index(static_cast<int64_t>(i)));
        if (!status.ok()) return status;
      }
      out += ']';
      return absl::OkStatus();
    }
    case Type::Kind::kMap:
    case Type::Kind::kObject: {
      const auto& entries = value.Entries();
      if (type.IsObject()) {
        for (const auto& [name, entry] : entries) {
          if (type.AttributeType(name) == nullptr) {
            return PathError(path, "unsupported attribute \"" + name + "\"");
          }
        }
        for (const auto& [name, attribute_type] : type.AttributeTypes()) {
          if (!entries.contains(name)) {
            return PathError(path, "missing attribute \"" + name + "\"");
          }
        }
      }
      out += '{';
      bool first = true;
      for (const auto& [key, entry] : entries) {
        if (!first) out += ',';
        first = false;
        Path entry_path = type.IsObject() ? path.Attribute(key) : path.Key(key);
        auto quoted = Quote(key, entry_path);
        if (!quoted.ok()) return quoted.status();
        out += *quoted + ":";
        const Type& entry_type = type.IsObject() ? *type.AttributeType(key) : type.ElementType();
        if (auto status = Encode(out, entry, entry_type, entry_path); !status.ok()) return status;
      }
      out += '}';
      return absl::OkStatus();
    }
    case Type::Kind::kDynamic:
      // A null or unknown of unknown type, handled above.
      break;
  }
  return absl::InternalError("unreachable");
}

}  // namespace

absl::StatusOr<Value> DecodeJson(std::string_view json, const Type& type,
                                 const JsonDecodeOptions& options) {
  DocumentBuilder builder;
  bool parsed = false;
  try {
    parsed = WideJson::sax_parse(json, &builder);
  } catch (const WideJson::exception& error) {
    return absl::InvalidArgumentError(std::string("invalid JSON: ") + error.what());
  }
  if (!parsed) return absl::InvalidArgumentError("invalid JSON: " + builder.error());
  return Decoder(options).Decode(builder.document(), type, Path(), 0);
}

absl::StatusOr<Value> DecodeRawState(std::string_view json, const Type& type) {
  return DecodeJson(json, type, JsonDecodeOptions{.ignore_unknown_attributes = true});
}

absl::StatusOr<std::string> EncodeJson(const Value& value, const Type& type) {
  std::string out;
  if (auto status = Encode(out, value, type, Path()); !status.ok()) return status;
  return out;
}

}  // namespace fluxcpp::provider::values
