// A cty value as Terraform exchanges it with providers: a value of some Type that is known, null,
// or unknown (not decided until apply). Unknown values may carry refinements that narrow what they
// can become (not null, a string prefix, number bounds, collection length bounds).
//
// Like cty, a value always has a concrete type, even where a schema says `dynamic`; only null and
// unknown values may have the dynamic type ("of unknown type"). Codecs take the schema type next to
// the value, so a value of type string stored under a dynamic attribute is wrapped on the wire.
//
// Value is an immutable value type. Collections share their elements between copies, so copying is
// cheap; a Value may be read from any number of threads.
//
// Resource authors build values with the static builders and read them with the accessors:
//   Value state = Value::Object({{"name", Value::String("flux-system")},
//                                {"interval", Value::Null(Type::String())}});
//   absl::StatusOr<std::string> name = state.GetAttribute("name")->AsString();
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "provider/values/decimal.h"
#include "provider/values/type.h"

namespace fluxcpp::provider::values {

// One end of the range an unknown number is known to lie in.
struct NumberBound {
  Decimal value;
  bool inclusive = true;
  friend bool operator==(const NumberBound&, const NumberBound&) = default;
};

// What is already known about an unknown value. Each refinement only applies to some types (the
// string prefix to strings, number bounds to numbers, length bounds to lists, sets and maps); the
// codecs drop the ones that do not apply.
struct Refinements {
  // The value will not be null.
  bool definitely_not_null = false;
  std::optional<std::string> string_prefix = std::nullopt;
  std::optional<NumberBound> number_lower = std::nullopt;
  std::optional<NumberBound> number_upper = std::nullopt;
  // Inclusive bounds on the number of elements.
  std::optional<int64_t> length_lower = std::nullopt;
  std::optional<int64_t> length_upper = std::nullopt;

  bool empty() const { return *this == Refinements{}; }
  friend bool operator==(const Refinements&, const Refinements&) = default;
};

class Value {
 public:
  // A null value of dynamic type.
  Value() = default;

  static Value Null(Type type);
  static Value Unknown(Type type, Refinements refinements = {});
  static Value String(std::string value);
  static Value Bool(bool value);
  static Value Number(Decimal value);
  static Value Int(int64_t value);
  // Precondition: not NaN (cty has no NaN); NaN aborts.
  static Value Double(double value);
  // The type is list(element_type). When element_type is dynamic and there are elements, the
  // concrete type of the first element is used instead, as cty does. Elements are expected to be
  // of that type; the encoders report any that are not, with their path.
  static Value List(Type element_type, std::vector<Value> elements);
  // Like List; duplicate elements are dropped (wholly known ones only: cty never considers two
  // unknowns equal) and the order is canonical, so equal sets compare equal.
  static Value Set(Type element_type, std::vector<Value> elements);
  static Value Map(Type element_type, std::map<std::string, Value> elements);
  // The type is tuple of the elements' types.
  static Value Tuple(std::vector<Value> elements);
  // The type is the object of the attributes' types: every attribute must be present, null
  // attributes as Value::Null(type).
  static Value Object(std::map<std::string, Value> attributes);
  // An object of the given type, with the attributes not in `attributes` null. Attributes the type
  // does not have are an error.
  [[nodiscard]] static absl::StatusOr<Value> ObjectOf(const Type& type,
                                                      std::map<std::string, Value> attributes);

  const Type& type() const { return type_; }
  bool IsNull() const { return state_ == State::kNull; }
  bool IsKnown() const { return state_ != State::kUnknown; }
  // Known, and so is every element and attribute within.
  bool IsWhollyKnown() const;
  // Empty unless the value is unknown.
  const Refinements& refinements() const;

  // Typed reads. They fail (FailedPrecondition) for null or unknown values and values of another
  // type, naming what they found.
  [[nodiscard]] absl::StatusOr<std::string> AsString() const;
  [[nodiscard]] absl::StatusOr<bool> AsBool() const;
  [[nodiscard]] absl::StatusOr<Decimal> AsNumber() const;
  // Also fail (OutOfRange) when the number is not an integer or does not fit.
  [[nodiscard]] absl::StatusOr<int64_t> AsInt64() const;
  [[nodiscard]] absl::StatusOr<double> AsDouble() const;

  // The elements of a known list, set or tuple (sets in canonical order); empty otherwise.
  const std::vector<Value>& Elements() const;
  // The elements of a known map, or the attributes of a known object; empty otherwise.
  const std::map<std::string, Value>& Entries() const;
  // Number of elements, entries or attributes of a known collection or structure; 0 otherwise.
  size_t Length() const;

  // Attribute `name` of an object. A null object gives a null attribute and an unknown object an
  // unknown one, so reading config does not need to check every level. Fails (NotFound) when the
  // type has no such attribute, and (FailedPrecondition) when this is not an object.
  [[nodiscard]] absl::StatusOr<Value> GetAttribute(std::string_view name) const;
  // Element `index` of a known list or tuple; OutOfRange when there is none.
  [[nodiscard]] absl::StatusOr<Value> GetElement(size_t index) const;
  // Element `key` of a known map; NotFound when there is none.
  [[nodiscard]] absl::StatusOr<Value> GetKey(std::string_view key) const;

  // For messages: `"x"`, `42`, `true`, `null`, `(unknown)`, `["a", "b"]`, `{a = 1}`.
  std::string DebugString() const;

  // Exact equality, like cty's RawEquals: same type, same knownness and refinements, same content;
  // sets ignore element order, numbers compare numerically.
  friend bool operator==(const Value& a, const Value& b);
  // A total order (by type, then content) that gives sets their canonical order.
  friend int Compare(const Value& a, const Value& b);

 private:
  enum class State { kNull, kUnknown, kKnown };
  using ElementVector = std::vector<Value>;
  using EntryMap = std::map<std::string, Value>;
  // Collections are shared between copies: values are immutable, so sharing is safe.
  using Data =
      std::variant<std::monostate, bool, std::string, Decimal, std::shared_ptr<const ElementVector>,
                   std::shared_ptr<const EntryMap>, std::shared_ptr<const Refinements>>;

  Value(Type type, State state, Data data)
      : type_(std::move(type)), state_(state), data_(std::move(data)) {}
  absl::Status ExpectKnown(Type::Kind kind, std::string_view what) const;

  Type type_;
  State state_ = State::kNull;
  Data data_;
};

}  // namespace fluxcpp::provider::values
