#include "tests/env/pod_runner/launch_plan.h"

#include <map>
#include <optional>

#include "absl/strings/str_cat.h"

namespace fluxcpp::pod_runner {
namespace {

std::string StringAt(const Json& object, const std::string& key) {
  if (!object.is_object()) return "";
  auto found = object.find(key);
  return found != object.end() && found->is_string() ? found->get<std::string>() : "";
}

std::string PodIdentity(const Json& pod) {
  return absl::StrCat("Pod/", StringAt(pod["metadata"], "namespace"), "/",
                      StringAt(pod["metadata"], "name"));
}

// "metadata.labels['app']" → the label's value; nullopt when the path is not one a fieldRef allows.
std::optional<std::string> MapField(const Json& metadata, const std::string& path,
                                    const std::string& map_name) {
  const std::string prefix = "metadata." + map_name + "['";
  if (path.rfind(prefix, 0) != 0 || path.size() < prefix.size() + 2 ||
      path.compare(path.size() - 2, 2, "']") != 0) {
    return std::nullopt;
  }
  const std::string key = path.substr(prefix.size(), path.size() - prefix.size() - 2);
  return StringAt(metadata.value(map_name, Json::object()), key);
}

// The downward API fields a container's env may name through valueFrom.fieldRef.
absl::StatusOr<std::string> FieldValue(const Json& pod, const std::string& path) {
  const Json& metadata = pod["metadata"];
  const Json& spec = pod["spec"];
  const Json empty = Json::object();
  const Json& status = pod.contains("status") ? pod["status"] : empty;
  if (path == "metadata.name") return StringAt(metadata, "name");
  if (path == "metadata.namespace") return StringAt(metadata, "namespace");
  if (path == "metadata.uid") return StringAt(metadata, "uid");
  if (path == "spec.nodeName") return StringAt(spec, "nodeName");
  if (path == "spec.serviceAccountName") {
    std::string account = StringAt(spec, "serviceAccountName");
    return account.empty() ? std::string("default") : account;
  }
  if (path == "status.podIP") return StringAt(status, "podIP");
  if (path == "status.hostIP") return StringAt(status, "hostIP");
  if (auto label = MapField(metadata, path, "labels")) return *label;
  if (auto annotation = MapField(metadata, path, "annotations")) return *annotation;
  return absl::InvalidArgumentError(absl::StrCat("fieldRef.fieldPath ", path, " is not supported"));
}

void SetEnv(std::vector<std::pair<std::string, std::string>>& env, const std::string& name,
            const std::string& value) {
  for (auto& [existing, existing_value] : env) {
    if (existing == name) {
      existing_value = value;
      return;
    }
  }
  env.emplace_back(name, value);
}

std::string Trimmed(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

std::string RewritePath(const std::string& path,
                        const std::vector<std::pair<std::string, std::string>>& mounts) {
  if (path.empty() || path[0] != '/') return path;
  const std::pair<std::string, std::string>* best = nullptr;
  for (const auto& mount : mounts) {
    const std::string& mount_path = mount.first;
    const bool inside = path == mount_path || mount_path == "/" ||
                        (path.size() > mount_path.size() && path.rfind(mount_path, 0) == 0 &&
                         path[mount_path.size()] == '/');
    if (inside && (best == nullptr || mount_path.size() > best->first.size())) best = &mount;
  }
  if (best == nullptr) return path;
  if (best->first == "/") return best->second + path;
  return best->second + path.substr(best->first.size());
}

// The projected volume (kube-api-access-*) the ServiceAccount admission adds to every pod.
bool IsServiceAccountVolume(const Json& volume) {
  if (!volume.contains("projected")) return false;
  for (const Json& source : volume["projected"].value("sources", Json::array())) {
    if (source.contains("serviceAccountToken")) return true;
  }
  return false;
}

}  // namespace

std::string ImageBasename(const std::string& image) {
  std::string name = image.substr(0, image.find('@'));
  const size_t slash = name.rfind('/');
  if (slash != std::string::npos) name = name.substr(slash + 1);
  return name.substr(0, name.find(':'));
}

std::vector<DefaultArg> ReconcilerDefaultArgs() {
  return {{"health-addr", "127.0.0.1:{port:health}"},
          {"metrics-addr", "127.0.0.1:{port:metrics}"},
          {"storage-addr", "127.0.0.1:{port:storage}"},
          // Artifact URLs must name the address the process really listens on, not a Service.
          {"storage-adv-addr", "127.0.0.1:{port:storage}"},
          {"storage-path", "/data"}};
}

absl::StatusOr<DefaultArg> ParseDefaultArg(const std::string& text) {
  std::string flag = text.substr(0, text.find('='));
  while (!flag.empty() && flag[0] == '-') flag.erase(0, 1);
  if (flag.empty() || text.find('=') == std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("default argument \"", text, "\" is not FLAG=VALUE"));
  }
  return DefaultArg{flag, text.substr(text.find('=') + 1)};
}

std::string ExpandReferences(const std::string& text,
                             const std::vector<std::pair<std::string, std::string>>& env) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '$' || i + 1 >= text.size()) {
      out += text[i];
      continue;
    }
    if (text[i + 1] == '$') {
      out += '$';
      ++i;
      continue;
    }
    const size_t close = text[i + 1] == '(' ? text.find(')', i + 2) : std::string::npos;
    if (close == std::string::npos) {
      out += text[i];
      continue;
    }
    const std::string name = text.substr(i + 2, close - i - 2);
    const std::string* value = nullptr;
    for (const auto& [defined, defined_value] : env) {
      if (defined == name) value = &defined_value;
    }
    out += value != nullptr ? *value : text.substr(i, close - i + 1);
    i = close;
  }
  return out;
}

bool ArgsSetFlag(const std::vector<std::string>& args, const std::string& flag) {
  for (const std::string& arg : args) {
    for (const char* dashes : {"--", "-"}) {
      const std::string spelled = std::string(dashes) + flag;
      if (arg == spelled || arg.rfind(spelled + "=", 0) == 0) return true;
    }
  }
  return false;
}

std::string RewriteIntoMounts(const std::string& text,
                              const std::vector<std::pair<std::string, std::string>>& mounts) {
  const size_t equals = text.find('=');
  if (!text.empty() && text[0] == '-' && equals != std::string::npos) {
    return text.substr(0, equals + 1) + RewritePath(text.substr(equals + 1), mounts);
  }
  return RewritePath(text, mounts);
}

absl::StatusOr<LaunchPlan> PlanContainer(const Json& pod, const Json& container,
                                         const LaunchPlanOptions& options) {
  const std::string where =
      absl::StrCat(PodIdentity(pod), " container ", StringAt(container, "name"));
  LaunchPlan plan;
  plan.binary = options.binary;
  plan.working_directory = options.pod_directory;

  // Volumes: emptyDir folders live as long as the pod (a container restart keeps them).
  std::map<std::string, Json> volumes;
  for (const Json& volume : pod["spec"].value("volumes", Json::array())) {
    volumes[StringAt(volume, "name")] = volume;
  }
  for (const Json& mount : container.value("volumeMounts", Json::array())) {
    const std::string volume_name = StringAt(mount, "name");
    const std::string mount_path = Trimmed(StringAt(mount, "mountPath"));
    auto volume = volumes.find(volume_name);
    if (volume == volumes.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": volumeMount ", volume_name, " names no volume of the pod"));
    }
    if (IsServiceAccountVolume(volume->second)) {
      // What the kubelet projects there (token, ca.crt, namespace) the runner keeps in the pod's
      // serviceaccount folder.
      plan.mounts.emplace_back(mount_path, options.pod_directory + "/serviceaccount");
      continue;
    }
    if (!volume->second.contains("emptyDir")) {
      plan.warnings.push_back(absl::StrCat("volume ", volume_name, " at ", mount_path,
                                           " is not an emptyDir; it is not emulated"));
      continue;
    }
    std::string folder = absl::StrCat(options.pod_directory, "/volumes/", volume_name);
    if (std::string sub_path = StringAt(mount, "subPath"); !sub_path.empty()) {
      folder += "/" + sub_path;
    }
    plan.directories.push_back(folder);
    plan.mounts.emplace_back(mount_path, folder);
  }

  // The environment a process in the container would see, as far as it matters on a host.
  std::vector<std::pair<std::string, std::string>> env;
  SetEnv(env, "PATH", options.path_env);
  SetEnv(env, "HOSTNAME", StringAt(pod["metadata"], "name"));
  const std::string home = options.pod_directory + "/home";
  plan.directories.push_back(home);
  SetEnv(env, "HOME", home);
  SetEnv(env, "KUBECONFIG", options.kubeconfig_path);
  for (const auto& [mount_path, folder] : plan.mounts) {
    if (mount_path == "/tmp") SetEnv(env, "TMPDIR", folder);
  }
  if (container.contains("envFrom")) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": envFrom is not supported"));
  }
  // Only the container's own variables take part in $(NAME) expansion, as in Kubernetes.
  std::vector<std::pair<std::string, std::string>> container_env;
  for (const Json& variable : container.value("env", Json::array())) {
    const std::string name = StringAt(variable, "name");
    std::string value;
    if (variable.contains("valueFrom")) {
      const Json& from = variable["valueFrom"];
      if (!from.contains("fieldRef")) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, ": env ", name, ": only valueFrom.fieldRef is supported"));
      }
      auto field = FieldValue(pod, StringAt(from["fieldRef"], "fieldPath"));
      if (!field.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, ": env ", name, ": ", field.status().message()));
      }
      value = *field;
    } else {
      value = ExpandReferences(StringAt(variable, "value"), container_env);
    }
    SetEnv(container_env, name, value);
  }
  for (const auto& [name, value] : container_env) {
    SetEnv(env, name, RewriteIntoMounts(value, plan.mounts));
  }
  plan.env = std::move(env);

  if (container.contains("command")) {
    plan.warnings.push_back("command is ignored: the local binary is the entrypoint");
  }
  for (const Json& arg : container.value("args", Json::array())) {
    if (!arg.is_string()) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": args holds a non-string"));
    }
    plan.args.push_back(
        RewriteIntoMounts(ExpandReferences(arg.get<std::string>(), container_env), plan.mounts));
  }

  std::map<std::string, int> ports;
  const std::vector<std::string> given_args = plan.args;
  for (const DefaultArg& default_arg : options.default_args) {
    if (ArgsSetFlag(given_args, default_arg.flag)) continue;
    std::string value = default_arg.value;
    for (size_t start; (start = value.find("{port:")) != std::string::npos;) {
      const size_t end = value.find('}', start);
      if (end == std::string::npos) break;
      const std::string name = value.substr(start + 6, end - start - 6);
      if (!ports.count(name)) {
        auto port = options.free_port();
        if (!port.ok()) {
          return absl::UnavailableError(absl::StrCat(
              where, ": no free port for --", default_arg.flag, ": ", port.status().message()));
        }
        ports[name] = *port;
      }
      value.replace(start, end - start + 1, std::to_string(ports[name]));
    }
    plan.args.push_back(
        RewriteIntoMounts(absl::StrCat("--", default_arg.flag, "=", value), plan.mounts));
  }
  return plan;
}

}  // namespace fluxcpp::pod_runner
