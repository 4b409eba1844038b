// ProposePlan, UseStateForUnknown, CheckPlan and RequiresReplace: planning by the core's rules.
#include <algorithm>
#include <string>
#include <vector>

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
                  std::vector<Path>& paths);

// Whether an attribute within `fields`, at any depth, requires replacement.
bool HasReplaceAttributes(const Fields& fields) {
  for (const protocol::Attribute& attribute : fields.attributes) {
    if (attribute.requires_replace) return true;
    if (!attribute.nested_attributes.empty() &&
        HasReplaceAttributes(internal::FieldsOf(attribute))) {
      return true;
    }
  }
  for (const protocol::NestedBlock& block : fields.blocks) {
    if (HasReplaceAttributes(internal::FieldsOf(block))) return true;
  }
  return false;
}

// What of a set element decides replacement: its requires_replace attributes, and its nested
// attributes and blocks that hold some, whole.
Value ReplaceProjection(const Fields& fields, const Value& element) {
  if (!element.IsKnown() || element.IsNull()) return element;
  std::map<std::string, Value> projection;
  for (const protocol::Attribute& attribute : fields.attributes) {
    if (attribute.requires_replace || (!attribute.nested_attributes.empty() &&
                                       HasReplaceAttributes(internal::FieldsOf(attribute)))) {
      projection.emplace(attribute.name, Get(element, attribute.name));
    }
  }
  for (const protocol::NestedBlock& block : fields.blocks) {
    if (HasReplaceAttributes(internal::FieldsOf(block))) {
      projection.emplace(block.type_name, Get(element, block.type_name));
    }
  }
  return Value::Object(std::move(projection));
}

// Whether every projection of one side has an equal one on the other side, counting repeats.
bool SameProjections(const Fields& fields, const Value& before, const Value& after) {
  if (before.Length() != after.Length()) return false;
  std::vector<Value> left;
  for (const Value& element : after.Elements()) left.push_back(ReplaceProjection(fields, element));
  for (const Value& element : before.Elements()) {
    const Value projected = ReplaceProjection(fields, element);
    auto it = std::find(left.begin(), left.end(), projected);
    if (it == left.end()) return false;
    left.erase(it);
  }
  return true;
}

// Replacement paths within the objects of a nested attribute or block. Elements of lists and maps
// are compared in place (an element added or removed counts as changed); a set element has no
// path the core can take, so a set whose elements' replacing attributes changed is the path.
void NestedReplacePaths(protocol::Nesting nesting, const Fields& fields, const Path& path,
                        const Value& before, const Value& after, std::vector<Path>& paths) {
  if (!HasReplaceAttributes(fields)) return;
  const bool before_present = before.IsKnown() && !before.IsNull();
  const bool after_present = after.IsKnown() && !after.IsNull();
  if (nesting == protocol::Nesting::kSingle || nesting == protocol::Nesting::kGroup) {
    // An object that appears or goes is left to the attribute itself (it is not requires_replace).
    if (before_present && after_present) ReplacePaths(fields, path, before, after, paths);
    return;
  }
  if (!after.IsKnown()) {
    paths.push_back(path);  // may differ
    return;
  }
  if (!before_present || !after_present) {
    const Value& present = before_present ? before : after;
    if (present.IsKnown() && !present.IsNull() && present.Length() > 0) paths.push_back(path);
    return;
  }
  switch (nesting) {
    case protocol::Nesting::kList:
      for (size_t i = 0; i < std::min(before.Length(), after.Length()); ++i) {
        ReplacePaths(fields, path.Index(static_cast<int64_t>(i)), before.Elements()[i],
                     after.Elements()[i], paths);
      }
      if (before.Length() != after.Length()) paths.push_back(path);
      return;
    case protocol::Nesting::kSet:
      if (!SameProjections(fields, before, after)) paths.push_back(path);
      return;
    case protocol::Nesting::kMap:
      for (const auto& [key, element] : after.Entries()) {
        auto it = before.Entries().find(key);
        if (it == before.Entries().end()) {
          paths.push_back(path.Key(key));
        } else {
          ReplacePaths(fields, path.Key(key), it->second, element, paths);
        }
      }
      for (const auto& [key, element] : before.Entries()) {
        if (!after.Entries().contains(key)) paths.push_back(path.Key(key));
      }
      return;
    default:
      return;
  }
}

void ReplacePaths(const Fields& fields, const Path& path, const Value& prior, const Value& planned,
                  std::vector<Path>& paths) {
  if (!prior.IsKnown() || prior.IsNull() || !planned.IsKnown() || planned.IsNull()) return;
  for (const protocol::Attribute& attribute : fields.attributes) {
    const Value before = Get(prior, attribute.name);
    const Value after = Get(planned, attribute.name);
    if (attribute.requires_replace && !(before == after)) {
      paths.push_back(path.Attribute(attribute.name));
    } else if (!attribute.nested_attributes.empty()) {
      NestedReplacePaths(attribute.nesting, internal::FieldsOf(attribute),
                         path.Attribute(attribute.name), before, after, paths);
    }
  }
  for (const protocol::NestedBlock& block : fields.blocks) {
    NestedReplacePaths(block.nesting, internal::FieldsOf(block), path.Attribute(block.type_name),
                       Get(prior, block.type_name), Get(planned, block.type_name), paths);
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
