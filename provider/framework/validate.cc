// ValidateConfig and ApplyDefaults: what the framework does with a configuration before the
// resource or data source sees it.
#include <string>

#include "provider/framework/rules.h"
#include "provider/framework/walk.h"
#include "provider/protocol/text.h"

namespace fluxcpp::provider::framework {
namespace {

using internal::Fields;
using internal::Get;
using protocol::Cat;
using protocol::Diagnostics;
using values::Path;
using values::Value;

void ValidateFields(const Fields& fields, const Path& path, const Value& config,
                    Diagnostics& diagnostics);

// Calls `visit(object, path)` for each known, non-null object with `fields` that a nested
// attribute or block holds. Set elements are named by their value in the path.
template <typename Visit>
void ForEachObject(protocol::Nesting nesting, const Fields& fields, const Value& value,
                   const Path& path, Visit visit) {
  if (!value.IsKnown() || value.IsNull()) return;
  switch (nesting) {
    case protocol::Nesting::kSingle:
    case protocol::Nesting::kGroup:
      visit(value, path);
      return;
    case protocol::Nesting::kList:
      for (size_t i = 0; i < value.Elements().size(); ++i) {
        visit(value.Elements()[i], path.Index(static_cast<int64_t>(i)));
      }
      return;
    case protocol::Nesting::kSet:
      for (const Value& element : value.Elements()) {
        visit(element, path.Element(internal::ElementKey(fields, element)));
      }
      return;
    case protocol::Nesting::kMap:
      for (const auto& [key, element] : value.Entries()) visit(element, path.Key(key));
      return;
  }
}

// Whether `path` names a set element: the core cannot point at one, so messages spell the path.
bool ThroughSet(const Path& path) {
  for (const Path::Step& step : path.steps()) {
    if (step.kind == Path::Step::Kind::kElement) return true;
  }
  return false;
}

void ValidateAttribute(const protocol::Attribute& attribute, const Path& path, const Value& value,
                       Diagnostics& diagnostics) {
  if (value.IsNull()) return;
  if (attribute.computed && !attribute.optional) {
    // The core refuses this for the resource's own attributes, not for those of nested objects.
    diagnostics.push_back(protocol::ErrorDiagnostic(
        "Invalid configuration for read-only attribute",
        Cat("Attribute \"", attribute.name,
            "\" is computed by the provider and cannot be set in the configuration; remove it.",
            ThroughSet(path) ? Cat(" At ", path.ToString(), ".") : std::string()),
        path));
    return;
  }
  if (attribute.deprecated) {
    diagnostics.push_back(protocol::WarningDiagnostic(
        "Deprecated attribute",
        attribute.deprecation_message.empty()
            ? Cat("The attribute \"", attribute.name, "\" is deprecated.")
            : attribute.deprecation_message,
        path));
  }
  if (!attribute.nested_attributes.empty()) {
    const Fields fields = internal::FieldsOf(attribute);
    ForEachObject(attribute.nesting, fields, value, path, [&](const Value& object, const Path& at) {
      ValidateFields(fields, at, object, diagnostics);
    });
    return;
  }
  if (!value.IsWhollyKnown()) return;
  for (const protocol::Validator& validator : attribute.validators) {
    absl::Status status = validator.check(value);
    if (!status.ok()) {
      diagnostics.push_back(protocol::ErrorDiagnostic(
          "Invalid attribute value",
          Cat("Attribute \"", attribute.name, "\" ", protocol::View(status.message()), ".",
              ThroughSet(path) ? Cat(" At ", path.ToString(), ".") : std::string()),
          path));
    }
  }
}

void ValidateFields(const Fields& fields, const Path& path, const Value& config,
                    Diagnostics& diagnostics) {
  for (const protocol::Attribute& attribute : fields.attributes) {
    ValidateAttribute(attribute, path.Attribute(attribute.name), Get(config, attribute.name),
                      diagnostics);
  }
  for (const protocol::NestedBlock& block : fields.blocks) {
    const Fields nested = internal::FieldsOf(block.block);
    ForEachObject(block.nesting, nested, Get(config, block.type_name),
                  path.Attribute(block.type_name), [&](const Value& object, const Path& at) {
                    ValidateFields(nested, at, object, diagnostics);
                  });
  }
}

Value DefaultFields(const Fields& fields, const Value& config);

Value DefaultAttribute(const protocol::Attribute& attribute, const Value& value) {
  if (value.IsNull()) return attribute.default_value ? *attribute.default_value : value;
  if (attribute.nested_attributes.empty() || !value.IsKnown()) return value;
  const Fields fields = internal::FieldsOf(attribute);
  return internal::MapObjects(
      attribute.nesting, fields, Value(), value, Path(),
      [&](const Value&, const Value& object, const Path&) {
        return object.IsKnown() && !object.IsNull() ? DefaultFields(fields, object) : object;
      });
}

Value DefaultFields(const Fields& fields, const Value& config) {
  if (!config.IsKnown() || config.IsNull()) return config;
  std::map<std::string, Value> attributes = config.Entries();
  for (const protocol::Attribute& attribute : fields.attributes) {
    Value& value = attributes[attribute.name];
    value = DefaultAttribute(attribute, value);
  }
  for (const protocol::NestedBlock& block : fields.blocks) {
    Value& value = attributes[block.type_name];
    if (!value.IsKnown() || value.IsNull()) continue;
    const Fields nested = internal::FieldsOf(block.block);
    value = internal::MapObjects(block.nesting, nested, Value(), value, Path(),
                                 [&](const Value&, const Value& object, const Path&) {
                                   return DefaultFields(nested, object);
                                 });
  }
  return Value::Object(std::move(attributes));
}

}  // namespace

Diagnostics ValidateConfig(const protocol::Block& block, const Value& config) {
  Diagnostics diagnostics;
  ValidateFields(internal::FieldsOf(block), Path(), config, diagnostics);
  return diagnostics;
}

Value ApplyDefaults(const protocol::Block& block, const Value& config) {
  return DefaultFields(internal::FieldsOf(block), config);
}

}  // namespace fluxcpp::provider::framework
