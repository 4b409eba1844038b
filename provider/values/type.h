// The cty type system as Terraform's plugin protocol uses it: the primitive types string, number
// and bool; `dynamic` (any type, decided by the value); the collections list(T), set(T) and map(T);
// and the structural types tuple([T...]) and object({name: T}). Types travel as "type constraint
// JSON" (`"string"`, `["list","string"]`, `["object",{"a":"string"}]`) in schemas and in the
// wrapper of dynamic values.
//
// Type is an immutable value type: copying shares the element types, so copies are cheap and a Type
// may be read from any number of threads.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace fluxcpp::provider::values {

class Type {
 public:
  enum class Kind { kString, kNumber, kBool, kDynamic, kList, kSet, kMap, kTuple, kObject };

  // A dynamic type: what a value of unknown type has.
  Type() = default;

  static Type String() { return Type(Kind::kString); }
  static Type Number() { return Type(Kind::kNumber); }
  static Type Bool() { return Type(Kind::kBool); }
  static Type Dynamic() { return Type(Kind::kDynamic); }
  static Type List(Type element);
  static Type Set(Type element);
  static Type Map(Type element);
  static Type Tuple(std::vector<Type> elements);
  // `optional` names attributes a configuration may leave out (cty's optional object attributes);
  // each must be one of `attributes`. They only matter in type constraints; values always hold
  // every attribute.
  static Type Object(std::map<std::string, Type> attributes, std::set<std::string> optional = {});

  Kind kind() const { return kind_; }
  bool IsPrimitive() const;
  bool IsDynamic() const { return kind_ == Kind::kDynamic; }
  // list, set and map: one element type.
  bool IsCollection() const;
  bool IsList() const { return kind_ == Kind::kList; }
  bool IsSet() const { return kind_ == Kind::kSet; }
  bool IsMap() const { return kind_ == Kind::kMap; }
  bool IsTuple() const { return kind_ == Kind::kTuple; }
  bool IsObject() const { return kind_ == Kind::kObject; }

  // The element type of a collection; dynamic for any other kind.
  const Type& ElementType() const;
  // The element types of a tuple; empty for any other kind.
  const std::vector<Type>& TupleElementTypes() const;
  // The attribute types of an object, by name; empty for any other kind.
  const std::map<std::string, Type>& AttributeTypes() const;
  const std::set<std::string>& OptionalAttributes() const;
  // The type of attribute `name`, or nullptr when this is not an object or has no such attribute.
  const Type* AttributeType(std::string_view name) const;

  // Whether any part of this type is dynamic (then values decide their concrete type).
  bool HasDynamic() const;

  // How cty names the type in messages: "string", "list of string", "map of list of number",
  // "tuple", "object", "dynamic".
  std::string FriendlyName() const;

  // Type constraint JSON: "string", ["list","string"], ["object",{"a":"string"},["a"]] (the third
  // element only when some attributes are optional).
  nlohmann::json ToJson() const;
  std::string ToJsonString() const;
  // Parses type constraint JSON; errors say what is wrong and where (`[1].a: unknown type
  // "strin"`). Nesting deeper than kMaxDepth is refused, so hostile input cannot exhaust the stack.
  [[nodiscard]] static absl::StatusOr<Type> FromJson(const nlohmann::json& json);
  [[nodiscard]] static absl::StatusOr<Type> FromJsonString(std::string_view text);

  static constexpr int kMaxDepth = 64;

  // Structural equality; for objects the optional attribute names count too.
  friend bool operator==(const Type& a, const Type& b);

 private:
  struct Details;
  explicit Type(Kind kind) : kind_(kind) {}
  Type(Kind kind, std::shared_ptr<const Details> details)
      : kind_(kind), details_(std::move(details)) {}

  Kind kind_ = Kind::kDynamic;
  // Element, tuple or attribute types; null for primitives and dynamic.
  std::shared_ptr<const Details> details_;
};

// Whether a value of type `concrete` fits where `constraint` is expected: equal types, with dynamic
// on either side matching anything (a null or unknown of unknown type fits everywhere). Optional
// attribute names do not matter.
bool Conforms(const Type& concrete, const Type& constraint);

}  // namespace fluxcpp::provider::values
