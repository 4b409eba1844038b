// ProposePlan, UseStateForUnknown, CheckPlan and RequiresReplace: planning by the core's rules.
#include <string>

#include "provider/framework/rules.h"
#include "provider/framework/walk.h"
#include "provider/protocol/text.h"

namespace fluxcpp::provider::framework {
namespace {

using internal::Fields;
using internal::Get;
using protocol::Cat;
using protocol::Diagnostic;
using protocol::Diagnostics;
using values::Path;
using values::Value;

// ---- ProposePlan ----

Value PlanFields(const Fields& fields, const Value& prior, const Value& config, bool mark_unknown);

Value PlanAttribute(const protocol::Attribute& attribute, const Value& prior, const Value& config,
                    bool mark_unknown) {
  if (!config.IsNull()) {
    if (attribute.nested_attributes.empty() || !config.IsKnown()) return config;
    const Fields fields = internal::FieldsOf(attribute);
    return internal::MapObjects(attribute.nesting, fields, prior, config, Path(),
                                [&](const Value& prior_object, const Value& object, const Path&) {
                                  if (!object.IsKnown() || object.IsNull()) return object;
                                  return PlanFields(fields, prior_object, object, mark_unknown);
                                });
  }
  if (!attribute.computed) return config;
  if (attribute.default_value) return *attribute.default_value;
  if (!mark_unknown) return prior;
  if (attribute.use_state_for_unknown && prior.IsWhollyKnown() && !prior.IsNull()) return prior;
  return Value::Unknown(protocol::ImpliedType(attribute));
}

Value PlanFields(const Fields& fields, const Value& prior, const Value& config, bool mark_unknown) {
  std::map<std::string, Value> planned;
  for (const protocol::Attribute& attribute : fields.attributes) {
    planned.emplace(attribute.name, PlanAttribute(attribute, Get(prior, attribute.name),
                                                  Get(config, attribute.name), mark_unknown));
  }
  for (const protocol::NestedBlock& block : fields.blocks) {
    const Value configured = Get(config, block.type_name);
    if (!configured.IsKnown() || configured.IsNull()) {
      planned.emplace(block.type_name, configured);
      continue;
    }
    const Fields nested = internal::FieldsOf(block.block);
    planned.emplace(
        block.type_name,
        internal::MapObjects(block.nesting, nested, Get(prior, block.type_name), configured, Path(),
                             [&](const Value& prior_object, const Value& object, const Path&) {
                               if (!object.IsKnown() || object.IsNull()) return object;
                               return PlanFields(nested, prior_object, object, mark_unknown);
                             }));
  }
  return Value::Object(std::move(planned));
}

// ---- UseStateForUnknown ----

Value KeepStateFields(const Fields& fields, const Value& prior, const Value& planned);

Value KeepStateAttribute(const protocol::Attribute& attribute, const Value& prior,
                         const Value& planned) {
  if (!planned.IsKnown()) {
    const bool keep = attribute.computed && attribute.use_state_for_unknown &&
                      prior.IsWhollyKnown() && !prior.IsNull();
    return keep ? prior : planned;
  }
  if (attribute.nested_attributes.empty() || planned.IsNull()) return planned;
  const Fields fields = internal::FieldsOf(attribute);
  return internal::MapObjects(attribute.nesting, fields, prior, planned, Path(),
                              [&](const Value& prior_object, const Value& object, const Path&) {
                                return KeepStateFields(fields, prior_object, object);
                              });
}

Value KeepStateFields(const Fields& fields, const Value& prior, const Value& planned) {
  if (!planned.IsKnown() || planned.IsNull()) return planned;
  std::map<std::string, Value> result = planned.Entries();
  for (const protocol::Attribute& attribute : fields.attributes) {
    Value& value = result[attribute.name];
    value = KeepStateAttribute(attribute, Get(prior, attribute.name), value);
  }
  for (const protocol::NestedBlock& block : fields.blocks) {
    Value& value = result[block.type_name];
    if (!value.IsKnown() || value.IsNull()) continue;
    const Fields nested = internal::FieldsOf(block.block);
    value = internal::MapObjects(block.nesting, nested, Get(prior, block.type_name), value, Path(),
                                 [&](const Value& prior_object, const Value& object, const Path&) {
                                   return KeepStateFields(nested, prior_object, object);
                                 });
  }
  return Value::Object(std::move(result));
}

// ---- CheckPlan ----

void CheckFields(const Fields& fields, const Path& path, const Value& prior, const Value& config,
                 const Value& planned, Diagnostics& diagnostics);

void CheckSetElements(const Fields& fields, const Path& path, const Value& prior,
                      const Value& config, const Value& planned, Diagnostics& diagnostics);

Diagnostic InvalidPlan(const Path& path, std::string problem) {
  return protocol::ErrorDiagnostic(
      "Provider produced invalid plan",
      Cat("The provider planned an invalid value for ",
          path.empty() ? "the object" : path.ToString(), ": ", problem,
          ". This is a bug in the provider, which refused to send the plan; please report it."),
      path);
}

std::string Shown(const protocol::Attribute& attribute, const Value& value) {
  return attribute.sensitive ? std::string("(sensitive value)") : value.DebugString();
}

void CheckAttribute(const protocol::Attribute& attribute, const Path& path, const Value& prior,
                    const Value& config, const Value& planned, Diagnostics& diagnostics) {
  if (!values::Conforms(planned.type(), protocol::ImpliedType(attribute))) {
    diagnostics.push_back(InvalidPlan(
        path, Cat("planned a ", planned.type().FriendlyName(), " for an attribute of type ",
                  protocol::ImpliedType(attribute).FriendlyName())));
    return;
  }
  if (planned == config) return;
  if (!prior.IsNull() && !config.IsNull() && planned == prior) return;
  if (attribute.computed && config.IsNull()) return;
  if (config.IsNull()) {
    diagnostics.push_back(InvalidPlan(
        path, Cat("planned value ", Shown(attribute, planned), " for a non-computed attribute")));
    return;
  }
  if (!attribute.nested_attributes.empty() && config.IsKnown() && planned.IsKnown() &&
      !planned.IsNull()) {
    const Fields fields = internal::FieldsOf(attribute);
    switch (attribute.nesting) {
      case protocol::Nesting::kSingle:
      case protocol::Nesting::kGroup:
        CheckFields(fields, path, prior, config, planned, diagnostics);
        return;
      case protocol::Nesting::kSet:
        if (planned.Length() != config.Length()) break;
        CheckSetElements(fields, path, prior, config, planned, diagnostics);
        return;
      case protocol::Nesting::kList:
        if (planned.Length() != config.Length()) break;
        for (size_t i = 0; i < config.Length(); ++i) {
          const Value prior_element =
              prior.IsKnown() && i < prior.Elements().size() ? prior.Elements()[i] : Value();
          CheckFields(fields, path.Index(static_cast<int64_t>(i)), prior_element,
                      config.Elements()[i], planned.Elements()[i], diagnostics);
        }
        return;
      case protocol::Nesting::kMap: {
        bool same_keys = planned.Length() == config.Length();
        for (const auto& [key, element] : config.Entries()) {
          auto it = planned.Entries().find(key);
          if (it == planned.Entries().end()) {
            same_keys = false;
            break;
          }
          const Value prior_element = Get(prior, key);
          CheckFields(fields, path.Key(key), prior_element, element, it->second, diagnostics);
        }
        if (same_keys) return;
        break;
      }
    }
  }
  std::string problem = Cat("planned value ", Shown(attribute, planned),
                            " does not match config value ", Shown(attribute, config));
  if (!prior.IsNull()) problem += Cat(" nor prior value ", Shown(attribute, prior));
  diagnostics.push_back(InvalidPlan(path, std::move(problem)));
}

void CheckBlock(const protocol::NestedBlock& block, const Path& path, const Value& prior,
                const Value& config, const Value& planned, Diagnostics& diagnostics) {
  if (!config.IsKnown()) return;  // a dynamic block of unknown count: anything goes
  if (!planned.IsKnown()) {
    diagnostics.push_back(InvalidPlan(path, "planned an unknown block"));
    return;
  }
  const Fields fields = internal::FieldsOf(block.block);
  switch (block.nesting) {
    case protocol::Nesting::kSingle:
    case protocol::Nesting::kGroup:
      if (config.IsNull() != planned.IsNull()) {
        diagnostics.push_back(
            InvalidPlan(path, config.IsNull() ? "planned for existence but config wants absence"
                                              : "planned for absence but config wants existence"));
        return;
      }
      if (!config.IsNull()) CheckFields(fields, path, prior, config, planned, diagnostics);
      return;
    case protocol::Nesting::kList:
    case protocol::Nesting::kSet:
    case protocol::Nesting::kMap:
      if (planned.IsNull() != config.IsNull() || planned.Length() != config.Length()) {
        diagnostics.push_back(
            InvalidPlan(path, Cat("block count in plan (", planned.Length(),
                                  ") disagrees with count in config (", config.Length(), ")")));
        return;
      }
      if (block.nesting == protocol::Nesting::kList) {
        for (size_t i = 0; i < config.Length(); ++i) {
          const Value prior_element = prior.IsKnown() && !prior.IsNull() && i < prior.Length()
                                          ? prior.Elements()[i]
                                          : Value();
          CheckFields(fields, path.Index(static_cast<int64_t>(i)), prior_element,
                      config.Elements()[i], planned.Elements()[i], diagnostics);
        }
      } else if (block.nesting == protocol::Nesting::kSet) {
        CheckSetElements(fields, path, prior, config, planned, diagnostics);
      } else if (block.nesting == protocol::Nesting::kMap) {
        for (const auto& [key, element] : config.Entries()) {
          auto it = planned.Entries().find(key);
          if (it == planned.Entries().end()) {
            diagnostics.push_back(InvalidPlan(path.Key(key), "block vanished from the plan"));
            continue;
          }
          CheckFields(fields, path.Key(key), Get(prior, key), element, it->second, diagnostics);
        }
      }
      return;
  }
}

void CheckFields(const Fields& fields, const Path& path, const Value& prior, const Value& config,
                 const Value& planned, Diagnostics& diagnostics) {
  for (const protocol::Attribute& attribute : fields.attributes) {
    CheckAttribute(attribute, path.Attribute(attribute.name), Get(prior, attribute.name),
                   Get(config, attribute.name), Get(planned, attribute.name), diagnostics);
  }
  for (const protocol::NestedBlock& block : fields.blocks) {
    CheckBlock(block, path.Attribute(block.type_name), Get(prior, block.type_name),
               Get(config, block.type_name), Get(planned, block.type_name), diagnostics);
  }
}

// Set elements have no identity but their value. Each configured element is checked against the
// planned element that corresponds to it (its configured attributes unchanged: what the core
// requires of a plan), and against the prior element it corresponds to; planned elements that
// correspond to no configured one are paired, in order, with the configured ones left, so that the
// error names the attribute the plan changed. The path names the configured element.
void CheckSetElements(const Fields& fields, const Path& path, const Value& prior,
                      const Value& config, const Value& planned, Diagnostics& diagnostics) {
  const std::vector<Value>& configured = config.Elements();
  const std::vector<Value>& plan = planned.Elements();
  std::vector<int> match = internal::MatchSetElements(fields, configured, plan);
  std::vector<bool> used(plan.size(), false);
  for (int j : match) {
    if (j >= 0) used[static_cast<size_t>(j)] = true;
  }
  size_t next = 0;
  for (int& j : match) {
    if (j >= 0) continue;
    while (next < plan.size() && used[next]) ++next;
    if (next == plan.size()) break;
    j = static_cast<int>(next);
    used[next] = true;
  }
  static const std::vector<Value> kNone;
  const std::vector<int> prior_match = internal::MatchSetElements(
      fields, configured, prior.IsKnown() && !prior.IsNull() ? prior.Elements() : kNone);
  const values::Type object_type = internal::ObjectType(fields);
  for (size_t i = 0; i < configured.size(); ++i) {
    const Path here = path.Element(internal::ElementKey(fields, configured[i]));
    if (match[i] < 0) {
      diagnostics.push_back(InvalidPlan(here, "no planned element for this configured element"));
      continue;
    }
    const Value prior_element = prior_match[i] >= 0
                                    ? prior.Elements()[static_cast<size_t>(prior_match[i])]
                                    : Value::Null(object_type);
    CheckFields(fields, here, prior_element, configured[i], plan[static_cast<size_t>(match[i])],
                diagnostics);
  }
}

// ---- RequiresReplace ----

void ReplacePaths(const Fields& fields, const Path& path, const Value& prior, const Value& planned,
                  std::vector<Path>& paths) {
  for (const protocol::Attribute& attribute : fields.attributes) {
    const Value before = Get(prior, attribute.name);
    const Value after = Get(planned, attribute.name);
    if (attribute.requires_replace && !(before == after)) {
      paths.push_back(path.Attribute(attribute.name));
    } else if (attribute.nesting == protocol::Nesting::kSingle &&
               !attribute.nested_attributes.empty() && before.IsKnown() && after.IsKnown() &&
               !before.IsNull() && !after.IsNull()) {
      ReplacePaths(internal::FieldsOf(attribute), path.Attribute(attribute.name), before, after,
                   paths);
    }
  }
  for (const protocol::NestedBlock& block : fields.blocks) {
    const Value before = Get(prior, block.type_name);
    const Value after = Get(planned, block.type_name);
    if ((block.nesting == protocol::Nesting::kSingle ||
         block.nesting == protocol::Nesting::kGroup) &&
        before.IsKnown() && after.IsKnown() && !before.IsNull() && !after.IsNull()) {
      ReplacePaths(internal::FieldsOf(block.block), path.Attribute(block.type_name), before, after,
                   paths);
    }
  }
}

}  // namespace

Value ProposePlan(const protocol::Block& block, const Value& prior, const Value& config) {
  if (config.IsNull()) return config;
  const Fields fields = internal::FieldsOf(block);
  const bool create = prior.IsNull();
  Value planned = PlanFields(fields, prior, config, /*mark_unknown=*/create);
  // An update: computed values may change with it, so they are unknown unless kept.
  if (!create && !(planned == prior)) planned = PlanFields(fields, prior, config, true);
  return planned;
}

Value UseStateForUnknown(const protocol::Block& block, const Value& prior, Value planned) {
  if (prior.IsNull()) return planned;
  return KeepStateFields(internal::FieldsOf(block), prior, planned);
}

Diagnostics CheckPlan(const protocol::Block& block, const Value& prior, const Value& config,
                      const Value& planned) {
  Diagnostics diagnostics;
  if (config.IsNull()) {
    if (!planned.IsNull())
      diagnostics.push_back(InvalidPlan(Path(), "planned an object to destroy"));
    return diagnostics;
  }
  if (!planned.IsKnown() || planned.IsNull()) {
    diagnostics.push_back(InvalidPlan(Path(), "the plan must be a known object"));
    return diagnostics;
  }
  // Attribute by attribute first, so that a wrongly typed value is reported at its path.
  CheckFields(internal::FieldsOf(block), Path(), prior, config, planned, diagnostics);
  if (diagnostics.empty() && !values::Conforms(planned.type(), protocol::ImpliedType(block))) {
    diagnostics.push_back(InvalidPlan(Path(), "the plan does not have the schema's type"));
  }
  return diagnostics;
}

std::vector<Path> RequiresReplace(const protocol::Block& block, const Value& prior,
                                  const Value& planned) {
  std::vector<Path> paths;
  if (prior.IsNull() || planned.IsNull()) return paths;
  ReplacePaths(internal::FieldsOf(block), Path(), prior, planned, paths);
  return paths;
}

}  // namespace fluxcpp::provider::framework
