#include "provider/framework/walk.h"

#include <string>
#include <vector>

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

Fields FieldsOf(const protocol::NestedBlock& block) { return FieldsOf(block.block); }

Value Get(const Value& object, const std::string& name) {
  absl::StatusOr<Value> attribute = object.GetAttribute(name);
  return attribute.ok() ? *std::move(attribute) : Value();
}

namespace {

std::string NestedKey(protocol::Nesting nesting, const Fields& fields, const Value& value) {
  if (value.IsNull()) return "null";
  if (!value.IsKnown()) return "(known after apply)";
  switch (nesting) {
    case protocol::Nesting::kSingle:
    case protocol::Nesting::kGroup:
      return ElementKey(fields, value);
    case protocol::Nesting::kList:
    case protocol::Nesting::kSet: {
      std::string text = "[";
      for (const Value& element : value.Elements()) {
        if (text.size() > 1) text += ", ";
        text += ElementKey(fields, element);
      }
      return text + "]";
    }
    case protocol::Nesting::kMap: {
      std::string text = "{";
      for (const auto& [key, element] : value.Entries()) {
        if (text.size() > 1) text += ", ";
        text += Value::String(key).DebugString() + " = " + ElementKey(fields, element);
      }
      return text + "}";
    }
  }
  return value.DebugString();
}

bool NestedCorresponds(protocol::Nesting nesting, const Fields& fields, const Value& value,
                       const Value& prior) {
  if (value.IsNull() || prior.IsNull()) return value.IsNull() && prior.IsNull();
  if (!value.IsKnown() || !prior.IsKnown()) return false;
  switch (nesting) {
    case protocol::Nesting::kSingle:
    case protocol::Nesting::kGroup:
      return Corresponds(fields, value, prior);
    case protocol::Nesting::kList:
      if (value.Length() != prior.Length()) return false;
      for (size_t i = 0; i < value.Length(); ++i) {
        if (!Corresponds(fields, value.Elements()[i], prior.Elements()[i])) return false;
      }
      return true;
    case protocol::Nesting::kSet: {
      if (value.Length() != prior.Length()) return false;
      for (int match : MatchSetElements(fields, value.Elements(), prior.Elements())) {
        if (match < 0) return false;
      }
      return true;
    }
    case protocol::Nesting::kMap:
      if (value.Length() != prior.Length()) return false;
      for (const auto& [key, element] : value.Entries()) {
        auto it = prior.Entries().find(key);
        if (it == prior.Entries().end() || !Corresponds(fields, element, it->second)) return false;
      }
      return true;
  }
  return false;
}

}  // namespace

std::string ElementKey(const Fields& fields, const Value& element) {
  if (element.IsNull()) return "null";
  if (!element.IsKnown()) return "(known after apply)";
  std::string text = "{";
  auto add = [&](const std::string& name, const std::string& shown) {
    if (text.size() > 1) text += ", ";
    text += name + " = " + shown;
  };
  for (const protocol::Attribute& attribute : fields.attributes) {
    const Value value = Get(element, attribute.name);
    if (value.IsNull()) continue;
    if (attribute.sensitive) {
      add(attribute.name, "(sensitive value)");
    } else if (!value.IsKnown()) {
      add(attribute.name, "(known after apply)");
    } else if (!attribute.nested_attributes.empty()) {
      add(attribute.name, NestedKey(attribute.nesting, FieldsOf(attribute), value));
    } else {
      add(attribute.name, value.DebugString());
    }
  }
  for (const protocol::NestedBlock& block : fields.blocks) {
    const Value value = Get(element, block.type_name);
    if (value.IsNull() || (value.IsKnown() && value.type().IsCollection() && value.Length() == 0)) {
      continue;
    }
    add(block.type_name, NestedKey(block.nesting, FieldsOf(block), value));
  }
  return text + "}";
}

bool Corresponds(const Fields& fields, const Value& value, const Value& prior) {
  if (value.IsNull() || prior.IsNull()) return value.IsNull() && prior.IsNull();
  if (!value.IsKnown() || !prior.IsKnown()) return false;
  for (const protocol::Attribute& attribute : fields.attributes) {
    if (attribute.computed && !attribute.optional) continue;
    const Value configured = Get(value, attribute.name);
    if (attribute.computed && configured.IsNull()) continue;
    const Value before = Get(prior, attribute.name);
    if (!attribute.nested_attributes.empty()) {
      if (!NestedCorresponds(attribute.nesting, FieldsOf(attribute), configured, before)) {
        return false;
      }
    } else if (!(configured == before)) {
      return false;
    }
  }
  for (const protocol::NestedBlock& block : fields.blocks) {
    if (!NestedCorresponds(block.nesting, FieldsOf(block), Get(value, block.type_name),
                           Get(prior, block.type_name))) {
      return false;
    }
  }
  return true;
}

std::vector<int> MatchSetElements(const Fields& fields, const std::vector<Value>& values,
                                  const std::vector<Value>& priors) {
  std::vector<int> match(values.size(), -1);
  std::vector<bool> used(priors.size(), false);
  for (size_t i = 0; i < values.size(); ++i) {
    for (size_t j = 0; j < priors.size(); ++j) {
      if (!used[j] && Corresponds(fields, values[i], priors[j])) {
        match[i] = static_cast<int>(j);
        used[j] = true;
        break;
      }
    }
  }
  return match;
}

}  // namespace fluxcpp::provider::framework::internal
