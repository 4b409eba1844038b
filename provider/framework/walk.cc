#include "provider/framework/walk.h"

namespace fluxcpp::provider::framework::internal {

using values::Type;
using values::Value;

Fields FieldsOf(const protocol::Block& block) { return {block.attributes, block.block_types}; }

Fields FieldsOf(const protocol::Attribute& attribute) {
  static const std::vector<protocol::NestedBlock> kNoBlocks;
  return {attribute.nested_attributes, kNoBlocks};
}

Type ObjectType(const Fields& fields) {
  protocol::Block block{.attributes = fields.attributes, .block_types = fields.blocks};
  return protocol::ImpliedType(block);
}

Value Get(const Value& object, const std::string& name) {
  absl::StatusOr<Value> attribute = object.GetAttribute(name);
  return attribute.ok() ? *std::move(attribute) : Value();
}

}  // namespace fluxcpp::provider::framework::internal
