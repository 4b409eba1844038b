// Private to provider/framework: walking a schema and the values of its implied type together.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "provider/protocol/schema.h"
#include "provider/values/path.h"
#include "provider/values/value.h"

namespace fluxcpp::provider::framework::internal {

// The attributes and nested blocks of one object: a block, or the objects of a nested attribute.
struct Fields {
  const std::vector<protocol::Attribute>& attributes;
  const std::vector<protocol::NestedBlock>& blocks;
};

Fields FieldsOf(const protocol::Block& block);
// The fields of the objects a nested attribute holds (no blocks).
Fields FieldsOf(const protocol::Attribute& attribute);
// The object type of `fields`.
values::Type ObjectType(const Fields& fields);

// Attribute `name` of `object`, typed: null when the object is null, unknown when it is unknown.
values::Value Get(const values::Value& object, const std::string& name);

// The object a nested attribute or block holds within `fields`' object: its fields.
Fields FieldsOf(const protocol::NestedBlock& block);

// A set element of `fields`' object type as text, for paths and messages: `{name = "web", port =
// 80}`, null attributes left out, sensitive ones shown as `(sensitive value)` and unknown ones as
// `(known after apply)`.
std::string ElementKey(const Fields& fields, const values::Value& element);

// Whether the object `value` (configured or planned) and the object `prior` may be the same
// object, as the core correlates set elements: every attribute that is not computed is equal
// (nested attributes and blocks compared the same way, element by element); optional+computed
// attributes count only where `value` sets them. Unknowns in `value` match nothing.
bool Corresponds(const Fields& fields, const values::Value& value, const values::Value& prior);

// For each element of the set `values`, the index of the element of the set `priors` that
// corresponds to it (Corresponds), each used at most once; -1 where none does.
std::vector<int> MatchSetElements(const Fields& fields, const std::vector<values::Value>& values,
                                  const std::vector<values::Value>& priors);

// The prior object that corresponds to configured object number `index` (lists), key `key`
// (maps) or element (sets) of a nested attribute or block whose objects have `fields`: matched by
// position, key, or by Corresponds for sets, whose elements are named by their value (ElementKey)
// in the path. `build(prior_object, object, path)` gives the new object; the result is arranged
// like `value`. Precondition: `value` is known and not null.
template <typename Build>
values::Value MapObjects(protocol::Nesting nesting, const Fields& fields,
                         const values::Value& prior, const values::Value& value,
                         const values::Path& path, Build build) {
  using values::Value;
  const values::Type object_type = ObjectType(fields);
  const bool has_prior = prior.IsKnown() && !prior.IsNull();
  switch (nesting) {
    case protocol::Nesting::kSingle:
    case protocol::Nesting::kGroup:
      return build(prior, value, path);
    case protocol::Nesting::kList: {
      std::vector<Value> elements;
      const std::vector<Value>& source = value.Elements();
      for (size_t i = 0; i < source.size(); ++i) {
        Value prior_element = has_prior && i < prior.Elements().size() ? prior.Elements()[i]
                                                                       : Value::Null(object_type);
        elements.push_back(build(prior_element, source[i], path.Index(static_cast<int64_t>(i))));
      }
      return Value::List(object_type, std::move(elements));
    }
    case protocol::Nesting::kSet: {
      static const std::vector<Value> kNone;
      const std::vector<Value>& source = value.Elements();
      const std::vector<int> match =
          MatchSetElements(fields, source, has_prior ? prior.Elements() : kNone);
      std::vector<Value> elements;
      for (size_t i = 0; i < source.size(); ++i) {
        Value prior_element = match[i] >= 0 ? prior.Elements()[static_cast<size_t>(match[i])]
                                            : Value::Null(object_type);
        elements.push_back(
            build(prior_element, source[i], path.Element(ElementKey(fields, source[i]))));
      }
      return Value::Set(object_type, std::move(elements));
    }
    case protocol::Nesting::kMap: {
      std::map<std::string, Value> entries;
      for (const auto& [key, element] : value.Entries()) {
        Value prior_element = Value::Null(object_type);
        if (has_prior) {
          auto it = prior.Entries().find(key);
          if (it != prior.Entries().end()) prior_element = it->second;
        }
        entries.emplace(key, build(prior_element, element, path.Key(key)));
      }
      return Value::Map(object_type, std::move(entries));
    }
  }
  return value;
}

}  // namespace fluxcpp::provider::framework::internal
