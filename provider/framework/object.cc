#include "provider/framework/object.h"

#include <map>
#include <utility>
#include <vector>

namespace fluxcpp::provider::framework {

using values::Type;
using values::Value;

Value AttributeOf(const Value& object, std::string_view name) {
  absl::StatusOr<Value> attribute = object.GetAttribute(name);
  return attribute.ok() ? *std::move(attribute) : Value();
}

Value WithAttribute(const Value& object, std::string_view name, Value value) {
  if (!object.type().IsObject() || !object.IsKnown() || object.IsNull()) return object;
  std::map<std::string, Value> attributes = object.Entries();
  auto it = attributes.find(std::string(name));
  if (it == attributes.end()) return object;
  it->second = std::move(value);
  return Value::Object(std::move(attributes));
}

std::optional<std::string> StringAttribute(const Value& object, std::string_view name) {
  absl::StatusOr<std::string> text = AttributeOf(object, name).AsString();
  if (!text.ok()) return std::nullopt;
  return *std::move(text);
}

std::optional<bool> BoolAttribute(const Value& object, std::string_view name) {
  absl::StatusOr<bool> flag = AttributeOf(object, name).AsBool();
  if (!flag.ok()) return std::nullopt;
  return *flag;
}

std::optional<std::set<std::string>> StringSetAttribute(const Value& object,
                                                        std::string_view name) {
  Value set = AttributeOf(object, name);
  if (set.IsNull() || !set.IsWhollyKnown()) return std::nullopt;
  std::set<std::string> strings;
  for (const Value& element : set.Elements()) {
    absl::StatusOr<std::string> text = element.AsString();
    if (!text.ok()) return std::nullopt;
    strings.insert(*std::move(text));
  }
  return strings;
}

Value StringSet(const std::set<std::string>& strings) {
  std::vector<Value> elements;
  for (const std::string& text : strings) elements.push_back(Value::String(text));
  return Value::Set(Type::String(), std::move(elements));
}

}  // namespace fluxcpp::provider::framework
