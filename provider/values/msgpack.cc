#include "provider/values/msgpack.h"

#include <cmath>
#include <set>
#include <utility>
#include <vector>

#include "provider/values/msgpack_stream.h"
#include "provider/values/path.h"

namespace fluxcpp::provider::values {

namespace {

// The extension type of an unknown value with refinements, and the refinement keys.
constexpr int8_t kRefinedUnknownExtension = 12;
constexpr int64_t kRefinementNullness = 1;
constexpr int64_t kRefinementStringPrefix = 2;
constexpr int64_t kRefinementNumberLower = 3;
constexpr int64_t kRefinementNumberUpper = 4;
constexpr int64_t kRefinementLengthLower = 5;
constexpr int64_t kRefinementLengthUpper = 6;

// Adds the path to a status from a lower layer (the reader, the number parser).
absl::Status AtPath(const Path& path, const absl::Status& status) {
  return PathError(path, status);
}

// ---------------------------------------------------------------------------------------------
// Encoding

void WriteNumber(MsgpackWriter& writer, const Decimal& number) {
  if (auto integer = number.ToInt64(); integer.ok()) {
    writer.WriteInt(*integer);
  } else if (number.IsExactDouble()) {
    writer.WriteFloat64(*number.ToDouble());
  } else {
    writer.WriteString(number.ToString());
  }
}

// The refinements that apply to `type`, as cty's map with integer keys in ascending order; empty
// when none apply.
std::string RefinementBody(const Refinements& refinements, const Type& type) {
  MsgpackWriter body;
  size_t count = 0;
  MsgpackWriter entries;
  if (refinements.definitely_not_null) {
    entries.WriteInt(kRefinementNullness);
    entries.WriteBool(false);
    ++count;
  }
  if (type.kind() == Type::Kind::kString && refinements.string_prefix.has_value() &&
      !refinements.string_prefix->empty()) {
    entries.WriteInt(kRefinementStringPrefix);
    entries.WriteString(*refinements.string_prefix);
    ++count;
  }
  if (type.kind() == Type::Kind::kNumber) {
    for (auto [key, bound] : {std::pair{kRefinementNumberLower, &refinements.number_lower},
                              std::pair{kRefinementNumberUpper, &refinements.number_upper}}) {
      if (!bound->has_value()) continue;
      entries.WriteInt(key);
      entries.WriteArrayHeader(2);
      WriteNumber(entries, (*bound)->value);
      entries.WriteBool((*bound)->inclusive);
      ++count;
    }
  }
  if (type.IsCollection()) {
    for (auto [key, bound] : {std::pair{kRefinementLengthLower, &refinements.length_lower},
                              std::pair{kRefinementLengthUpper, &refinements.length_upper}}) {
      if (!bound->has_value()) continue;
      entries.WriteInt(key);
      entries.WriteInt(**bound);
      ++count;
    }
  }
  if (count == 0) return "";
  body.WriteMapHeader(count);
  return body.Release() + entries.Release();
}

void WriteUnknown(MsgpackWriter& writer, const Value& value, const Type& type,
                  const MsgpackEncodeOptions& options) {
  if (options.write_refinements) {
    // cty never sends type 12 with an empty map: no refinements is the plain unknown below.
    std::string body = RefinementBody(value.refinements(), type);
    if (!body.empty()) {
      writer.WriteExtension(kRefinedUnknownExtension, body);
      return;
    }
  }
  writer.WriteExtension(0, std::string_view("\0", 1));
}

absl::Status Encode(MsgpackWriter& writer, const Value& value, const Type& type, const Path& path,
                    const MsgpackEncodeOptions& options) {
  if (type.IsDynamic()) {
    if (value.type().IsDynamic()) {
      // Null or unknown of unknown type: bare, without the wrapper.
      if (!value.IsKnown()) {
        WriteUnknown(writer, value, type, options);
      } else {
        writer.WriteNil();
      }
      return absl::OkStatus();
    }
    writer.WriteArrayHeader(2);
    writer.WriteBinary(value.type().ToJsonString());
    return Encode(writer, value, value.type(), path, options);
  }
  // A null or unknown of unknown type fits anywhere; anything else must be of the schema's kind.
  if (!value.type().IsDynamic() && value.type().kind() != type.kind()) {
    return PathError(path,
                     "expected " + type.FriendlyName() + ", got " + value.type().FriendlyName());
  }
  if (!value.IsKnown()) {
    WriteUnknown(writer, value, type, options);
    return absl::OkStatus();
  }
  if (value.IsNull()) {
    writer.WriteNil();
    return absl::OkStatus();
  }
  // Builders let a collection's type disagree with the schema even when it has no elements.
  if (type.IsCollection() && !Conforms(value.type(), type)) {
    return PathError(path,
                     "expected " + type.FriendlyName() + ", got " + value.type().FriendlyName());
  }
  switch (type.kind()) {
    case Type::Kind::kString:
      writer.WriteString(*value.AsString());
      return absl::OkStatus();
    case Type::Kind::kBool:
      writer.WriteBool(*value.AsBool());
      return absl::OkStatus();
    case Type::Kind::kNumber:
      WriteNumber(writer, *value.AsNumber());
      return absl::OkStatus();
    case Type::Kind::kList:
    case Type::Kind::kSet: {
      const auto& elements = value.Elements();
      writer.WriteArrayHeader(elements.size());
      for (size_t i = 0; i < elements.size(); ++i) {
        auto status = Encode(writer, elements[i], type.ElementType(),
                             path.Index(static_cast<int64_t>(i)), options);
        if (!status.ok()) return status;
      }
      return absl::OkStatus();
    }
    case Type::Kind::kTuple: {
      const auto& elements = value.Elements();
      const auto& types = type.TupleElementTypes();
      if (elements.size() != types.size()) {
        return PathError(path, "expected a tuple of " + std::to_string(types.size()) +
                                   " elements, got " + std::to_string(elements.size()));
      }
      writer.WriteArrayHeader(elements.size());
      for (size_t i = 0; i < elements.size(); ++i) {
        auto status =
            Encode(writer, elements[i], types[i], path.Index(static_cast<int64_t>(i)), options);
        if (!status.ok()) return status;
      }
      return absl::OkStatus();
    }
    case Type::Kind::kMap: {
      const auto& entries = value.Entries();
      writer.WriteMapHeader(entries.size());
      for (const auto& [key, entry] : entries) {
        writer.WriteString(key);
        auto status = Encode(writer, entry, type.ElementType(), path.Key(key), options);
        if (!status.ok()) return status;
      }
      return absl::OkStatus();
    }
    case Type::Kind::kObject: {
      const auto& entries = value.Entries();
      for (const auto& [name, entry] : entries) {
        if (type.AttributeType(name) == nullptr) {
          return PathError(path, "unsupported attribute \"" + name + "\"");
        }
      }
      const auto& attributes = type.AttributeTypes();
      writer.WriteMapHeader(attributes.size());
      for (const auto& [name, attribute_type] : attributes) {
        auto it = entries.find(name);
        if (it == entries.end()) return PathError(path, "missing attribute \"" + name + "\"");
        writer.WriteString(name);
        auto status = Encode(writer, it->second, attribute_type, path.Attribute(name), options);
        if (!status.ok()) return status;
      }
      return absl::OkStatus();
    }
    case Type::Kind::kDynamic:
      break;
  }
  return absl::InternalError("unreachable");
}

// ---------------------------------------------------------------------------------------------
// Decoding

class Decoder {
 public:
  explicit Decoder(std::string_view bytes) : reader_(bytes) {}

  absl::StatusOr<Value> DecodeDocument(const Type& type) {
    auto value = Decode(type, Path(), 0);
    if (!value.ok()) return value;
    if (!reader_.AtEnd()) {
      return absl::InvalidArgumentError("msgpack: " + std::to_string(reader_.position()) +
                                        " bytes form a complete value, but more follow");
    }
    return value;
  }

 private:
  absl::Status Mismatch(const Type& type, const Path& path) const {
    return PathError(path, "expected " + type.FriendlyName() + ", got " +
                               std::string(MsgpackFamilyName(reader_.Peek())));
  }

  absl::StatusOr<Value> Decode(const Type& type, const Path& path, int depth) {
    if (depth > kMaxMsgpackDepth) return PathError(path, "value nested too deeply");
    const MsgpackFamily family = reader_.Peek();
    if (family == MsgpackFamily::kExtension) return DecodeUnknown(type, path);
    if (type.IsDynamic()) return DecodeDynamic(path, depth);
    if (family == MsgpackFamily::kNil) {
      (void)reader_.ReadNil();
      return Value::Null(type);
    }
    switch (type.kind()) {
      case Type::Kind::kString: {
        // vmihailenco/msgpack, and so cty, reads bin as a string too.
        if (family != MsgpackFamily::kString && family != MsgpackFamily::kBinary) {
          return Mismatch(type, path);
        }
        auto text = family == MsgpackFamily::kString ? reader_.ReadString() : reader_.ReadBinary();
        if (!text.ok()) return AtPath(path, text.status());
        return Value::String(std::string(*text));
      }
      case Type::Kind::kBool: {
        if (family != MsgpackFamily::kBool) return Mismatch(type, path);
        return Value::Bool(*reader_.ReadBool());
      }
      case Type::Kind::kNumber: {
        auto number = DecodeNumber(reader_, path);
        if (!number.ok()) return number.status();
        return Value::Number(*std::move(number));
      }
      case Type::Kind::kList:
      case Type::Kind::kSet:
        return DecodeCollection(type, path, depth);
      case Type::Kind::kMap:
        return DecodeMap(type, path, depth);
      case Type::Kind::kTuple:
        return DecodeTuple(type, path, depth);
      case Type::Kind::kObject:
        return DecodeObject(type, path, depth);
      case Type::Kind::kDynamic:
        break;
    }
    return absl::InternalError("unreachable");
  }

 public:
  // Any int or float width, or decimal text.
  static absl::StatusOr<Decimal> DecodeNumber(MsgpackReader& reader, const Path& path) {
    const MsgpackFamily family = reader.Peek();
    if (family == MsgpackFamily::kString) {
      auto text = reader.ReadString();
      if (!text.ok()) return AtPath(path, text.status());
      auto number = Decimal::Parse(*text);
      if (!number.ok()) return AtPath(path, number.status());
      return number;
    }
    if (family != MsgpackFamily::kInt && family != MsgpackFamily::kFloat) {
      return PathError(path, "expected number, got " + std::string(MsgpackFamilyName(family)));
    }
    auto number = reader.ReadNumber();
    if (!number.ok()) return AtPath(path, number.status());
    switch (number->kind) {
      case MsgpackNumber::Kind::kSigned:
        return Decimal::FromInt64(number->signed_value);
      case MsgpackNumber::Kind::kUnsigned:
        return Decimal::FromUint64(number->unsigned_value);
      case MsgpackNumber::Kind::kFloat: {
        auto decimal = Decimal::FromDouble(number->float_value);
        if (!decimal.ok()) return AtPath(path, decimal.status());
        return decimal;
      }
    }
    return absl::InternalError("unreachable");
  }

 private:
  absl::StatusOr<Value> DecodeDynamic(const Path& path, int depth) {
    if (reader_.Peek() == MsgpackFamily::kNil) {
      (void)reader_.ReadNil();
      return Value::Null(Type::Dynamic());
    }
    auto count = reader_.ReadArrayHeader();
    if (!count.ok() || *count != 2) {
      return PathError(path, "expected a dynamic value as [type, value]");
    }
    // cty writes the type as bin; accept str too.
    auto type_json =
        reader_.Peek() == MsgpackFamily::kString ? reader_.ReadString() : reader_.ReadBinary();
    if (!type_json.ok()) return AtPath(path, type_json.status());
    auto type = Type::FromJsonString(*type_json);
    if (!type.ok()) return AtPath(path, type.status());
    return Decode(*type, path, depth + 1);
  }

  absl::StatusOr<Value> DecodeCollection(const Type& type, const Path& path, int depth) {
    if (reader_.Peek() != MsgpackFamily::kArray) return Mismatch(type, path);
    auto count = reader_.ReadArrayHeader();
    if (!count.ok()) return AtPath(path, count.status());
    std::vector<Value> elements;
    elements.reserve(*count);
    auto element_type = ElementTypeTracker(type.ElementType());
    for (size_t i = 0; i < *count; ++i) {
      Path element_path = path.Index(static_cast<int64_t>(i));
      auto element = Decode(type.ElementType(), element_path, depth + 1);
      if (!element.ok()) return element.status();
      if (auto status = element_type.Add(element->type(), element_path); !status.ok()) {
        return status;
      }
      elements.push_back(*std::move(element));
    }
    if (type.IsSet()) return Value::Set(element_type.type(), std::move(elements));
    return Value::List(element_type.type(), std::move(elements));
  }

  absl::StatusOr<Value> DecodeMap(const Type& type, const Path& path, int depth) {
    if (reader_.Peek() != MsgpackFamily::kMap) return Mismatch(type, path);
    auto count = reader_.ReadMapHeader();
    if (!count.ok()) return AtPath(path, count.status());
    std::map<std::string, Value> entries;
    auto element_type = ElementTypeTracker(type.ElementType());
    for (size_t i = 0; i < *count; ++i) {
      auto key = reader_.ReadString();
      if (!key.ok()) return PathError(path, "map keys must be strings");
      Path entry_path = path.Key(*key);
      auto entry = Decode(type.ElementType(), entry_path, depth + 1);
      if (!entry.ok()) return entry.status();
      if (auto status = element_type.Add(entry->type(), entry_path); !status.ok()) return status;
      if (!entries.emplace(std::string(*key), *std::move(entry)).second) {
        return PathError(entry_path, "duplicate key");
      }
    }
    return Value::Map(element_type.type(), std::move(entries));
  }

  absl::StatusOr<Value> DecodeTuple(const Type& type, const Path& path, int depth) {
    if (reader_.Peek() != MsgpackFamily::kArray) return Mismatch(type, path);
    auto count = reader_.ReadArrayHeader();
    if (!count.ok()) return AtPath(path, count.status());
    const auto& types = type.TupleElementTypes();
    if (*count != types.size()) {
      return PathError(path, "expected a tuple of " + std::to_string(types.size()) +
                                 " elements, got " + std::to_string(*count));
    }
    std::vector<Value> elements;
    elements.reserve(*count);
    for (size_t i = 0; i < *count; ++i) {
      auto element = Decode(types[i], path.Index(static_cast<int64_t>(i)), depth + 1);
      if (!element.ok()) return element.status();
      elements.push_back(*std::move(element));
    }
    return Value::Tuple(std::move(elements));
  }

  absl::StatusOr<Value> DecodeObject(const Type& type, const Path& path, int depth) {
    if (reader_.Peek() != MsgpackFamily::kMap) return Mismatch(type, path);
    auto count = reader_.ReadMapHeader();
    if (!count.ok()) return AtPath(path, count.status());
    std::map<std::string, Value> attributes;
    for (size_t i = 0; i < *count; ++i) {
      auto name = reader_.ReadString();
      if (!name.ok()) return PathError(path, "object attribute names must be strings");
      const Type* attribute_type = type.AttributeType(*name);
      if (attribute_type == nullptr) {
        return PathError(path, "unsupported attribute \"" + std::string(*name) + "\"");
      }
      Path attribute_path = path.Attribute(*name);
      auto attribute = Decode(*attribute_type, attribute_path, depth + 1);
      if (!attribute.ok()) return attribute.status();
      if (!attributes.emplace(std::string(*name), *std::move(attribute)).second) {
        return PathError(attribute_path, "attribute given twice");
      }
    }
    for (const auto& [name, attribute_type] : type.AttributeTypes()) {
      if (!attributes.contains(name)) {
        return PathError(path, "missing attribute \"" + name + "\"");
      }
    }
    // Where the schema has dynamic attributes, the value's type is the concrete one; otherwise
    // the schema's type is shared rather than rebuilt.
    if (!type.HasDynamic()) return Value::ObjectOf(type, std::move(attributes));
    return Value::Object(std::move(attributes));
  }

  absl::StatusOr<Value> DecodeUnknown(const Type& type, const Path& path) {
    auto extension = reader_.ReadExtension();
    if (!extension.ok()) return AtPath(path, extension.status());
    // cty: a body of at most one byte is an unrefined unknown, whatever the extension type.
    if (extension->body.size() <= 1) return Value::Unknown(type);
    if (extension->type != kRefinedUnknownExtension) {
      return PathError(path,
                       "unsupported msgpack extension type " + std::to_string(extension->type));
    }
    if (extension->body.size() > kMaxRefinementBytes) {
      return PathError(path, "unknown value refinements are too large (" +
                                 std::to_string(extension->body.size()) + " bytes)");
    }
    auto refinements = DecodeRefinements(extension->body, type, path);
    if (!refinements.ok()) return refinements.status();
    return Value::Unknown(type, *std::move(refinements));
  }

  static absl::StatusOr<Refinements> DecodeRefinements(std::string_view body, const Type& type,
                                                       const Path& path) {
    auto invalid = [&](auto why) {
      return PathError(path, "invalid unknown value refinements: " + std::string(why));
    };
    MsgpackReader reader(body);
    auto count = reader.ReadMapHeader();
    if (!count.ok()) return invalid(count.status().message());
    Refinements refinements;
    for (size_t i = 0; i < *count; ++i) {
      auto key = reader.ReadNumber();
      if (!key.ok() || key->kind == MsgpackNumber::Kind::kFloat) {
        return invalid("keys must be integers");
      }
      // Keys beyond int64 are unknown keys like any other.
      const int64_t k =
          key->kind == MsgpackNumber::Kind::kSigned
              ? key->signed_value
              : (key->unsigned_value > INT64_MAX ? -1 : static_cast<int64_t>(key->unsigned_value));
      if (k == kRefinementNullness) {
        auto could_be_null = reader.ReadBool();
        if (!could_be_null.ok()) return invalid("nullness must be a bool");
        refinements.definitely_not_null = !*could_be_null;
      } else if (k == kRefinementStringPrefix && type.kind() == Type::Kind::kString) {
        auto prefix = reader.ReadString();
        if (!prefix.ok()) return invalid("the string prefix must be a string");
        refinements.string_prefix = std::string(*prefix);
      } else if ((k == kRefinementNumberLower || k == kRefinementNumberUpper) &&
                 type.kind() == Type::Kind::kNumber) {
        auto pair = reader.ReadArrayHeader();
        if (!pair.ok() || *pair != 2) return invalid("a number bound must be [number, inclusive]");
        auto number = DecodeNumber(reader, path);
        if (!number.ok()) return invalid(number.status().message());
        auto inclusive = reader.ReadBool();
        if (!inclusive.ok()) return invalid("a number bound must be [number, inclusive]");
        (k == kRefinementNumberLower ? refinements.number_lower : refinements.number_upper) =
            NumberBound{.value = *std::move(number), .inclusive = *inclusive};
      } else if ((k == kRefinementLengthLower || k == kRefinementLengthUpper) &&
                 type.IsCollection()) {
        auto length = reader.ReadNumber();
        if (!length.ok() || length->kind == MsgpackNumber::Kind::kFloat ||
            (length->kind == MsgpackNumber::Kind::kSigned && length->signed_value < 0) ||
            (length->kind == MsgpackNumber::Kind::kUnsigned &&
             length->unsigned_value > INT64_MAX)) {
          return invalid("a length bound must be a non-negative integer");
        }
        const int64_t bound = length->kind == MsgpackNumber::Kind::kSigned
                                  ? length->signed_value
                                  : static_cast<int64_t>(length->unsigned_value);
        (k == kRefinementLengthLower ? refinements.length_lower : refinements.length_upper) = bound;
      } else if (auto status = reader.Skip(); !status.ok()) {
        // A key we do not know, or one that does not apply to this type.
        return invalid(status.message());
      }
    }
    if (!reader.AtEnd()) return invalid("trailing bytes");
    return refinements;
  }

  // The element type of a collection whose schema element type may be dynamic: the concrete type
  // of the elements, which must all agree (cty cannot build a list of mixed types).
  class ElementTypeTracker {
   public:
    explicit ElementTypeTracker(Type schema)
        : type_(std::move(schema)), fixed_(!type_.HasDynamic()) {}
    absl::Status Add(const Type& element, const Path& path) {
      // Without dynamic parts the schema type is the type; null or unknown elements of unknown
      // type fit any type.
      if (fixed_ || element.IsDynamic()) return absl::OkStatus();
      if (!concrete_) {
        type_ = element;
        concrete_ = true;
        return absl::OkStatus();
      }
      if (!(element == type_)) {
        return PathError(path, "element of type " + element.FriendlyName() +
                                   " differs from earlier elements of type " +
                                   type_.FriendlyName());
      }
      return absl::OkStatus();
    }
    const Type& type() const { return type_; }

   private:
    Type type_;
    bool fixed_;
    bool concrete_ = false;
  };

  MsgpackReader reader_;
};

}  // namespace

absl::StatusOr<std::string> EncodeMsgpack(const Value& value, const Type& type,
                                          const MsgpackEncodeOptions& options) {
  MsgpackWriter writer;
  if (auto status = Encode(writer, value, type, Path(), options); !status.ok()) return status;
  return writer.Release();
}

absl::StatusOr<Value> DecodeMsgpack(std::string_view bytes, const Type& type) {
  return Decoder(bytes).DecodeDocument(type);
}

}  // namespace fluxcpp::provider::values
