// configMapGenerator and secretGenerator.
#include <openssl/evp.h>

#include <algorithm>

#include "lib/kustomize/engine.h"
#include "lib/manifest/wipe.h"
#include "lib/manifest/yaml.h"

namespace fluxcpp::kustomize {

namespace fs = std::filesystem;
using manifest::Json;

namespace {

std::string Base64(std::string_view data) {
  // EVP_EncodeBlock also writes a terminating NUL, which lands on the string's own terminator.
  std::string out(4 * ((data.size() + 2) / 3), '\0');
  if (!data.empty()) {
    EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                    reinterpret_cast<const unsigned char*>(data.data()),
                    static_cast<int>(data.size()));
  }
  return out;
}

// kyaml stores long base64 values of generated Secrets as 70-character lines, each ending in a
// newline (so they print as literal blocks). The unwrapped text is wiped: it encodes a secret.
std::string WrapBase64(std::string encoded) {
  constexpr size_t kLine = 70;
  if (encoded.size() <= kLine) return encoded;
  std::string wrapped;
  wrapped.reserve(encoded.size() + encoded.size() / kLine + 1);
  for (size_t i = 0; i < encoded.size(); i += kLine) {
    wrapped.append(encoded, i, kLine);
    wrapped += '\n';
  }
  manifest::WipeString(encoded);
  return wrapped;
}

// Wipes a string holding a secret generator's plaintext when it goes out of scope, on every path.
class WipeOnExit {
 public:
  explicit WipeOnExit(std::string* text) : text_(text) {}
  WipeOnExit(const WipeOnExit&) = delete;
  WipeOnExit& operator=(const WipeOnExit&) = delete;
  ~WipeOnExit() {
    if (text_ != nullptr) manifest::WipeString(*text_);
  }

 private:
  std::string* text_;
};

std::string RemoveQuotes(const std::string& value) {
  if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
      value.back() == value.front()) {
    return value.substr(1, value.size() - 2);
  }
  return value;
}

struct Options {
  Json labels = Json::object();
  Json annotations = Json::object();
  bool disable_hash = false;
  bool immutable = false;
};

void MergeOptions(Options& options, const Json& json) {
  if (!json.is_object()) return;
  for (const char* field : {"labels", "annotations"}) {
    if (json.contains(field) && json[field].is_object()) {
      Json& into = std::string(field) == "labels" ? options.labels : options.annotations;
      for (const auto& [key, value] : json[field].items()) into[key] = ScalarText(value);
    }
  }
  if (json.contains("disableNameSuffixHash") && json["disableNameSuffixHash"].is_boolean()) {
    options.disable_hash = json["disableNameSuffixHash"].get<bool>();
  }
  if (json.contains("immutable") && json["immutable"].is_boolean()) {
    options.immutable = json["immutable"].get<bool>();
  }
}

class Generator {
 public:
  Generator(const Kustomization& kustomization, const Loader& loader, bool secret)
      : kustomization_(kustomization), loader_(loader), secret_(secret) {}
  Generator(const Generator&) = delete;
  Generator& operator=(const Generator&) = delete;
  ~Generator() { ClearCollected(); }

  absl::StatusOr<Resource> Make(const Json& spec) {
    where_ = kustomization_.Describe(loader_) + ": " +
             (secret_ ? "secretGenerator" : "configMapGenerator");
    if (!spec.is_object() || !spec.contains("name")) {
      return absl::InvalidArgumentError(where_ + ": every generator needs a name");
    }
    std::string name = ScalarText(spec["name"]);
    where_ += " " + name;
    ClearCollected();
    if (auto status = AddLiterals(spec); !status.ok()) return status;
    if (auto status = AddEnvs(spec); !status.ok()) return status;
    if (auto status = AddFiles(spec); !status.ok()) return status;

    Options options;
    MergeOptions(options, kustomization_.json.value("generatorOptions", Json::object()));
    MergeOptions(options, spec.value("options", Json::object()));

    Json object = Json::object();
    object["apiVersion"] = "v1";
    object["kind"] = secret_ ? "Secret" : "ConfigMap";
    Json metadata = Json::object();
    metadata["name"] = name;
    if (spec.contains("namespace") && !ScalarText(spec["namespace"]).empty()) {
      metadata["namespace"] = ScalarText(spec["namespace"]);
    }
    if (!options.labels.empty()) metadata["labels"] = options.labels;
    if (!options.annotations.empty()) metadata["annotations"] = options.annotations;
    object["metadata"] = std::move(metadata);
    if (secret_) {
      std::string type = spec.contains("type") ? ScalarText(spec["type"]) : "";
      object["type"] = type.empty() ? "Opaque" : type;
      Json encoded = Json::object();
      for (auto& [key, value] : data_.items()) {
        encoded[key] = WrapBase64(Base64(value.get_ref<const std::string&>()));
      }
      for (auto& [key, value] : binary_data_.items()) {
        encoded[key] = WrapBase64(std::move(value.get_ref<std::string&>()));
      }
      ClearCollected();
      if (!encoded.empty()) object["data"] = std::move(encoded);
    } else {
      if (!data_.empty()) object["data"] = std::move(data_);
      if (!binary_data_.empty()) object["binaryData"] = std::move(binary_data_);
    }
    if (options.immutable) object["immutable"] = true;

    Resource resource{.object = manifest::Object(std::move(object))};
    resource.needs_hash_suffix = !options.disable_hash;
    resource.generator_behavior =
        spec.contains("behavior") ? ScalarText(spec["behavior"]) : "create";
    if (resource.generator_behavior.empty()) resource.generator_behavior = "create";
    return resource;
  }

 private:
  // The plaintext gathered for one generator; a Secret's is wiped, not only freed.
  void ClearCollected() {
    if (secret_) {
      manifest::WipeJson(data_);
      manifest::WipeJson(binary_data_);
    }
    data_ = Json::object();
    binary_data_ = Json::object();
  }

  absl::Status Put(const std::string& key, std::string value, bool from_file) {
    WipeOnExit wipe_value(secret_ ? &value : nullptr);
    if (data_.contains(key) || binary_data_.contains(key)) {
      return absl::InvalidArgumentError(where_ + ": key " + key + " is defined twice");
    }
    if (from_file && manifest::FirstInvalidUtf8(value) != std::string_view::npos) {
      binary_data_[key] = Base64(value);
    } else {
      data_[key] = std::move(value);
    }
    return absl::OkStatus();
  }

  absl::Status AddLiterals(const Json& spec) {
    for (const Json& literal : spec.value("literals", Json::array())) {
      std::string text = ScalarText(literal);
      size_t equals = text.find('=');
      if (equals == std::string::npos) {
        return absl::InvalidArgumentError(where_ + ": literal \"" + text +
                                          "\" is not of the form key=value");
      }
      auto status = Put(text.substr(0, equals), RemoveQuotes(text.substr(equals + 1)), false);
      if (!status.ok()) return status;
    }
    return absl::OkStatus();
  }

  absl::Status AddEnvs(const Json& spec) {
    std::vector<std::string> files;
    for (const Json& env : spec.value("envs", Json::array())) files.push_back(ScalarText(env));
    if (spec.contains("env")) files.push_back(ScalarText(spec["env"]));
    for (const std::string& file : files) {
      auto path = loader_.Resolve(kustomization_.dir, file);
      if (!path.ok()) return Prefixed(path.status(), where_);
      auto text = secret_ ? loader_.ReadSecretSource(*path) : loader_.Read(*path);
      if (!text.ok()) return text.status();
      std::string content = std::move(*text);
      WipeOnExit wipe_content(secret_ ? &content : nullptr);
      if (auto status = AddEnvLines(content, loader_.Display(*path)); !status.ok()) return status;
    }
    return absl::OkStatus();
  }

  // The lines of one env file, read as views of `content` so no copy of a secret is left behind.
  absl::Status AddEnvLines(std::string_view content, const std::string& file) {
    if (content.starts_with("\xEF\xBB\xBF")) content.remove_prefix(3);
    int line_number = 0;
    while (!content.empty()) {
      size_t end = content.find('\n');
      std::string_view line = content.substr(0, end);
      content.remove_prefix(end == std::string_view::npos ? content.size() : end + 1);
      ++line_number;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      size_t first = line.find_first_not_of(" \t");
      if (first == std::string_view::npos || line[first] == '#') continue;
      line.remove_prefix(first);
      if (manifest::FirstInvalidUtf8(line) != std::string_view::npos) {
        return absl::InvalidArgumentError(file + ": line " + std::to_string(line_number) +
                                          " is not UTF-8 text");
      }
      // A line without `=` names a key whose value kustomize would take from its environment;
      // builds give it none, so the key is there with an empty value, as in kustomize build.
      size_t equals = line.find('=');
      std::string_view key = line.substr(0, equals);
      std::string_view value =
          equals == std::string_view::npos ? std::string_view() : line.substr(equals + 1);
      if (auto status = Put(std::string(key), std::string(value), false); !status.ok()) {
        return status;
      }
    }
    return absl::OkStatus();
  }

  absl::Status AddFiles(const Json& spec) {
    for (const Json& entry : spec.value("files", Json::array())) {
      std::string text = ScalarText(entry);
      std::string key, file = text;
      if (size_t equals = text.find('='); equals != std::string::npos) {
        key = text.substr(0, equals);
        file = text.substr(equals + 1);
      }
      auto path = loader_.Resolve(kustomization_.dir, file);
      if (!path.ok()) return Prefixed(path.status(), where_);
      if (key.empty()) key = path->filename().string();
      auto content = secret_ ? loader_.ReadSecretSource(*path) : loader_.Read(*path);
      if (!content.ok()) return content.status();
      auto status = Put(key, std::move(*content), true);
      if (!status.ok()) return status;
    }
    return absl::OkStatus();
  }

  const Kustomization& kustomization_;
  const Loader& loader_;
  bool secret_;
  std::string where_;
  Json data_;
  Json binary_data_;
};

Resource* FindByOrigin(std::vector<Resource>& resources, const ResourceId& id) {
  for (Resource& resource : resources) {
    if (resource.object.Kind() != id.gvk.kind) continue;
    for (const ResourceId& previous : resource.previous_ids) {
      if (previous.name == id.name &&
          (id.namespace_name.empty() || previous.namespace_name == id.namespace_name)) {
        return &resource;
      }
    }
  }
  return nullptr;
}

void MergeStringMap(Json& into, const Json& from, const char* field) {
  if (!from.contains(field) || !from[field].is_object()) return;
  Json& target = into[field];
  if (!target.is_object()) target = Json::object();
  for (const auto& [key, value] : from[field].items()) target[key] = value;
}

absl::Status Apply(std::vector<Resource>& resources, Resource generated, const std::string& where) {
  const std::string& behavior = generated.generator_behavior;
  // kustomize reads an unknown behavior as unspecified, which creates.
  if (behavior != "merge" && behavior != "replace") {
    generated.RememberId();
    return AddResource(resources, std::move(generated), where);
  }
  Resource* existing = FindByOrigin(resources, generated.CurrentId());
  if (existing == nullptr) {
    return absl::NotFoundError(where + ": behavior " + behavior + " needs an existing " +
                               generated.object.Kind() + " named " + generated.object.Name() +
                               " from the resources");
  }
  Json& target = existing->object.json();
  const Json& source = generated.object.json();
  if (behavior == "replace") {
    for (const char* field : {"data", "binaryData"}) {
      target.erase(field);
      if (source.contains(field)) target[field] = source[field];
    }
  } else {
    for (const char* field : {"data", "binaryData"}) MergeStringMap(target, source, field);
  }
  MergeStringMap(target["metadata"], source["metadata"], "labels");
  MergeStringMap(target["metadata"], source["metadata"], "annotations");
  // The merged resource is the generator's: its options decide the hash suffix.
  existing->needs_hash_suffix = generated.needs_hash_suffix;
  // What was merged is a copy; the generated Secret's own data is not freed unwiped.
  if (generated.object.Kind() == "Secret") manifest::WipeJson(generated.object.json());
  return absl::OkStatus();
}

}  // namespace

absl::Status RunGenerators(const Kustomization& kustomization, const Loader& loader,
                           std::vector<Resource>& resources) {
  for (bool secret : {false, true}) {
    Generator generator(kustomization, loader, secret);
    for (const Json& spec : kustomization.List(secret ? "secretGenerator" : "configMapGenerator")) {
      auto generated = generator.Make(spec);
      if (!generated.ok()) return generated.status();
      auto status = Apply(resources, *std::move(generated), kustomization.Describe(loader));
      if (!status.ok()) return status;
    }
  }
  return absl::OkStatus();
}

}  // namespace fluxcpp::kustomize
