// kustomize's field specs: which field of which kinds a transformer touches, as a slash-separated
// path that crosses sequences element by element. Private to lib/kustomize.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/manifest/object.h"

namespace fluxcpp::kustomize {

struct FieldSpec {
  std::string group;    // empty: any group
  std::string version;  // empty: any version
  std::string kind;     // empty: any kind
  std::string path;     // "spec/template/metadata/labels"; `[]` after a segment is allowed
  bool create = false;  // create the field (and missing maps above it) when absent

  bool Selects(const manifest::GroupVersionKind& gvk) const;
};

// "metadata/annotations/a\/b" → {"metadata", "annotations", "a/b"}; "[]" suffixes dropped.
std::vector<std::string> SplitFieldPath(std::string_view path);

// Calls `visit` with every value found at `path` below `node`, stepping into each element of the
// sequences met on the way. With `create`, absent mappings on the way are created and the last
// field is created as null for `visit` to fill.
void VisitField(manifest::Json& node, const std::vector<std::string>& path, bool create,
                const std::function<void(manifest::Json&)>& visit);

// The field specs of the workload kinds whose pod template sits at `template_path` under
// `suffix`: {Deployment, "spec/template/" + suffix}, {CronJob, "spec/jobTemplate/spec/template/" +
// suffix}, ….
std::vector<FieldSpec> PodTemplateSpecs(std::string_view suffix, bool create);

}  // namespace fluxcpp::kustomize
