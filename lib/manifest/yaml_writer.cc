#include <yaml-cpp/emitter.h>

#include "lib/manifest/scalar.h"
#include "lib/manifest/yaml.h"

namespace fluxcpp::manifest {
namespace {

// Keys longer than this are written as explicit `? key` entries, as go-yaml does: YAML caps
// implicit keys at 1024 characters, and escapes can make a key several times longer than its bytes.
constexpr size_t kImplicitKeyLimit = 128;

// A literal block (`|`) keeps exactly one final newline and cannot start with a space; other
// multi-line strings are written double-quoted with escapes.
bool FitsLiteralBlock(const std::string& text) {
  if (text.size() < 2 || text.back() != '\n' || text[text.size() - 2] == '\n') return false;
  if (text.front() == ' ' || text.front() == '\n') return false;
  return text.find('\r') == std::string::npos;
}

void EmitString(YAML::Emitter& out, const std::string& text) {
  // A carriage return is a line break to YAML as well: written raw, it would end the scalar.
  if (text.find_first_of("\n\r") != std::string::npos) {
    out << (FitsLiteralBlock(text) ? YAML::Literal : YAML::DoubleQuoted) << text;
  } else if (NeedsQuotes(text)) {
    out << YAML::DoubleQuoted << text;
  } else {
    out << text;  // yaml-cpp quotes on its own what is not a valid plain scalar
  }
}

void Emit(YAML::Emitter& out, const Json& value) {
  switch (value.type()) {
    case Json::value_t::object:
      if (value.empty()) {
        out << YAML::Flow << YAML::BeginMap << YAML::EndMap;
        return;
      }
      out << YAML::BeginMap;
      for (const auto& [key, item] : value.items()) {
        out << YAML::Key;
        if (key.size() > kImplicitKeyLimit) out << YAML::LongKey;
        EmitString(out, key);
        out << YAML::Value;
        Emit(out, item);
      }
      out << YAML::EndMap;
      return;
    case Json::value_t::array:
      if (value.empty()) {
        out << YAML::Flow << YAML::BeginSeq << YAML::EndSeq;
        return;
      }
      out << YAML::BeginSeq;
      for (const Json& item : value) Emit(out, item);
      out << YAML::EndSeq;
      return;
    case Json::value_t::string:
      EmitString(out, value.get<std::string>());
      return;
    case Json::value_t::null:
      out << YAML::Null;
      return;
    case Json::value_t::boolean:
      out << (value.get<bool>() ? "true" : "false");
      return;
    default:  // numbers: JSON's own spelling reads back as the same number
      out << value.dump();
      return;
  }
}

}  // namespace

std::string ToYaml(const Json& value) {
  YAML::Emitter out;
  out.SetIndent(2);
  Emit(out, value);
  std::string text = out.c_str();
  if (!text.empty() && text.back() != '\n') text += '\n';
  return text;
}

std::string ToYaml(const std::vector<Object>& objects) {
  std::string text;
  for (const Object& object : objects) {
    text += "---\n";
    text += ToYaml(object.json());
  }
  return text;
}

}  // namespace fluxcpp::manifest
