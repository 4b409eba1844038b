// Schemas as provider authors write them: the configuration block of the provider, of each
// resource and data source, and the signatures of provider-defined functions. The protocol layer
// turns them into tfplugin6 messages; authors never see those.
//
// Schemas are plain aggregates, built once at start-up and then only read, so they may be read from
// any number of threads.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "provider/values/type.h"
#include "provider/values/value.h"

namespace fluxcpp::provider::protocol {

// A check of an attribute's value. `check` sees only known, non-null values and returns
// InvalidArgument with a message about the value ("must be one of info, debug, error; got
// \"loud\""); the framework puts the attribute path in front. `description` (markdown) goes into
// the generated documentation.
struct Validator {
  std::string description;
  std::function<absl::Status(const values::Value&)> check;
};

// How a nested block or a nested attribute holds its objects. kGroup is for blocks only: a single
// block that is never null (its attributes are null when the block is absent).
enum class Nesting { kSingle, kList, kSet, kMap, kGroup };

struct Attribute {
  // Lowercase letters, digits and `_`.
  std::string name;
  // The value type; ignored when nested_attributes is not empty.
  values::Type type;
  // When not empty, the attribute holds objects of these attributes, arranged by `nesting`
  // (kGroup is not allowed here).
  std::vector<Attribute> nested_attributes;
  Nesting nesting = Nesting::kSingle;
  // Markdown; shown by language servers and in the generated documentation.
  std::string description;
  // At least one of required, optional and computed; required excludes the other two.
  bool required = false;
  bool optional = false;
  bool computed = false;
  bool sensitive = false;
  bool write_only = false;
  bool deprecated = false;
  std::string deprecation_message;

  // What the resource framework (provider/framework) does with the attribute; the wire schema
  // does not carry these.
  //
  // The value planned when the configuration leaves the attribute out. Only for optional+computed
  // attributes; of the attribute's type.
  std::optional<values::Value> default_value = std::nullopt;
  std::vector<Validator> validators;
  // A change of the planned value against the prior state replaces the object.
  bool requires_replace = false;
  // A computed attribute keeps its prior value in plans of an update instead of becoming unknown,
  // and in apply results where the resource left it unknown.
  bool use_state_for_unknown = false;
};

struct NestedBlock;

struct Block {
  std::vector<Attribute> attributes;
  std::vector<NestedBlock> block_types;
  // Markdown.
  std::string description;
  bool deprecated = false;
};

struct NestedBlock {
  std::string type_name;
  Block block;
  Nesting nesting = Nesting::kSingle;
  int64_t min_items = 0;
  int64_t max_items = 0;
};

struct Schema {
  // Compared with the version stored in state; state of an older version is upgraded.
  int64_t version = 0;
  Block block;
};

// The type of the values Terraform sends for `block`: an object with one attribute per attribute
// and per nested block type (lists, sets and maps of objects for repeated blocks).
values::Type ImpliedType(const Block& block);
values::Type ImpliedType(const Attribute& attribute);

struct FunctionParameter {
  std::string name;
  values::Type type;
  // Without these, Terraform rejects a null argument itself, and skips the call (assuming an
  // unknown result) when an argument is not wholly known.
  bool allow_null_value = false;
  bool allow_unknown_values = false;
  std::string description;
};

struct FunctionDefinition {
  // Called as provider::<provider type>::<name>.
  std::string name;
  std::vector<FunctionParameter> parameters;
  // Zero or more trailing arguments, each of this parameter's type.
  std::optional<FunctionParameter> variadic_parameter = std::nullopt;
  values::Type return_type;
  std::string summary;
  std::string description;
  std::string deprecation_message;
};

}  // namespace fluxcpp::provider::protocol
