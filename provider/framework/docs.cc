#include "provider/framework/docs.h"

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "provider/protocol/text.h"

namespace fluxcpp::provider::framework {
namespace {

using protocol::Attribute;
using protocol::Block;
using protocol::Cat;
using protocol::NestedBlock;
using protocol::Nesting;
using values::Type;

std::string TypeName(const Type& type) {
  switch (type.kind()) {
    case Type::Kind::kString:
      return "String";
    case Type::Kind::kNumber:
      return "Number";
    case Type::Kind::kBool:
      return "Boolean";
    case Type::Kind::kDynamic:
      return "Dynamic";
    case Type::Kind::kList:
      return "List of " + TypeName(type.ElementType());
    case Type::Kind::kSet:
      return "Set of " + TypeName(type.ElementType());
    case Type::Kind::kMap:
      return "Map of " + TypeName(type.ElementType());
    case Type::Kind::kTuple:
      return "Tuple";
    case Type::Kind::kObject:
      return "Object";
  }
  return "Dynamic";
}

std::string NestingName(Nesting nesting) {
  switch (nesting) {
    case Nesting::kList:
      return " List";
    case Nesting::kSet:
      return " Set";
    case Nesting::kMap:
      return " Map";
    case Nesting::kSingle:
    case Nesting::kGroup:
      break;
  }
  return "";
}

// The front matter's description: the first paragraph, indented as a YAML block scalar.
std::string FrontMatterText(const std::string& markdown) {
  std::string paragraph = markdown.substr(0, markdown.find("\n\n"));
  std::string out = "  ";
  for (char c : paragraph) {
    out += c;
    if (c == '\n') out += "  ";
  }
  return out;
}

std::string FrontMatter(const std::string& title, const std::string& description) {
  return Cat("---\npage_title: \"", title, "\"\nsubcategory: \"\"\ndescription: |-\n",
             FrontMatterText(description), "\n---\n\n");
}

// A nested schema waiting to be written after the section that links to it.
struct Pending {
  std::string anchor;
  std::string path;
  const Block* block = nullptr;
  const std::vector<Attribute>* attributes = nullptr;
};

std::string Anchor(const std::string& kind, const std::string& path) {
  std::string anchor = Cat(kind, "--");
  for (char c : path) anchor += c == '.' ? std::string("--") : std::string(1, c);
  return anchor;
}

std::string Details(const Attribute& attribute) {
  std::string text = attribute.description;
  auto sentence = [&](const std::string& more) {
    if (more.empty()) return;
    if (!text.empty()) text += ' ';
    text += more;
  };
  for (const protocol::Validator& validator : attribute.validators) {
    sentence(validator.description);
  }
  if (attribute.default_value) {
    sentence(Cat("Defaults to `", attribute.default_value->DebugString(), "`."));
  }
  if (attribute.requires_replace) sentence("Changing it replaces the resource.");
  if (attribute.deprecated) sentence(attribute.deprecation_message);
  return text;
}

void WriteAttribute(std::ostringstream& out, const Attribute& attribute, const std::string& path,
                    std::vector<Pending>& pending) {
  std::string kind;
  std::string link;
  if (attribute.nested_attributes.empty()) {
    kind = TypeName(attribute.type);
  } else {
    kind = "Attributes" + NestingName(attribute.nesting);
    const std::string anchor = Anchor("nestedatt", path);
    link = Cat(" (see [below for nested schema](#", anchor, "))");
    pending.push_back(
        Pending{.anchor = anchor, .path = path, .attributes = &attribute.nested_attributes});
  }
  if (attribute.sensitive) kind += ", Sensitive";
  if (attribute.deprecated) kind += ", Deprecated";
  std::string details = Details(attribute);
  out << "- `" << attribute.name << "` (" << kind << ")" << (details.empty() ? "" : " ") << details
      << link << "\n";
}

void WriteBlockLine(std::ostringstream& out, const NestedBlock& block, const std::string& path,
                    const std::string& group, std::vector<Pending>& pending) {
  const std::string anchor = Anchor("nestedblock", path);
  out << "- `" << block.type_name << "` (Block" << NestingName(block.nesting) << ", " << group
      << ")" << (block.block.description.empty() ? "" : " ") << block.block.description
      << " (see [below for nested schema](#" << anchor << "))\n";
  pending.push_back(Pending{.anchor = anchor, .path = path, .block = &block.block});
}

// The Required / Optional / Read-Only groups of one object; `heading` prefixes group names
// ("### " at the top level, plain "Optional:" lines below).
void WriteFields(std::ostringstream& out, const std::vector<Attribute>& attributes,
                 const std::vector<NestedBlock>& blocks, const std::string& path, bool top,
                 std::vector<Pending>& pending) {
  auto prefix = [&](const std::string& name) { return path.empty() ? name : path + "." + name; };
  struct Group {
    const char* name;
    bool (*member)(const Attribute&);
  };
  const Group groups[] = {
      {"Required", [](const Attribute& a) { return a.required; }},
      {"Optional", [](const Attribute& a) { return a.optional; }},
      {"Read-Only", [](const Attribute& a) { return a.computed && !a.optional; }},
  };
  // Alphabetical within each group, as the registry's pages are.
  std::vector<const Attribute*> sorted;
  for (const Attribute& attribute : attributes) sorted.push_back(&attribute);
  std::sort(sorted.begin(), sorted.end(),
            [](const Attribute* a, const Attribute* b) { return a->name < b->name; });
  for (const Group& group : groups) {
    std::ostringstream lines;
    for (const Attribute* each : sorted) {
      const Attribute& attribute = *each;
      if (group.member(attribute))
        WriteAttribute(lines, attribute, prefix(attribute.name), pending);
    }
    const std::string name = group.name;
    for (const NestedBlock& block : blocks) {
      const bool required = block.min_items > 0;
      if ((name == "Required" && required) || (name == "Optional" && !required)) {
        WriteBlockLine(lines, block, prefix(block.type_name), name, pending);
      }
    }
    if (lines.str().empty()) continue;
    out << (top ? "### " : "") << name << (top ? "\n\n" : ":\n\n") << lines.str() << "\n";
  }
}

void WriteSchema(std::ostringstream& out, const Block& block) {
  out << "## Schema\n\n";
  std::vector<Pending> pending;
  WriteFields(out, block.attributes, block.block_types, "", true, pending);
  for (size_t i = 0; i < pending.size(); ++i) {
    const Pending item = pending[i];
    out << "<a id=\"" << item.anchor << "\"></a>\n### Nested Schema for `" << item.path << "`\n\n";
    static const std::vector<NestedBlock> kNoBlocks;
    if (item.block != nullptr) {
      WriteFields(out, item.block->attributes, item.block->block_types, item.path, false, pending);
    } else {
      WriteFields(out, *item.attributes, kNoBlocks, item.path, false, pending);
    }
  }
}

void WriteExample(std::ostringstream& out, const ProviderDocs& docs, const std::string& name) {
  auto it = docs.examples.find(name);
  if (it == docs.examples.end()) return;
  out << "## Example Usage\n\n```terraform\n" << it->second;
  if (!it->second.empty() && it->second.back() != '\n') out << '\n';
  out << "```\n\n";
}

std::string ShortName(const std::string& provider, const std::string& type_name) {
  const std::string prefix = provider + "_";
  return type_name.rfind(prefix, 0) == 0 ? type_name.substr(prefix.size()) : type_name;
}

std::string SchemaPage(const std::string& type_name, const std::string& kind,
                       const protocol::Schema& schema, const ProviderDocs& docs,
                       const std::string& binary) {
  std::ostringstream out;
  out << FrontMatter(Cat(type_name, " ", kind, " - ", binary), schema.block.description);
  out << "# " << type_name << " (" << kind << ")\n\n";
  if (!schema.block.description.empty()) out << schema.block.description << "\n\n";
  WriteExample(out, docs, type_name);
  WriteSchema(out, schema.block);
  std::string page = out.str();
  while (page.size() > 1 && page[page.size() - 1] == '\n' && page[page.size() - 2] == '\n') {
    page.pop_back();
  }
  return page;
}

std::string LowerTypeName(const Type& type) {
  switch (type.kind()) {
    case Type::Kind::kList:
      return "list(" + LowerTypeName(type.ElementType()) + ")";
    case Type::Kind::kSet:
      return "set(" + LowerTypeName(type.ElementType()) + ")";
    case Type::Kind::kMap:
      return "map(" + LowerTypeName(type.ElementType()) + ")";
    default:
      return type.FriendlyName();
  }
}

std::string FunctionPage(const protocol::FunctionDefinition& function, const ProviderDocs& docs,
                         const std::string& binary) {
  std::ostringstream out;
  out << FrontMatter(Cat(function.name, " function - ", binary), function.summary);
  out << "# function: " << function.name << "\n\n";
  if (!function.summary.empty()) out << function.summary << "\n\n";
  if (!function.description.empty()) out << function.description << "\n\n";
  WriteExample(out, docs, function.name);
  out << "## Signature\n\n```text\n" << function.name << "(";
  for (size_t i = 0; i < function.parameters.size(); ++i) {
    out << (i > 0 ? ", " : "") << function.parameters[i].name << " "
        << LowerTypeName(function.parameters[i].type);
  }
  if (function.variadic_parameter) {
    out << (function.parameters.empty() ? "" : ", ") << function.variadic_parameter->name << " ..."
        << LowerTypeName(function.variadic_parameter->type);
  }
  out << ") " << LowerTypeName(function.return_type) << "\n```\n\n## Arguments\n\n";
  int number = 1;
  for (const protocol::FunctionParameter& parameter : function.parameters) {
    out << number++ << ". `" << parameter.name << "` (" << TypeName(parameter.type) << ") "
        << parameter.description << "\n";
  }
  if (function.variadic_parameter) {
    out << number << ". `" << function.variadic_parameter->name << "` (Variadic, "
        << TypeName(function.variadic_parameter->type) << ") "
        << function.variadic_parameter->description << "\n";
  }
  return out.str();
}

std::string IndexPage(const protocol::Provider& provider, const ProviderDocs& docs) {
  std::ostringstream out;
  out << FrontMatter(Cat(docs.title, " Provider"), docs.description);
  out << "# " << docs.title << " Provider\n\n" << docs.description << "\n\n";
  WriteExample(out, docs, "");
  const Block& block = provider.config_schema().block;
  if (block.attributes.empty() && block.block_types.empty()) {
    out << "## Schema\n\nThe provider takes no configuration arguments yet.\n";
    return out.str();
  }
  WriteSchema(out, block);
  std::string page = out.str();
  while (page.size() > 1 && page[page.size() - 1] == '\n' && page[page.size() - 2] == '\n') {
    page.pop_back();
  }
  return page;
}

}  // namespace

std::map<std::string, std::string> GenerateDocs(const protocol::Provider& provider,
                                                const ProviderDocs& docs) {
  const std::string binary = "terraform-provider-" + provider.type_name();
  std::map<std::string, std::string> pages;
  pages["index.md"] = IndexPage(provider, docs);
  for (const auto& [name, resource] : provider.resources()) {
    pages["resources/" + ShortName(provider.type_name(), name) + ".md"] =
        SchemaPage(name, "Resource", resource->schema(), docs, binary);
  }
  for (const auto& [name, data_source] : provider.data_sources()) {
    pages["data-sources/" + ShortName(provider.type_name(), name) + ".md"] =
        SchemaPage(name, "Data Source", data_source->schema(), docs, binary);
  }
  for (const auto& [name, function] : provider.functions()) {
    pages["functions/" + name + ".md"] = FunctionPage(function->definition(), docs, binary);
  }
  return pages;
}

}  // namespace fluxcpp::provider::framework
