#include "lib/kustomize/field_spec.h"

namespace fluxcpp::kustomize {

using manifest::Json;

bool FieldSpec::Selects(const manifest::GroupVersionKind& gvk) const {
  return (group.empty() || group == gvk.group) && (version.empty() || version == gvk.version) &&
         (kind.empty() || kind == gvk.kind);
}

std::vector<std::string> SplitFieldPath(std::string_view path) {
  std::vector<std::string> segments;
  std::string current;
  for (size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '\\' && i + 1 < path.size() && path[i + 1] == '/') {
      current += '/';
      ++i;
    } else if (path[i] == '/') {
      segments.push_back(std::move(current));
      current.clear();
    } else {
      current += path[i];
    }
  }
  segments.push_back(std::move(current));
  for (std::string& segment : segments) {
    if (segment.ends_with("[]")) segment.resize(segment.size() - 2);
  }
  return segments;
}

namespace {

void Visit(Json& node, const std::vector<std::string>& path, size_t index, bool create,
           const std::function<void(Json&)>& visit) {
  if (node.is_array()) {
    for (Json& element : node) Visit(element, path, index, create, visit);
    return;
  }
  if (index == path.size()) {
    visit(node);
    return;
  }
  if (node.is_null() && create) node = Json::object();
  if (!node.is_object()) return;
  const std::string& key = path[index];
  auto found = node.find(key);
  if (found == node.end()) {
    if (!create) return;
    node[key] = index + 1 == path.size() ? Json(nullptr) : Json::object();
    found = node.find(key);
  } else if (found->is_null() && !create) {
    return;
  }
  Visit(*found, path, index + 1, create, visit);
}

}  // namespace

void VisitField(Json& node, const std::vector<std::string>& path, bool create,
                const std::function<void(Json&)>& visit) {
  Visit(node, path, 0, create, visit);
}

std::vector<FieldSpec> PodTemplateSpecs(std::string_view suffix, bool create) {
  std::string tail(suffix);
  return {
      {.version = "v1",
       .kind = "ReplicationController",
       .path = "spec/template/" + tail,
       .create = create},
      {.kind = "Deployment", .path = "spec/template/" + tail, .create = create},
      {.kind = "ReplicaSet", .path = "spec/template/" + tail, .create = create},
      {.kind = "DaemonSet", .path = "spec/template/" + tail, .create = create},
      {.group = "apps", .kind = "StatefulSet", .path = "spec/template/" + tail, .create = create},
      {.group = "batch", .kind = "Job", .path = "spec/template/" + tail, .create = create},
      {.group = "batch", .kind = "CronJob", .path = "spec/jobTemplate/" + tail, .create = create},
      {.group = "batch",
       .kind = "CronJob",
       .path = "spec/jobTemplate/spec/template/" + tail,
       .create = create},
  };
}

}  // namespace fluxcpp::kustomize
