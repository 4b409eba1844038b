// CheckSchema: the mistakes a resource author can make in a schema, found at start-up (and in the
// unit tests) instead of by the core at plan time.
#include <set>
#include <string>

#include "provider/framework/rules.h"
#include "provider/framework/walk.h"
#include "provider/protocol/text.h"

namespace fluxcpp::provider::framework {
namespace {

using internal::Fields;
using protocol::Cat;
using values::Path;

bool IsName(const std::string& name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

absl::Status CheckFields(const Fields& fields, const Path& path);

absl::Status CheckAttribute(const protocol::Attribute& attribute, const Path& path) {
  const int kinds = attribute.required + attribute.optional + attribute.computed;
  if (kinds == 0) {
    return values::PathError(path, "must be one of required, optional or computed");
  }
  if (attribute.required && kinds > 1) {
    return values::PathError(path, "a required attribute cannot be optional or computed too");
  }
  if (attribute.default_value) {
    if (!attribute.optional || !attribute.computed) {
      return values::PathError(path, "a default needs an optional+computed attribute");
    }
    if (!values::Conforms(attribute.default_value->type(), protocol::ImpliedType(attribute)) ||
        !attribute.default_value->IsWhollyKnown()) {
      return values::PathError(path, "the default must be a known value of the attribute's type");
    }
  }
  if (attribute.use_state_for_unknown && !attribute.computed) {
    return values::PathError(path, "use_state_for_unknown needs a computed attribute");
  }
  if (attribute.requires_replace && attribute.computed && !attribute.optional) {
    return values::PathError(path, "a computed-only attribute cannot require replacement");
  }
  if (!attribute.nested_attributes.empty()) {
    if (attribute.nesting == protocol::Nesting::kGroup) {
      return values::PathError(path, "nested attributes cannot use group nesting");
    }
    return CheckFields(internal::FieldsOf(attribute), path);
  }
  for (const protocol::Validator& validator : attribute.validators) {
    if (!validator.check) return values::PathError(path, "a validator has no check");
  }
  return absl::OkStatus();
}

absl::Status CheckFields(const Fields& fields, const Path& path) {
  std::set<std::string> names;
  for (const protocol::Attribute& attribute : fields.attributes) {
    const Path here = path.Attribute(attribute.name);
    if (!IsName(attribute.name)) {
      return values::PathError(here, "names use lowercase letters, digits and '_'");
    }
    if (!names.insert(attribute.name).second) return values::PathError(here, "declared twice");
    if (absl::Status status = CheckAttribute(attribute, here); !status.ok()) return status;
  }
  for (const protocol::NestedBlock& block : fields.blocks) {
    const Path here = path.Attribute(block.type_name);
    if (!IsName(block.type_name)) {
      return values::PathError(here, "names use lowercase letters, digits and '_'");
    }
    if (!names.insert(block.type_name).second) return values::PathError(here, "declared twice");
    if (block.max_items != 0 && block.max_items < block.min_items) {
      return values::PathError(here, "max_items is below min_items");
    }
    if (absl::Status status = CheckFields(internal::FieldsOf(block.block), here); !status.ok()) {
      return status;
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckSchema(const protocol::Schema& schema) {
  if (schema.version < 0) return absl::InvalidArgumentError("the schema version must be >= 0");
  return CheckFields(internal::FieldsOf(schema.block), Path());
}

}  // namespace fluxcpp::provider::framework
