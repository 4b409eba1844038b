// CompleteApplyResult and RequireWhollyKnown: apply results and refreshed states the core accepts.
#include <algorithm>
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

std::string Where(const Path& path) { return path.empty() ? "the object" : path.ToString(); }

void Inconsistent(const Path& path, bool sensitive, const Value& planned, const Value& result,
                  Diagnostics& diagnostics) {
  diagnostics.push_back(protocol::ErrorDiagnostic(
      "Provider produced inconsistent result after apply",
      sensitive ? Cat("The resource returned a value for ", Where(path),
                      " (sensitive) other than the one it planned. The framework kept the planned "
                      "value; this is a bug in the provider, please report it.")
                : Cat("The resource returned ", result.DebugString(), " for ", Where(path),
                      ", but it planned ", planned.DebugString(),
                      ". The framework kept the planned value; this is a bug in the provider, "
                      "please report it."),
      path));
}

// A value of the planned shape with every unknown nulled (no diagnostics: the caller reports).
Value NullUnknowns(const Value& value) {
  Diagnostics ignored;
  return RequireWhollyKnown(Path(), value, "", ignored);
}

// Whether `actual` (wholly known) may be what `planned` became: equal wherever `planned` is known.
bool Compatible(const Value& planned, const Value& actual) {
  if (!planned.IsKnown()) return true;
  if (planned.IsWhollyKnown() || !actual.IsKnown() || planned.IsNull() || actual.IsNull()) {
    return planned == actual;
  }
  const values::Type& type = planned.type();
  if (actual.type().kind() != type.kind() || actual.Length() > planned.Length()) return false;
  if (type.IsSet()) {
    // Elements that become equal once known coalesce: each side needs a partner on the other.
    for (const Value& element : planned.Elements()) {
      if (std::none_of(actual.Elements().begin(), actual.Elements().end(),
                       [&](const Value& other) { return Compatible(element, other); })) {
        return false;
      }
    }
    return true;
  }
  if (actual.Length() != planned.Length()) return false;
  if (type.IsList() || type.IsTuple()) {
    for (size_t i = 0; i < planned.Length(); ++i) {
      if (!Compatible(planned.Elements()[i], actual.Elements()[i])) return false;
    }
    return true;
  }
  for (const auto& [key, element] : planned.Entries()) {
    auto it = actual.Entries().find(key);
    if (it == actual.Entries().end() || !Compatible(element, it->second)) return false;
  }
  return true;
}

std::string ShownElement(bool sensitive, const Fields* fields, const Value& element) {
  if (sensitive) return "(sensitive value)";
  return fields != nullptr ? internal::ElementKey(*fields, element) : element.DebugString();
}

// The core's check of a set whose plan held unknowns (element identity changes as values become
// known): every planned element has a compatible element in the result and the other way round,
// and the set did not grow. Each failure is reported at the element it is about.
bool SetsCompatible(const Path& path, bool sensitive, const Fields* fields, const Value& planned,
                    const Value& result, Diagnostics& diagnostics) {
  bool compatible = true;
  auto report = [&](const Value& element, std::string problem) {
    compatible = false;
    diagnostics.push_back(protocol::ErrorDiagnostic(
        "Provider produced inconsistent result after apply",
        Cat("The resource returned a set for ", Where(path), " in which ", problem,
            ". The framework kept the planned values; this is a bug in the provider, please "
            "report it."),
        path.Element(ShownElement(sensitive, fields, element))));
  };
  for (const Value& element : planned.Elements()) {
    if (std::none_of(result.Elements().begin(), result.Elements().end(),
                     [&](const Value& actual) { return Compatible(element, actual); })) {
      report(element, Cat("the planned element ", ShownElement(sensitive, fields, element),
                          " has no counterpart"));
    }
  }
  for (const Value& actual : result.Elements()) {
    if (std::none_of(planned.Elements().begin(), planned.Elements().end(),
                     [&](const Value& element) { return Compatible(element, actual); })) {
      report(actual,
             Cat("the element ", ShownElement(sensitive, fields, actual), " was not planned"));
    }
  }
  if (result.Length() > planned.Length()) {
    compatible = false;
    diagnostics.push_back(
        protocol::ErrorDiagnostic("Provider produced inconsistent result after apply",
                                  Cat("The resource returned ", result.Length(), " elements for ",
                                      Where(path), ", but it planned ", planned.Length(),
                                      ". This is a bug in the provider, please "
                                      "report it."),
                                  path));
  }
  return compatible;
}

// Keeps the known parts of `planned`, takes the resource's values where the plan was unknown.
// `fields` describes the objects of a set of nested objects, for naming its elements.
Value CompleteValue(const Path& path, bool sensitive, const Value& planned, const Value& result,
                    Diagnostics& diagnostics, const Fields* fields = nullptr) {
  if (!planned.IsKnown()) return RequireWhollyKnown(path, result, "after apply", diagnostics);
  if (planned.IsWhollyKnown()) {
    if (!(result == planned)) Inconsistent(path, sensitive, planned, result, diagnostics);
    return planned;
  }
  // Known, with unknowns inside: compare part by part.
  const values::Type& type = planned.type();
  const bool same_shape = result.IsKnown() && !result.IsNull() &&
                          result.type().kind() == type.kind() &&
                          result.Length() == planned.Length();
  if (!same_shape) {
    Inconsistent(path, sensitive, planned, result, diagnostics);
    return NullUnknowns(planned);
  }
  if (type.IsSet()) {
    if (!result.IsWhollyKnown())
      return RequireWhollyKnown(path, result, "after apply", diagnostics);
    if (!SetsCompatible(path, sensitive, fields, planned, result, diagnostics)) {
      return NullUnknowns(planned);
    }
    return result;
  }
  if (type.IsList() || type.IsTuple()) {
    std::vector<Value> elements;
    for (size_t i = 0; i < planned.Length(); ++i) {
      elements.push_back(CompleteValue(path.Index(static_cast<int64_t>(i)), sensitive,
                                       planned.Elements()[i], result.Elements()[i], diagnostics));
    }
    return type.IsList() ? Value::List(type.ElementType(), std::move(elements))
                         : Value::Tuple(std::move(elements));
  }
  std::map<std::string, Value> entries;
  for (const auto& [key, element] : planned.Entries()) {
    auto it = result.Entries().find(key);
    const Path here = type.IsObject() ? path.Attribute(key) : path.Key(key);
    if (it == result.Entries().end()) {
      Inconsistent(here, sensitive, element, Value::Null(element.type()), diagnostics);
      entries.emplace(key, NullUnknowns(element));
      continue;
    }
    entries.emplace(key, CompleteValue(here, sensitive, element, it->second, diagnostics));
  }
  return type.IsMap() ? Value::Map(type.ElementType(), std::move(entries))
                      : Value::Object(std::move(entries));
}

Value CompleteFields(const Fields& fields, const Path& path, const Value& prior,
                     const Value& planned, const Value& result, Diagnostics& diagnostics);

Value CompleteAttribute(const protocol::Attribute& attribute, const Path& path, const Value& prior,
                        const Value& planned, const Value& result, Diagnostics& diagnostics) {
  if (!planned.IsKnown()) {
    if (result.IsWhollyKnown()) return result;
    if (attribute.use_state_for_unknown && !result.IsKnown() && prior.IsWhollyKnown() &&
        !prior.IsNull()) {
      return prior;
    }
    return RequireWhollyKnown(path, result, "after apply", diagnostics);
  }
  if (!attribute.nested_attributes.empty() && attribute.nesting == protocol::Nesting::kSingle &&
      !planned.IsNull() && result.IsKnown() && !result.IsNull()) {
    return CompleteFields(internal::FieldsOf(attribute), path, prior, planned, result, diagnostics);
  }
  if (!attribute.nested_attributes.empty()) {
    const Fields fields = internal::FieldsOf(attribute);
    return CompleteValue(path, attribute.sensitive, planned, result, diagnostics, &fields);
  }
  return CompleteValue(path, attribute.sensitive, planned, result, diagnostics);
}

Value CompleteFields(const Fields& fields, const Path& path, const Value& prior,
                     const Value& planned, const Value& result, Diagnostics& diagnostics) {
  std::map<std::string, Value> completed;
  for (const protocol::Attribute& attribute : fields.attributes) {
    completed.emplace(
        attribute.name,
        CompleteAttribute(attribute, path.Attribute(attribute.name), Get(prior, attribute.name),
                          Get(planned, attribute.name), Get(result, attribute.name), diagnostics));
  }
  for (const protocol::NestedBlock& block : fields.blocks) {
    const Fields nested = internal::FieldsOf(block.block);
    completed.emplace(
        block.type_name,
        CompleteValue(path.Attribute(block.type_name), false, Get(planned, block.type_name),
                      Get(result, block.type_name), diagnostics, &nested));
  }
  return Value::Object(std::move(completed));
}

}  // namespace

Value CompleteApplyResult(const protocol::Block& block, const Value& prior, const Value& planned,
                          const Value& result, Diagnostics& diagnostics) {
  if (planned.IsNull()) return planned;
  if (!result.IsKnown() || result.IsNull() ||
      !values::Conforms(result.type(), protocol::ImpliedType(block))) {
    diagnostics.push_back(protocol::ErrorDiagnostic(
        "Provider produced invalid object",
        "The resource returned no object of its schema's type after apply; the framework kept "
        "the plan. This is a bug in the provider; please report it."));
    return NullUnknowns(planned);
  }
  return CompleteFields(internal::FieldsOf(block), Path(), prior, planned, result, diagnostics);
}

Value RequireWhollyKnown(const Path& path, const Value& value, std::string_view what,
                         Diagnostics& diagnostics) {
  if (value.IsWhollyKnown()) return value;
  if (!value.IsKnown()) {
    if (!what.empty()) {
      diagnostics.push_back(protocol::ErrorDiagnostic(
          "Provider returned an unknown value",
          Cat("The provider left ", Where(path), " unknown ", what,
              "; it is stored as null. This is a bug in the provider; please report it."),
          path));
    }
    return Value::Null(value.type());
  }
  const values::Type& type = value.type();
  if (type.IsList() || type.IsSet() || type.IsTuple()) {
    std::vector<Value> elements;
    for (size_t i = 0; i < value.Length(); ++i) {
      elements.push_back(RequireWhollyKnown(path.Index(static_cast<int64_t>(i)),
                                            value.Elements()[i], what, diagnostics));
    }
    if (type.IsList()) return Value::List(type.ElementType(), std::move(elements));
    if (type.IsSet()) return Value::Set(type.ElementType(), std::move(elements));
    return Value::Tuple(std::move(elements));
  }
  std::map<std::string, Value> entries;
  for (const auto& [key, element] : value.Entries()) {
    entries.emplace(key, RequireWhollyKnown(type.IsObject() ? path.Attribute(key) : path.Key(key),
                                            element, what, diagnostics));
  }
  return type.IsMap() ? Value::Map(type.ElementType(), std::move(entries))
                      : Value::Object(std::move(entries));
}

}  // namespace fluxcpp::provider::framework
