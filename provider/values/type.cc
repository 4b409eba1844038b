#include "provider/values/type.h"

#include <utility>

namespace fluxcpp::provider::values {

struct Type::Details {
  Type element;                            // list, set, map
  std::vector<Type> tuple_elements;        // tuple
  std::map<std::string, Type> attributes;  // object
  std::set<std::string> optional;          // object
  // Computed once: decoders ask at every node.
  bool has_dynamic = false;
};

namespace {

const Type& DynamicType() {
  static const Type kDynamic;
  return kDynamic;
}

template <typename T>
const T& Empty() {
  static const T kEmpty;
  return kEmpty;
}

}  // namespace

Type Type::List(Type element) {
  auto details = std::make_shared<Details>();
  details->has_dynamic = element.HasDynamic();
  details->element = std::move(element);
  return Type(Kind::kList, std::move(details));
}

Type Type::Set(Type element) {
  auto details = std::make_shared<Details>();
  details->has_dynamic = element.HasDynamic();
  details->element = std::move(element);
  return Type(Kind::kSet, std::move(details));
}

Type Type::Map(Type element) {
  auto details = std::make_shared<Details>();
  details->has_dynamic = element.HasDynamic();
  details->element = std::move(element);
  return Type(Kind::kMap, std::move(details));
}

Type Type::Tuple(std::vector<Type> elements) {
  auto details = std::make_shared<Details>();
  for (const Type& element : elements) details->has_dynamic |= element.HasDynamic();
  details->tuple_elements = std::move(elements);
  return Type(Kind::kTuple, std::move(details));
}

Type Type::Object(std::map<std::string, Type> attributes, std::set<std::string> optional) {
  auto details = std::make_shared<Details>();
  for (const auto& [name, attribute] : attributes) details->has_dynamic |= attribute.HasDynamic();
  details->attributes = std::move(attributes);
  details->optional = std::move(optional);
  return Type(Kind::kObject, std::move(details));
}

bool Type::IsPrimitive() const {
  return kind_ == Kind::kString || kind_ == Kind::kNumber || kind_ == Kind::kBool;
}

bool Type::IsCollection() const {
  return kind_ == Kind::kList || kind_ == Kind::kSet || kind_ == Kind::kMap;
}

const Type& Type::ElementType() const { return IsCollection() ? details_->element : DynamicType(); }

const std::vector<Type>& Type::TupleElementTypes() const {
  return IsTuple() ? details_->tuple_elements : Empty<std::vector<Type>>();
}

const std::map<std::string, Type>& Type::AttributeTypes() const {
  return IsObject() ? details_->attributes : Empty<std::map<std::string, Type>>();
}

const std::set<std::string>& Type::OptionalAttributes() const {
  return IsObject() ? details_->optional : Empty<std::set<std::string>>();
}

const Type* Type::AttributeType(std::string_view name) const {
  if (!IsObject()) return nullptr;
  auto it = details_->attributes.find(std::string(name));
  return it == details_->attributes.end() ? nullptr : &it->second;
}

bool Type::HasDynamic() const {
  if (kind_ == Kind::kDynamic) return true;
  return details_ != nullptr && details_->has_dynamic;
}

std::string Type::FriendlyName() const {
  switch (kind_) {
    case Kind::kString:
      return "string";
    case Kind::kNumber:
      return "number";
    case Kind::kBool:
      return "bool";
    case Kind::kDynamic:
      return "dynamic";
    case Kind::kList:
      return "list of " + details_->element.FriendlyName();
    case Kind::kSet:
      return "set of " + details_->element.FriendlyName();
    case Kind::kMap:
      return "map of " + details_->element.FriendlyName();
    case Kind::kTuple:
      return "tuple";
    case Kind::kObject:
      return "object";
  }
  return "dynamic";
}

nlohmann::json Type::ToJson() const {
  switch (kind_) {
    case Kind::kString:
      return "string";
    case Kind::kNumber:
      return "number";
    case Kind::kBool:
      return "bool";
    case Kind::kDynamic:
      return "dynamic";
    case Kind::kList:
      return nlohmann::json::array({"list", details_->element.ToJson()});
    case Kind::kSet:
      return nlohmann::json::array({"set", details_->element.ToJson()});
    case Kind::kMap:
      return nlohmann::json::array({"map", details_->element.ToJson()});
    case Kind::kTuple: {
      nlohmann::json elements = nlohmann::json::array();
      for (const Type& element : details_->tuple_elements) elements.push_back(element.ToJson());
      return nlohmann::json::array({"tuple", std::move(elements)});
    }
    case Kind::kObject: {
      nlohmann::json attributes = nlohmann::json::object();
      for (const auto& [name, attribute] : details_->attributes) {
        attributes[name] = attribute.ToJson();
      }
      nlohmann::json json = nlohmann::json::array({"object", std::move(attributes)});
      if (!details_->optional.empty()) {
        json.push_back(nlohmann::json(details_->optional));
      }
      return json;
    }
  }
  return "dynamic";
}

std::string Type::ToJsonString() const { return ToJson().dump(); }

namespace {

// Where inside a type constraint an error is: `[1]` for the element of a list, `.a` for an
// attribute.
absl::Status TypeError(const std::string& where, const std::string& message) {
  return absl::InvalidArgumentError(where.empty() ? "type constraint: " + message
                                                  : "type constraint " + where + ": " + message);
}

absl::StatusOr<Type> ParseType(const nlohmann::json& json, const std::string& where, int depth) {
  if (depth > Type::kMaxDepth) return TypeError(where, "nested too deeply");
  if (json.is_string()) {
    const auto& name = json.get_ref<const std::string&>();
    if (name == "string") return Type::String();
    if (name == "number") return Type::Number();
    if (name == "bool") return Type::Bool();
    if (name == "dynamic") return Type::Dynamic();
    return TypeError(where, "unknown type " + json.dump(-1, ' ', false,
                                                        nlohmann::json::error_handler_t::replace));
  }
  if (!json.is_array() || json.size() < 2 || !json[0].is_string()) {
    return TypeError(where, "expected a type name or an array [kind, ...]");
  }
  const auto& kind = json[0].get_ref<const std::string&>();
  if (kind == "list" || kind == "set" || kind == "map") {
    if (json.size() != 2) return TypeError(where, kind + " takes exactly one element type");
    auto element = ParseType(json[1], where + "[1]", depth + 1);
    if (!element.ok()) return element.status();
    if (kind == "list") return Type::List(*std::move(element));
    if (kind == "set") return Type::Set(*std::move(element));
    return Type::Map(*std::move(element));
  }
  if (kind == "tuple") {
    if (json.size() != 2 || !json[1].is_array()) {
      return TypeError(where, "tuple takes an array of element types");
    }
    std::vector<Type> elements;
    for (size_t i = 0; i < json[1].size(); ++i) {
      auto element = ParseType(json[1][i], where + "[1][" + std::to_string(i) + "]", depth + 1);
      if (!element.ok()) return element.status();
      elements.push_back(*std::move(element));
    }
    return Type::Tuple(std::move(elements));
  }
  if (kind == "object") {
    if ((json.size() != 2 && json.size() != 3) || !json[1].is_object()) {
      return TypeError(where, "object takes an object of attribute types");
    }
    std::map<std::string, Type> attributes;
    for (const auto& [name, attribute_json] : json[1].items()) {
      auto attribute = ParseType(attribute_json, where + "." + name, depth + 1);
      if (!attribute.ok()) return attribute.status();
      attributes.emplace(name, *std::move(attribute));
    }
    std::set<std::string> optional;
    if (json.size() == 3) {
      if (!json[2].is_array()) return TypeError(where, "optional attributes must be an array");
      for (const auto& name : json[2]) {
        if (!name.is_string() || !attributes.contains(name.get<std::string>())) {
          return TypeError(where,
                           "optional attribute " +
                               name.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
                               " is not an attribute of the object");
        }
        optional.insert(name.get<std::string>());
      }
    }
    return Type::Object(std::move(attributes), std::move(optional));
  }
  return TypeError(where,
                   "unknown type kind " +
                       json[0].dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace

absl::StatusOr<Type> Type::FromJson(const nlohmann::json& json) { return ParseType(json, "", 0); }

absl::StatusOr<Type> Type::FromJsonString(std::string_view text) {
  nlohmann::json json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return absl::InvalidArgumentError("type constraint: not valid JSON");
  return FromJson(json);
}

bool Conforms(const Type& concrete, const Type& constraint) {
  if (concrete.IsDynamic() || constraint.IsDynamic()) return true;
  if (concrete.kind() != constraint.kind()) return false;
  switch (concrete.kind()) {
    case Type::Kind::kList:
    case Type::Kind::kSet:
    case Type::Kind::kMap:
      return Conforms(concrete.ElementType(), constraint.ElementType());
    case Type::Kind::kTuple: {
      const auto& elements = concrete.TupleElementTypes();
      const auto& wanted = constraint.TupleElementTypes();
      if (elements.size() != wanted.size()) return false;
      for (size_t i = 0; i < elements.size(); ++i) {
        if (!Conforms(elements[i], wanted[i])) return false;
      }
      return true;
    }
    case Type::Kind::kObject: {
      const auto& attributes = concrete.AttributeTypes();
      const auto& wanted = constraint.AttributeTypes();
      if (attributes.size() != wanted.size()) return false;
      for (auto i = attributes.begin(), j = wanted.begin(); i != attributes.end(); ++i, ++j) {
        if (i->first != j->first || !Conforms(i->second, j->second)) return false;
      }
      return true;
    }
    default:
      return true;
  }
}

bool operator==(const Type& a, const Type& b) {
  if (a.kind_ != b.kind_) return false;
  if (a.details_ == b.details_) return true;
  switch (a.kind_) {
    case Type::Kind::kList:
    case Type::Kind::kSet:
    case Type::Kind::kMap:
      return a.details_->element == b.details_->element;
    case Type::Kind::kTuple:
      return a.details_->tuple_elements == b.details_->tuple_elements;
    case Type::Kind::kObject:
      return a.details_->attributes == b.details_->attributes &&
             a.details_->optional == b.details_->optional;
    default:
      return true;
  }
}

}  // namespace fluxcpp::provider::values
