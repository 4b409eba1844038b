// Kubernetes objects as data: a JSON document (keys in the order they were written) together with
// where it came from, so that every later error can name the file and document of the object at
// fault.
//
// Object is a value type; copies are independent. It is not synchronised: share it between threads
// only for reading.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace fluxcpp::manifest {

// Key order is kept: objects written back (to Git, to the API server) read the way their author
// wrote them.
using Json = nlohmann::ordered_json;

// Where an object was read from. `document` counts from 0 in a multi-document stream; `line` and
// `column` count from 1 and are 0 when unknown.
struct SourceLocation {
  std::string file;
  int document = 0;
  int line = 0;
  int column = 0;

  // "apps/web.yaml: document 2, line 14, column 3", leaving out what is unknown.
  std::string Describe() const;
};

struct GroupVersionKind {
  std::string group;    // "" for the core group
  std::string version;  // "v1"
  std::string kind;     // "Deployment"

  // Splits an apiVersion ("apps/v1", or "v1" for the core group).
  static GroupVersionKind FromApiVersion(std::string_view api_version, std::string_view kind);
  std::string ApiVersion() const;
  // "Deployment.v1.apps", "ConfigMap.v1" for the core group.
  std::string Describe() const;

  friend bool operator==(const GroupVersionKind&, const GroupVersionKind&) = default;
};

class Object {
 public:
  Object() = default;
  explicit Object(Json json, SourceLocation source = {});

  const Json& json() const { return json_; }
  Json& json() { return json_; }
  const SourceLocation& source() const { return source_; }

  GroupVersionKind Gvk() const;
  std::string ApiVersion() const;
  std::string Kind() const;
  std::string Name() const;
  // Empty for cluster-scoped objects and for namespaced objects that leave it to the default.
  std::string Namespace() const;
  void SetNamespace(std::string_view namespace_name);

  std::map<std::string, std::string> Labels() const;
  std::map<std::string, std::string> Annotations() const;
  // Empty when the label or annotation is not set.
  std::string Label(std::string_view key) const;
  std::string Annotation(std::string_view key) const;
  void SetLabel(std::string_view key, std::string_view value);
  void SetAnnotation(std::string_view key, std::string_view value);

  // The inventory identity Flux records for applied objects: `<namespace>_<name>_<group>_<kind>`.
  std::string Identity() const;
  // For messages: "Deployment/apps/web" (namespaced) or "ClusterRole/reader" (cluster-scoped).
  std::string Describe() const;

 private:
  std::string StringAt(const Json::json_pointer& pointer) const;
  std::map<std::string, std::string> StringMapAt(std::string_view field) const;

  Json json_ = Json::object();
  SourceLocation source_;
};

}  // namespace fluxcpp::manifest
