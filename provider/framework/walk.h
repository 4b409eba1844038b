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

// The prior object that corresponds to configured object number `index` (lists) or `key` (maps) of
// a nested attribute or block: matched by position or key; sets have no match (null).
// `build(prior_object, object, path)` gives the new object; the result is arranged like `value`.
// Precondition: `value` is known and not null.
template <typename Build>
values::Value MapObjects(protocol::Nesting nesting, const values::Type& object_type,
                         const values::Value& prior, const values::Value& value,
                         const values::Path& path, Build build) {
  using values::Value;
  switch (nesting) {
    case protocol::Nesting::kSingle:
    case protocol::Nesting::kGroup:
      return build(prior, value, path);
    case protocol::Nesting::kList:
    case protocol::Nesting::kSet: {
      const bool match = nesting == protocol::Nesting::kList && prior.IsKnown() && !prior.IsNull();
      std::vector<Value> elements;
      const std::vector<Value>& source = value.Elements();
      for (size_t i = 0; i < source.size(); ++i) {
        Value prior_element =
            match && i < prior.Elements().size() ? prior.Elements()[i] : Value::Null(object_type);
        elements.push_back(build(prior_element, source[i], path.Index(static_cast<int64_t>(i))));
      }
      return nesting == protocol::Nesting::kList ? Value::List(object_type, std::move(elements))
                                                 : Value::Set(object_type, std::move(elements));
    }
    case protocol::Nesting::kMap: {
      const bool match = prior.IsKnown() && !prior.IsNull();
      std::map<std::string, Value> entries;
      for (const auto& [key, element] : value.Entries()) {
        Value prior_element = Value::Null(object_type);
        if (match) {
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
