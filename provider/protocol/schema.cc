#include "provider/protocol/schema.h"

#include <map>
#include <string>

namespace fluxcpp::provider::protocol {
namespace {

values::Type Arrange(Nesting nesting, values::Type object) {
  switch (nesting) {
    case Nesting::kList:
      return values::Type::List(std::move(object));
    case Nesting::kSet:
      return values::Type::Set(std::move(object));
    case Nesting::kMap:
      return values::Type::Map(std::move(object));
    case Nesting::kSingle:
    case Nesting::kGroup:
      break;
  }
  return object;
}

}  // namespace

values::Type ImpliedType(const Attribute& attribute) {
  if (attribute.nested_attributes.empty()) return attribute.type;
  std::map<std::string, values::Type> attributes;
  for (const Attribute& nested : attribute.nested_attributes) {
    attributes.emplace(nested.name, ImpliedType(nested));
  }
  return Arrange(attribute.nesting, values::Type::Object(std::move(attributes)));
}

values::Type ImpliedType(const Block& block) {
  std::map<std::string, values::Type> attributes;
  for (const Attribute& attribute : block.attributes) {
    attributes.emplace(attribute.name, ImpliedType(attribute));
  }
  for (const NestedBlock& nested : block.block_types) {
    attributes.emplace(nested.type_name, Arrange(nested.nesting, ImpliedType(nested.block)));
  }
  return values::Type::Object(std::move(attributes));
}

}  // namespace fluxcpp::provider::protocol
