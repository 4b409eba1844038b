#include "provider/values/value.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <utility>

namespace fluxcpp::provider::values {

namespace {

const std::vector<Value>& NoElements() {
  static const std::vector<Value> kNone;
  return kNone;
}

const std::map<std::string, Value>& NoEntries() {
  static const std::map<std::string, Value> kNone;
  return kNone;
}

const Refinements& NoRefinements() {
  static const Refinements kNone;
  return kNone;
}

template <typename T>
int ThreeWay(const T& a, const T& b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

template <typename T>
int CompareOptional(const std::optional<T>& a, const std::optional<T>& b) {
  if (a.has_value() != b.has_value()) return a.has_value() ? 1 : -1;
  return a.has_value() ? ThreeWay(*a, *b) : 0;
}

int CompareBound(const std::optional<NumberBound>& a, const std::optional<NumberBound>& b) {
  if (a.has_value() != b.has_value()) return a.has_value() ? 1 : -1;
  if (!a.has_value()) return 0;
  if (int order = ThreeWay(a->value, b->value); order != 0) return order;
  return ThreeWay(a->inclusive, b->inclusive);
}

int CompareRefinements(const Refinements& a, const Refinements& b) {
  if (int order = ThreeWay(a.definitely_not_null, b.definitely_not_null); order != 0) return order;
  if (int order = CompareOptional(a.string_prefix, b.string_prefix); order != 0) return order;
  if (int order = CompareBound(a.number_lower, b.number_lower); order != 0) return order;
  if (int order = CompareBound(a.number_upper, b.number_upper); order != 0) return order;
  if (int order = CompareOptional(a.length_lower, b.length_lower); order != 0) return order;
  return CompareOptional(a.length_upper, b.length_upper);
}

std::string Quote(std::string_view text) {
  return nlohmann::json(std::string(text))
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

Value Value::Null(Type type) { return Value(std::move(type), State::kNull, {}); }

Value Value::Unknown(Type type, Refinements refinements) {
  Data data;
  if (!refinements.empty()) data = std::make_shared<const Refinements>(std::move(refinements));
  return Value(std::move(type), State::kUnknown, std::move(data));
}

Value Value::String(std::string value) {
  return Value(Type::String(), State::kKnown, std::move(value));
}

Value Value::Bool(bool value) { return Value(Type::Bool(), State::kKnown, value); }

Value Value::Number(Decimal value) {
  return Value(Type::Number(), State::kKnown, std::move(value));
}

Value Value::Int(int64_t value) { return Number(Decimal::FromInt64(value)); }

Value Value::Double(double value) {
  auto number = Decimal::FromDouble(value);
  if (!number.ok()) {
    // A programming error, like cty's panic: there is no value to return.
    std::fputs("fluxcpp: Value::Double called with NaN\n", stderr);
    std::abort();
  }
  return Number(*std::move(number));
}

Value Value::List(Type element_type, std::vector<Value> elements) {
  if (element_type.IsDynamic() && !elements.empty()) element_type = elements.front().type();
  return Value(Type::List(std::move(element_type)), State::kKnown,
               std::make_shared<const ElementVector>(std::move(elements)));
}

Value Value::Set(Type element_type, std::vector<Value> elements) {
  if (element_type.IsDynamic() && !elements.empty()) element_type = elements.front().type();
  std::sort(elements.begin(), elements.end(),
            [](const Value& a, const Value& b) { return Compare(a, b) < 0; });
  // Sorted, equal elements are neighbours. Unknowns stay: each may turn out to be anything.
  auto duplicate = [](const Value& a, const Value& b) {
    return a.IsWhollyKnown() && b.IsWhollyKnown() && Compare(a, b) == 0;
  };
  elements.erase(std::unique(elements.begin(), elements.end(), duplicate), elements.end());
  return Value(Type::Set(std::move(element_type)), State::kKnown,
               std::make_shared<const ElementVector>(std::move(elements)));
}

Value Value::Map(Type element_type, std::map<std::string, Value> elements) {
  if (element_type.IsDynamic() && !elements.empty()) {
    element_type = elements.begin()->second.type();
  }
  return Value(Type::Map(std::move(element_type)), State::kKnown,
               std::make_shared<const EntryMap>(std::move(elements)));
}

Value Value::Tuple(std::vector<Value> elements) {
  std::vector<Type> types;
  types.reserve(elements.size());
  for (const Value& element : elements) types.push_back(element.type());
  return Value(Type::Tuple(std::move(types)), State::kKnown,
               std::make_shared<const ElementVector>(std::move(elements)));
}

Value Value::Object(std::map<std::string, Value> attributes) {
  std::map<std::string, Type> types;
  for (const auto& [name, attribute] : attributes) types.emplace(name, attribute.type());
  return Value(Type::Object(std::move(types)), State::kKnown,
               std::make_shared<const EntryMap>(std::move(attributes)));
}

absl::StatusOr<Value> Value::ObjectOf(const Type& type, std::map<std::string, Value> attributes) {
  if (!type.IsObject()) {
    return absl::InvalidArgumentError("expected an object type, got " + type.FriendlyName());
  }
  for (const auto& [name, attribute] : attributes) {
    if (type.AttributeType(name) == nullptr) {
      return absl::InvalidArgumentError("object has no attribute \"" + name + "\"");
    }
  }
  for (const auto& [name, attribute_type] : type.AttributeTypes()) {
    attributes.try_emplace(name, Null(attribute_type));
  }
  // The declared type, not one inferred from the attributes: a null attribute of a dynamic
  // attribute stays dynamic, a string in it stays a string.
  return Value(type, State::kKnown, std::make_shared<const EntryMap>(std::move(attributes)));
}

bool Value::IsWhollyKnown() const {
  if (state_ == State::kUnknown) return false;
  if (state_ == State::kNull) return true;
  for (const Value& element : Elements()) {
    if (!element.IsWhollyKnown()) return false;
  }
  for (const auto& [key, entry] : Entries()) {
    if (!entry.IsWhollyKnown()) return false;
  }
  return true;
}

const Refinements& Value::refinements() const {
  if (const auto* refinements = std::get_if<std::shared_ptr<const Refinements>>(&data_)) {
    return **refinements;
  }
  return NoRefinements();
}

absl::Status Value::ExpectKnown(Type::Kind kind, std::string_view what) const {
  if (type_.kind() != kind) {
    return absl::FailedPreconditionError("expected " + std::string(what) + ", got " +
                                         type_.FriendlyName());
  }
  if (state_ == State::kNull) {
    return absl::FailedPreconditionError("expected " + std::string(what) + ", got null");
  }
  if (state_ == State::kUnknown) {
    return absl::FailedPreconditionError("expected " + std::string(what) +
                                         ", got an unknown value");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> Value::AsString() const {
  if (auto status = ExpectKnown(Type::Kind::kString, "string"); !status.ok()) return status;
  return std::get<std::string>(data_);
}

absl::StatusOr<bool> Value::AsBool() const {
  if (auto status = ExpectKnown(Type::Kind::kBool, "bool"); !status.ok()) return status;
  return std::get<bool>(data_);
}

absl::StatusOr<Decimal> Value::AsNumber() const {
  if (auto status = ExpectKnown(Type::Kind::kNumber, "number"); !status.ok()) return status;
  return std::get<Decimal>(data_);
}

absl::StatusOr<int64_t> Value::AsInt64() const {
  auto number = AsNumber();
  if (!number.ok()) return number.status();
  return number->ToInt64();
}

absl::StatusOr<double> Value::AsDouble() const {
  auto number = AsNumber();
  if (!number.ok()) return number.status();
  return number->ToDouble();
}

const std::vector<Value>& Value::Elements() const {
  if (const auto* elements = std::get_if<std::shared_ptr<const ElementVector>>(&data_)) {
    return **elements;
  }
  return NoElements();
}

const std::map<std::string, Value>& Value::Entries() const {
  if (const auto* entries = std::get_if<std::shared_ptr<const EntryMap>>(&data_)) {
    return **entries;
  }
  return NoEntries();
}

size_t Value::Length() const { return Elements().size() + Entries().size(); }

absl::StatusOr<Value> Value::GetAttribute(std::string_view name) const {
  if (type_.IsDynamic() && state_ != State::kKnown) return Value(type_, state_, {});
  if (!type_.IsObject()) {
    return absl::FailedPreconditionError("cannot read attribute \"" + std::string(name) +
                                         "\" of a " + type_.FriendlyName());
  }
  const Type* attribute_type = type_.AttributeType(name);
  if (attribute_type == nullptr) {
    return absl::NotFoundError("object has no attribute \"" + std::string(name) + "\"");
  }
  if (state_ == State::kNull) return Null(*attribute_type);
  if (state_ == State::kUnknown) return Unknown(*attribute_type);
  auto it = Entries().find(std::string(name));
  // A value built by the codecs or builders has every attribute; stay safe if it does not.
  if (it == Entries().end()) return Null(*attribute_type);
  return it->second;
}

absl::StatusOr<Value> Value::GetElement(size_t index) const {
  if (!type_.IsList() && !type_.IsTuple()) {
    return absl::FailedPreconditionError("cannot index a " + type_.FriendlyName());
  }
  if (state_ != State::kKnown) {
    return absl::FailedPreconditionError("cannot index a null or unknown " + type_.FriendlyName());
  }
  if (index >= Elements().size()) {
    return absl::OutOfRangeError("index " + std::to_string(index) + " is beyond the " +
                                 std::to_string(Elements().size()) + " elements");
  }
  return Elements()[index];
}

absl::StatusOr<Value> Value::GetKey(std::string_view key) const {
  if (!type_.IsMap()) {
    return absl::FailedPreconditionError("cannot look up a key in a " + type_.FriendlyName());
  }
  if (state_ != State::kKnown) {
    return absl::FailedPreconditionError("cannot look up a key in a null or unknown map");
  }
  auto it = Entries().find(std::string(key));
  if (it == Entries().end()) return absl::NotFoundError("no key " + Quote(key));
  return it->second;
}

std::string Value::DebugString() const {
  if (state_ == State::kNull) return "null";
  if (state_ == State::kUnknown) return "(unknown)";
  switch (type_.kind()) {
    case Type::Kind::kString:
      return Quote(std::get<std::string>(data_));
    case Type::Kind::kNumber:
      return std::get<Decimal>(data_).ToString();
    case Type::Kind::kBool:
      return std::get<bool>(data_) ? "true" : "false";
    case Type::Kind::kList:
    case Type::Kind::kSet:
    case Type::Kind::kTuple: {
      std::string text = "[";
      for (const Value& element : Elements()) {
        if (text.size() > 1) text += ", ";
        text += element.DebugString();
      }
      return text + "]";
    }
    case Type::Kind::kMap:
    case Type::Kind::kObject: {
      std::string text = "{";
      for (const auto& [key, entry] : Entries()) {
        if (text.size() > 1) text += ", ";
        text += (type_.IsMap() ? Quote(key) : key) + " = " + entry.DebugString();
      }
      return text + "}";
    }
    case Type::Kind::kDynamic:
      break;
  }
  return "null";
}

bool operator==(const Value& a, const Value& b) { return Compare(a, b) == 0; }

int Compare(const Value& a, const Value& b) {
  if (!(a.type_ == b.type_)) {
    // Values of one set nearly always share a type; this slower path only orders odd mixes.
    return ThreeWay(a.type_.ToJsonString(), b.type_.ToJsonString());
  }
  if (a.state_ != b.state_) return ThreeWay(static_cast<int>(a.state_), static_cast<int>(b.state_));
  if (a.state_ == Value::State::kNull) return 0;
  if (a.state_ == Value::State::kUnknown)
    return CompareRefinements(a.refinements(), b.refinements());
  switch (a.type_.kind()) {
    case Type::Kind::kString:
      return ThreeWay(std::get<std::string>(a.data_), std::get<std::string>(b.data_));
    case Type::Kind::kNumber:
      return ThreeWay(std::get<Decimal>(a.data_), std::get<Decimal>(b.data_));
    case Type::Kind::kBool:
      return ThreeWay(std::get<bool>(a.data_), std::get<bool>(b.data_));
    case Type::Kind::kList:
    case Type::Kind::kSet:
    case Type::Kind::kTuple: {
      const auto& x = a.Elements();
      const auto& y = b.Elements();
      for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
        if (int order = Compare(x[i], y[i]); order != 0) return order;
      }
      return ThreeWay(x.size(), y.size());
    }
    case Type::Kind::kMap:
    case Type::Kind::kObject: {
      const auto& x = a.Entries();
      const auto& y = b.Entries();
      auto i = x.begin();
      auto j = y.begin();
      for (; i != x.end() && j != y.end(); ++i, ++j) {
        if (int order = ThreeWay(i->first, j->first); order != 0) return order;
        if (int order = Compare(i->second, j->second); order != 0) return order;
      }
      return ThreeWay(x.size(), y.size());
    }
    case Type::Kind::kDynamic:
      break;
  }
  return 0;
}

}  // namespace fluxcpp::provider::values
