#include "lib/manifest/object.h"

#include <utility>

namespace fluxcpp::manifest {

std::string SourceLocation::Describe() const {
  std::string text = file.empty() ? "<input>" : file;
  text += ": document " + std::to_string(document + 1);
  if (line > 0) {
    text += ", line " + std::to_string(line);
    if (column > 0) text += ", column " + std::to_string(column);
  }
  return text;
}

GroupVersionKind GroupVersionKind::FromApiVersion(std::string_view api_version,
                                                  std::string_view kind) {
  GroupVersionKind gvk;
  gvk.kind = kind;
  if (auto slash = api_version.find('/'); slash != std::string_view::npos) {
    gvk.group = api_version.substr(0, slash);
    gvk.version = api_version.substr(slash + 1);
  } else {
    gvk.version = api_version;
  }
  return gvk;
}

std::string GroupVersionKind::ApiVersion() const {
  return group.empty() ? version : group + "/" + version;
}

std::string GroupVersionKind::Describe() const {
  return group.empty() ? kind + "." + version : kind + "." + version + "." + group;
}

Object::Object(Json json, SourceLocation source)
    : json_(std::move(json)), source_(std::move(source)) {}

std::string Object::StringAt(const Json::json_pointer& pointer) const {
  if (!json_.is_object() || !json_.contains(pointer)) return "";
  const Json& value = json_.at(pointer);
  return value.is_string() ? value.get<std::string>() : "";
}

std::map<std::string, std::string> Object::StringMapAt(std::string_view field) const {
  std::map<std::string, std::string> result;
  auto pointer = Json::json_pointer("/metadata/" + std::string(field));
  if (!json_.is_object() || !json_.contains(pointer)) return result;
  const Json& map = json_.at(pointer);
  if (!map.is_object()) return result;
  for (const auto& [key, value] : map.items()) {
    if (value.is_string()) result.emplace(key, value.get<std::string>());
  }
  return result;
}

GroupVersionKind Object::Gvk() const {
  return GroupVersionKind::FromApiVersion(ApiVersion(), Kind());
}
std::string Object::ApiVersion() const { return StringAt(Json::json_pointer("/apiVersion")); }
std::string Object::Kind() const { return StringAt(Json::json_pointer("/kind")); }
std::string Object::Name() const { return StringAt(Json::json_pointer("/metadata/name")); }
std::string Object::Namespace() const {
  return StringAt(Json::json_pointer("/metadata/namespace"));
}

void Object::SetNamespace(std::string_view namespace_name) {
  json_["metadata"]["namespace"] = namespace_name;
}

std::map<std::string, std::string> Object::Labels() const { return StringMapAt("labels"); }
std::map<std::string, std::string> Object::Annotations() const {
  return StringMapAt("annotations");
}

std::string Object::Label(std::string_view key) const {
  auto labels = Labels();
  auto found = labels.find(std::string(key));
  return found == labels.end() ? "" : found->second;
}

std::string Object::Annotation(std::string_view key) const {
  auto annotations = Annotations();
  auto found = annotations.find(std::string(key));
  return found == annotations.end() ? "" : found->second;
}

void Object::SetLabel(std::string_view key, std::string_view value) {
  json_["metadata"]["labels"][std::string(key)] = value;
}

void Object::SetAnnotation(std::string_view key, std::string_view value) {
  json_["metadata"]["annotations"][std::string(key)] = value;
}

std::string Object::Identity() const {
  GroupVersionKind gvk = Gvk();
  return Namespace() + "_" + Name() + "_" + gvk.group + "_" + gvk.kind;
}

std::string Object::Describe() const {
  std::string text = Kind() + "/";
  if (!Namespace().empty()) text += Namespace() + "/";
  return text + Name();
}

}  // namespace fluxcpp::manifest
