// The shape of a kustomization file, checked once when it is read, so that the build steps can
// rely on the types of the fields they use and a wrong type is an error naming the field, as
// kustomize's typed decoding gives one ("labels[0].includeSelectors must be true or false").
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "lib/kustomize/engine.h"

namespace fluxcpp::kustomize {
namespace {

using manifest::Json;

struct Shape {
  enum class Kind { kAny, kScalar, kBool, kInteger, kMap, kList, kObject };
  Kind kind = Kind::kAny;
  std::shared_ptr<const Shape> element;  // kMap values, kList items
  std::map<std::string, Shape> fields;   // kObject: the fields with a known shape
  bool closed = false;                   // kObject: other fields are an error
};

Shape Any() { return {}; }
Shape Scalar() { return {.kind = Shape::Kind::kScalar}; }
Shape Bool() { return {.kind = Shape::Kind::kBool}; }
Shape Integer() { return {.kind = Shape::Kind::kInteger}; }
Shape MapOf(Shape value) {
  return {.kind = Shape::Kind::kMap, .element = std::make_shared<const Shape>(std::move(value))};
}
Shape ListOf(Shape item) {
  return {.kind = Shape::Kind::kList, .element = std::make_shared<const Shape>(std::move(item))};
}
Shape ObjectOf(std::map<std::string, Shape> fields, bool closed = false) {
  return {.kind = Shape::Kind::kObject, .fields = std::move(fields), .closed = closed};
}

Shape Selector() {
  return ObjectOf({{"group", Scalar()},
                   {"version", Scalar()},
                   {"kind", Scalar()},
                   {"name", Scalar()},
                   {"namespace", Scalar()},
                   {"labelSelector", Scalar()},
                   {"annotationSelector", Scalar()}});
}

Shape GeneratorOptions() {
  return ObjectOf({{"labels", MapOf(Scalar())},
                   {"annotations", MapOf(Scalar())},
                   {"disableNameSuffixHash", Bool()},
                   {"immutable", Bool()}});
}

Shape Generator() {
  return ObjectOf({{"name", Scalar()},
                   {"namespace", Scalar()},
                   {"behavior", Scalar()},
                   {"type", Scalar()},
                   {"literals", ListOf(Scalar())},
                   {"files", ListOf(Scalar())},
                   {"envs", ListOf(Scalar())},
                   {"env", Scalar()},
                   {"options", GeneratorOptions()}});
}

Shape ReplacementOptions() {
  return ObjectOf({{"delimiter", Scalar()}, {"index", Integer()}, {"create", Bool()}});
}

Shape Replacement() {
  Shape source = Selector();
  source.fields["fieldPath"] = Scalar();
  source.fields["options"] = ReplacementOptions();
  return ObjectOf({{"path", Scalar()},
                   {"source", source},
                   {"targets", ListOf(ObjectOf({{"select", Selector()},
                                                {"reject", ListOf(Selector())},
                                                {"fieldPaths", ListOf(Scalar())},
                                                {"options", ReplacementOptions()}}))}});
}

const Shape& KustomizationShape() {
  static const Shape kShape = ObjectOf(
      {{"apiVersion", Scalar()},
       {"kind", Scalar()},
       {"metadata", MapOf(Any())},
       {"resources", ListOf(Scalar())},
       {"bases", ListOf(Scalar())},
       {"components", ListOf(Scalar())},
       {"crds", ListOf(Scalar())},
       {"namespace", Scalar()},
       {"namePrefix", Scalar()},
       {"nameSuffix", Scalar()},
       {"commonLabels", MapOf(Scalar())},
       {"commonAnnotations", MapOf(Scalar())},
       {"labels", ListOf(ObjectOf({{"pairs", MapOf(Scalar())},
                                   {"includeSelectors", Bool()},
                                   {"includeTemplates", Bool()},
                                   {"fields", ListOf(ObjectOf({{"path", Scalar()},
                                                               {"group", Scalar()},
                                                               {"version", Scalar()},
                                                               {"kind", Scalar()},
                                                               {"create", Bool()}}))}}))},
       {"images", ListOf(ObjectOf({{"name", Scalar()},
                                   {"newName", Scalar()},
                                   {"newTag", Scalar()},
                                   {"digest", Scalar()}}))},
       {"replicas", ListOf(ObjectOf({{"name", Scalar()}, {"count", Integer()}}))},
       {"configMapGenerator", ListOf(Generator())},
       {"secretGenerator", ListOf(Generator())},
       {"generatorOptions", GeneratorOptions()},
       {"patches", ListOf(ObjectOf({{"path", Scalar()},
                                    {"patch", Scalar()},
                                    {"target", Selector()},
                                    {"options", ObjectOf({{"allowNameChange", Bool()},
                                                          {"allowKindChange", Bool()}})}}))},
       {"patchesStrategicMerge", ListOf(Scalar())},
       {"patchesJson6902",
        ListOf(ObjectOf({{"path", Scalar()}, {"patch", Scalar()}, {"target", Selector()}}))},
       {"replacements", ListOf(Replacement())},
       {"buildMetadata", ListOf(Scalar())},
       {"sortOptions", MapOf(Any())}},
      /*closed=*/true);
  return kShape;
}

std::string Expected(Shape::Kind kind) {
  switch (kind) {
    case Shape::Kind::kScalar:
      return "must be a string";
    case Shape::Kind::kBool:
      return "must be true or false";
    case Shape::Kind::kInteger:
      return "must be a whole number";
    case Shape::Kind::kMap:
    case Shape::Kind::kObject:
      return "must be a mapping";
    case Shape::Kind::kList:
      return "must be a list";
    case Shape::Kind::kAny:
      break;
  }
  return "";
}

bool Fits(Shape::Kind kind, const Json& value) {
  switch (kind) {
    case Shape::Kind::kAny:
      return true;
    case Shape::Kind::kScalar:
      return value.is_string() || value.is_number() || value.is_boolean();
    case Shape::Kind::kBool:
      return value.is_boolean();
    case Shape::Kind::kInteger:
      return value.is_number_integer();
    case Shape::Kind::kMap:
    case Shape::Kind::kObject:
      return value.is_object();
    case Shape::Kind::kList:
      return value.is_array();
  }
  return false;
}

// The first place where `value` does not fit `shape`, as "<path> <what is expected>".
std::optional<std::string> Mismatch(const Shape& shape, const Json& value,
                                    const std::string& path) {
  if (!Fits(shape.kind, value)) return path + " " + Expected(shape.kind);
  if (shape.kind == Shape::Kind::kList) {
    for (size_t i = 0; i < value.size(); ++i) {
      auto found = Mismatch(*shape.element, value[i], path + "[" + std::to_string(i) + "]");
      if (found) return found;
    }
  } else if (shape.kind == Shape::Kind::kMap) {
    for (const auto& [key, item] : value.items()) {
      auto found = Mismatch(*shape.element, item, path + "." + key);
      if (found) return found;
    }
  } else if (shape.kind == Shape::Kind::kObject) {
    for (const auto& [key, item] : value.items()) {
      std::string item_path = path.empty() ? key : path + "." + key;
      auto field = shape.fields.find(key);
      if (field == shape.fields.end()) {
        if (shape.closed) return "field " + item_path + " is not supported";
        continue;
      }
      auto found = Mismatch(field->second, item, item_path);
      if (found) return found;
    }
  }
  return std::nullopt;
}

}  // namespace

absl::Status CheckKustomizationShape(const Json& json, const std::string& file) {
  std::optional<std::string> mismatch = Mismatch(KustomizationShape(), json, "");
  if (!mismatch) return absl::OkStatus();
  if (mismatch->starts_with("field ")) return absl::UnimplementedError(file + ": " + *mismatch);
  return absl::InvalidArgumentError(file + ": " + *mismatch);
}

}  // namespace fluxcpp::kustomize
