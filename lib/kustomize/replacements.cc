// replacements: copy a field of one resource (the source) into fields of others (the targets), as
// kustomize's ReplacementTransformer does. Field paths are kyaml's: dot-separated, with
// `[name=value]` picking a sequence element by a field, a number picking it by index, `*` every
// element, and `[a.b/c]` a key holding dots.
#include <limits>
#include <optional>

#include "lib/kustomize/engine.h"
#include "lib/manifest/wipe.h"
#include "lib/manifest/yaml.h"

namespace fluxcpp::kustomize {

using manifest::Json;

namespace {

// "spec.containers.[name=a.b].image" → {"spec", "containers", "[name=a.b]", "image"}.
std::vector<std::string> SplitPath(const std::string& path) {
  std::vector<std::string> segments;
  std::string current;
  int depth = 0;
  for (char c : path) {
    if (c == '[') ++depth;
    if (c == ']') --depth;
    if (c == '.' && depth == 0) {
      segments.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  segments.push_back(current);
  return segments;
}

bool IsIndex(const std::string& segment) {
  return !segment.empty() && segment.find_first_not_of("0123456789") == std::string::npos;
}

// Collects the nodes at `path` below `node`; with `create`, absent map fields and `[k=v]`
// elements are made (the last one as null).
void Find(Json& node, const std::vector<std::string>& path, size_t at, bool create,
          std::vector<Json*>& found) {
  if (at == path.size()) {
    found.push_back(&node);
    return;
  }
  const std::string& segment = path[at];
  bool last = at + 1 == path.size();
  if (segment.size() > 2 && segment.front() == '[' && segment.back() == ']') {
    std::string inner = segment.substr(1, segment.size() - 2);
    size_t equals = inner.find('=');
    if (equals == std::string::npos) {
      // `[a.b/c]`: a map key holding dots.
      if (!node.is_object()) {
        if (!create || !node.is_null()) return;
        node = Json::object();
      }
      if (!node.contains(inner)) {
        if (!create) return;
        node[inner] = last ? Json() : Json::object();
      }
      Find(node[inner], path, at + 1, create, found);
      return;
    }
    if (!node.is_array()) {
      if (!create || !node.is_null()) return;
      node = Json::array();
    }
    std::string key = inner.substr(0, equals), value = inner.substr(equals + 1);
    bool matched = false;
    for (Json& element : node) {
      bool matches = key.empty() ? (element.is_primitive() && ScalarText(element) == value)
                                 : (element.is_object() && element.contains(key) &&
                                    ScalarText(element[key]) == value);
      if (matches) {
        matched = true;
        Find(element, path, at + 1, create, found);
      }
    }
    if (!matched && create && !key.empty()) {
      Json element = Json::object();
      element[key] = value;
      node.push_back(std::move(element));
      Find(node.back(), path, at + 1, create, found);
    }
    return;
  }
  if (segment == "*" && node.is_array()) {
    for (Json& element : node) Find(element, path, at + 1, create, found);
    return;
  }
  if (node.is_array() && IsIndex(segment)) {
    size_t index = std::stoul(segment);
    if (index < node.size()) Find(node[index], path, at + 1, create, found);
    return;
  }
  if (!node.is_object()) {
    if (!create || !node.is_null()) return;
    node = Json::object();
  }
  if (!node.contains(segment)) {
    if (!create) return;
    node[segment] = last ? Json() : Json::object();
  }
  Find(node[segment], path, at + 1, create, found);
}

// Whether the resource, under any name it had, is picked by a selector (exact fields, no regex).
absl::StatusOr<bool> Selected(const Resource& resource, const Json& selector) {
  if (!selector.is_object()) return false;
  auto field = [&](const char* name) {
    return selector.contains(name) ? ScalarText(selector[name]) : std::string();
  };
  std::vector<ResourceId> ids = resource.previous_ids;
  ids.push_back(resource.CurrentId());
  bool id_matches = false;
  for (const ResourceId& id : ids) {
    if (!field("group").empty() && field("group") != id.gvk.group) continue;
    if (!field("version").empty() && field("version") != id.gvk.version) continue;
    if (!field("kind").empty() && field("kind") != id.gvk.kind) continue;
    if (!field("name").empty() && field("name") != id.name) continue;
    if (!field("namespace").empty() && field("namespace") != id.EffectiveNamespace()) continue;
    id_matches = true;
    break;
  }
  if (!id_matches) return false;
  if (!field("labelSelector").empty()) {
    auto matches = MatchesSelector(field("labelSelector"), resource.object.Labels());
    if (!matches.ok() || !*matches) return matches;
  }
  if (!field("annotationSelector").empty()) {
    auto matches = MatchesSelector(field("annotationSelector"), resource.object.Annotations());
    if (!matches.ok() || !*matches) return matches;
  }
  return true;
}

// "Secret.[noVer].[noGrp]/missing.[noNs]", as kustomize prints a selector.
std::string DescribeSelector(const Json& selector) {
  auto field = [&](const char* name, const char* absent) {
    std::string value = selector.contains(name) ? ScalarText(selector[name]) : "";
    return value.empty() ? std::string(absent) : value;
  };
  return field("kind", "[noKind]") + "." + field("version", "[noVer]") + "." +
         field("group", "[noGrp]") + "/" + field("name", "[noName]") + "." +
         field("namespace", "[noNs]");
}

bool IsScalar(const Json& value) { return value.is_primitive(); }

// kyaml keeps a scalar target's type and takes only the source's text.
Json Retyped(const Json& target, const std::string& text) {
  if (target.is_string()) return text;
  if (target.is_boolean()) {
    if (text == "true") return true;
    if (text == "false") return false;
    return text;
  }
  if (target.is_number()) {
    Json parsed = Json::parse(text, nullptr, false);
    if (!parsed.is_discarded() && parsed.is_number()) return parsed;
  }
  return text;
}

// Options of the wrong type are errors naming them, as kustomize's strict decoding refuses them
// (`create: "yes"`, `index: one`); a missing option takes its default.
absl::StatusOr<bool> CreateOption(const Json& options, const std::string& where) {
  auto found = options.find("create");
  if (found == options.end() || found->is_null()) return false;
  if (!found->is_boolean()) {
    return absl::InvalidArgumentError(where + ": options.create must be true or false, not " +
                                      found->dump());
  }
  return found->get<bool>();
}

absl::StatusOr<int> IndexOption(const Json& options, const std::string& where) {
  auto found = options.find("index");
  if (found == options.end() || found->is_null()) return 0;
  if (!found->is_number_integer() || found->get<int64_t>() < std::numeric_limits<int>::min() ||
      found->get<int64_t>() > std::numeric_limits<int>::max()) {
    return absl::InvalidArgumentError(where + ": options.index must be an integer, not " +
                                      found->dump());
  }
  return found->get<int>();
}

absl::Status SetValue(Json& target, const Json& value, const Json& options,
                      const std::string& where) {
  std::string delimiter =
      options.is_object() && options.contains("delimiter") ? ScalarText(options["delimiter"]) : "";
  if (!delimiter.empty()) {
    if (!IsScalar(target)) {
      return absl::InvalidArgumentError(where +
                                        ": delimiter option can only be used with scalar nodes");
    }
    std::vector<std::string> parts;
    std::string text = ScalarText(target);
    size_t start = 0;
    while (true) {
      size_t next = text.find(delimiter, start);
      if (next == std::string::npos) {
        parts.push_back(text.substr(start));
        break;
      }
      parts.push_back(text.substr(start, next - start));
      start = next + delimiter.size();
    }
    absl::StatusOr<int> index_option = IndexOption(options, where);
    if (!index_option.ok()) return index_option.status();
    int index = *index_option;
    std::string part = ScalarText(value);
    if (index < 0) {
      parts.insert(parts.begin(), part);
    } else if (static_cast<size_t>(index) >= parts.size()) {
      parts.push_back(part);
    } else {
      parts[index] = part;
    }
    std::string joined;
    for (size_t i = 0; i < parts.size(); ++i) joined += (i ? delimiter : "") + parts[i];
    target = Retyped(target, joined);
    return absl::OkStatus();
  }
  if (IsScalar(target) && IsScalar(value)) {
    // A field the replacement created is a string scalar until given a value.
    target = target.is_null() ? Json(ScalarText(value)) : Retyped(target, ScalarText(value));
  } else {
    target = value;
  }
  return absl::OkStatus();
}

absl::Status Replace(const Json& replacement, const std::string& where,
                     std::vector<Resource>& resources) {
  if (!replacement.is_object() || !replacement.contains("source") ||
      !replacement["source"].is_object()) {
    return absl::InvalidArgumentError(where + ": a replacement needs a source");
  }
  const Json& source = replacement["source"];
  const Resource* from = nullptr;
  for (const Resource& resource : resources) {
    auto selected = Selected(resource, source);
    if (!selected.ok()) return Prefixed(selected.status(), where);
    if (!*selected) continue;
    if (from != nullptr) {
      return absl::InvalidArgumentError(where + ": multiple matches for selector " +
                                        DescribeSelector(source));
    }
    from = &resource;
  }
  if (from == nullptr) {
    return absl::NotFoundError(where + ": nothing selected by " + DescribeSelector(source));
  }
  std::string field_path = source.contains("fieldPath") ? ScalarText(source["fieldPath"]) : "";
  if (field_path.empty()) field_path = "metadata.name";
  Json source_json = from->object.json();
  std::vector<Json*> values;
  Find(source_json, SplitPath(field_path), 0, false, values);
  Json value = values.size() == 1 ? *values.front() : Json();
  // The copy of a Secret is wiped, not only freed; the value taken from it goes to its targets.
  if (from->object.Kind() == "Secret") manifest::WipeJson(source_json);
  if (values.size() != 1) {
    return absl::InvalidArgumentError(where + ": fieldPath `" + field_path +
                                      "` is missing for replacement source " +
                                      from->CurrentId().Describe());
  }
  if (source.contains("options") && source["options"].is_object()) {
    const Json& options = source["options"];
    std::string delimiter = options.contains("delimiter") ? ScalarText(options["delimiter"]) : "";
    if (!delimiter.empty() && value.is_string()) {
      std::string text = value.get<std::string>();
      std::vector<std::string> parts;
      size_t start = 0;
      while (true) {
        size_t next = text.find(delimiter, start);
        parts.push_back(text.substr(start, next == std::string::npos ? next : next - start));
        if (next == std::string::npos) break;
        start = next + delimiter.size();
      }
      absl::StatusOr<int> index_option = IndexOption(options, where);
      if (!index_option.ok()) return index_option.status();
      int index = *index_option;
      if (index < 0 || static_cast<size_t>(index) >= parts.size()) {
        return absl::InvalidArgumentError(where + ": options.index " + std::to_string(index) +
                                          " is out of bounds for value " + text);
      }
      value = parts[index];
    }
  }
  for (const Json& target : replacement.value("targets", Json::array())) {
    if (!target.is_object() || !target.contains("select")) {
      return absl::InvalidArgumentError(where + ": a replacement target needs select");
    }
    const Json& options = target.value("options", Json::object());
    absl::StatusOr<bool> create_option =
        options.is_object() ? CreateOption(options, where) : absl::StatusOr<bool>(false);
    if (!create_option.ok()) return create_option.status();
    bool create = *create_option;
    for (Resource& resource : resources) {
      auto selected = Selected(resource, target["select"]);
      if (!selected.ok()) return Prefixed(selected.status(), where);
      if (!*selected) continue;
      bool rejected = false;
      for (const Json& reject : target.value("reject", Json::array())) {
        auto matches = Selected(resource, reject);
        if (!matches.ok()) return Prefixed(matches.status(), where);
        rejected = rejected || *matches;
      }
      if (rejected) continue;
      for (const Json& path : target.value("fieldPaths", Json::array())) {
        std::vector<Json*> fields;
        Find(resource.object.json(), SplitPath(ScalarText(path)), 0, create, fields);
        if (fields.empty()) {
          return absl::InvalidArgumentError(where + ": unable to find field \"" + ScalarText(path) +
                                            "\" in replacement target " +
                                            resource.CurrentId().Describe());
        }
        for (Json* field : fields) {
          absl::Status status = SetValue(*field, value, options, where);
          if (!status.ok()) return status;
        }
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status RunReplacements(const Kustomization& kustomization, const Loader& loader,
                             std::vector<Resource>& resources) {
  std::string where = kustomization.Describe(loader);
  for (const Json& entry : kustomization.List("replacements")) {
    if (entry.is_object() && entry.contains("path")) {
      auto path = loader.Resolve(kustomization.dir, ScalarText(entry["path"]));
      if (!path.ok()) return Prefixed(path.status(), where);
      auto text = loader.Read(*path);
      if (!text.ok()) return text.status();
      std::string origin = loader.Display(*path);
      auto documents = manifest::ParseYamlDocuments(*text, origin,
                                                    {.typing = manifest::ScalarTyping::kKustomize});
      if (!documents.ok()) return documents.status();
      for (const manifest::Document& document : *documents) {
        if (document.json.is_array()) {
          for (const Json& replacement : document.json) {
            absl::Status status = Replace(replacement, origin, resources);
            if (!status.ok()) return status;
          }
        } else {
          absl::Status status = Replace(document.json, origin, resources);
          if (!status.ok()) return status;
        }
      }
      continue;
    }
    absl::Status status = Replace(entry, where + ": replacements", resources);
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

}  // namespace fluxcpp::kustomize
