#include "lib/kube/config.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_split.h"
#include "lib/manifest/yaml.h"

namespace fluxcpp::kube {
namespace {

using manifest::Json;
namespace fs = std::filesystem;

absl::StatusOr<std::string> ReadFile(const std::string& path, const std::string& purpose) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return absl::NotFoundError(purpose + ": cannot read " + path);
  std::ostringstream content;
  content << file.rdbuf();
  return content.str();
}

std::string ResolvePath(const std::string& path, const std::string& base_directory) {
  if (path.empty() || fs::path(path).is_absolute() || base_directory.empty()) return path;
  return (fs::path(base_directory) / path).lexically_normal().string();
}

std::string StringField(const Json& object, const char* key) {
  if (!object.is_object() || !object.contains(key) || !object[key].is_string()) return "";
  return object[key].get<std::string>();
}

// A PEM value given inline (`*-data`, base64) or as a file (`*`), the inline one winning.
absl::StatusOr<std::string> PemField(const Json& object, const std::string& key,
                                     const std::string& base_directory, const std::string& where) {
  std::string data = StringField(object, (key + "-data").c_str());
  if (!data.empty()) {
    std::string decoded;
    if (!absl::Base64Unescape(data, &decoded)) {
      return absl::InvalidArgumentError(where + ": " + key + "-data is not valid base64");
    }
    return decoded;
  }
  std::string file = StringField(object, key.c_str());
  if (file.empty()) return std::string();
  return ReadFile(ResolvePath(file, base_directory), where + ": " + key);
}

// One named entry of a kubeconfig list, and the folder of the file it came from.
struct Entry {
  Json value;
  std::string base_directory;
  std::string file;
};

struct MergedKubeconfig {
  std::map<std::string, Entry> clusters;
  std::map<std::string, Entry> users;
  std::map<std::string, Entry> contexts;
  std::string current_context;
};

absl::Status MergeFile(const std::string& text, const std::string& file,
                       const std::string& base_directory, MergedKubeconfig& merged) {
  auto documents = manifest::ParseYamlDocuments(text, file);
  if (!documents.ok()) return documents.status();
  if (documents->empty()) return absl::OkStatus();
  const Json& root = (*documents)[0].json;
  if (!root.is_object())
    return absl::InvalidArgumentError(file + ": a kubeconfig must be a mapping");
  auto merge_list = [&](const char* list, const char* inner, std::map<std::string, Entry>& into) {
    if (!root.contains(list) || !root[list].is_array()) return;
    for (const Json& item : root[list]) {
      std::string name = StringField(item, "name");
      if (name.empty() || into.contains(name)) continue;  // the first file naming an entry wins
      Json value = item.contains(inner) ? item[inner] : Json::object();
      into.emplace(name, Entry{value, base_directory, file});
    }
  };
  merge_list("clusters", "cluster", merged.clusters);
  merge_list("users", "user", merged.users);
  merge_list("contexts", "context", merged.contexts);
  if (merged.current_context.empty()) merged.current_context = StringField(root, "current-context");
  return absl::OkStatus();
}

absl::StatusOr<ExecPlugin> ParseExec(const Json& exec, const std::string& base_directory,
                                     const std::string& where) {
  ExecPlugin plugin;
  plugin.command = StringField(exec, "command");
  if (plugin.command.empty()) return absl::InvalidArgumentError(where + ": exec.command is empty");
  if (std::string version = StringField(exec, "apiVersion"); !version.empty()) {
    plugin.api_version = version;
  }
  // A relative command with a slash is relative to the kubeconfig; a bare name is looked up on
  // PATH.
  if (plugin.command.find('/') != std::string::npos) {
    plugin.command = ResolvePath(plugin.command, base_directory);
  }
  plugin.working_directory = base_directory;
  if (exec.contains("args") && exec["args"].is_array()) {
    for (const Json& arg : exec["args"]) {
      if (arg.is_string()) plugin.args.push_back(arg.get<std::string>());
    }
  }
  if (exec.contains("env") && exec["env"].is_array()) {
    for (const Json& variable : exec["env"]) {
      plugin.env.emplace_back(StringField(variable, "name"), StringField(variable, "value"));
    }
  }
  plugin.provide_cluster_info = exec.value("provideClusterInfo", false);
  return plugin;
}

absl::Status FillCluster(const Entry& entry, const std::string& where, ClusterConfig& config) {
  const Json& cluster = entry.value;
  config.server = StringField(cluster, "server");
  if (config.server.empty())
    return absl::InvalidArgumentError(where + ": the cluster has no server");
  while (!config.server.empty() && config.server.back() == '/') config.server.pop_back();
  auto ca = PemField(cluster, "certificate-authority", entry.base_directory, where);
  if (!ca.ok()) return ca.status();
  config.tls.ca_pem = *ca;
  config.tls.insecure_skip_verify = cluster.value("insecure-skip-tls-verify", false);
  config.tls.server_name = StringField(cluster, "tls-server-name");
  config.proxy_url = StringField(cluster, "proxy-url");
  return absl::OkStatus();
}

absl::Status FillUser(const Entry& entry, const std::string& where, ClusterConfig& config) {
  const Json& user = entry.value;
  auto certificate = PemField(user, "client-certificate", entry.base_directory, where);
  if (!certificate.ok()) return certificate.status();
  auto key = PemField(user, "client-key", entry.base_directory, where);
  if (!key.ok()) return key.status();
  config.tls.client_certificate_pem = *certificate;
  config.tls.client_key_pem = *key;
  AuthConfig& auth = config.auth;
  auth.token = StringField(user, "token");
  auth.token_file = ResolvePath(StringField(user, "tokenFile"), entry.base_directory);
  auth.username = StringField(user, "username");
  auth.password = StringField(user, "password");
  auth.impersonate_user = StringField(user, "as");
  if (user.contains("as-groups") && user["as-groups"].is_array()) {
    for (const Json& group : user["as-groups"]) {
      if (group.is_string()) auth.impersonate_groups.push_back(group.get<std::string>());
    }
  }
  if (user.contains("exec") && user["exec"].is_object()) {
    auto exec = ParseExec(user["exec"], entry.base_directory, where);
    if (!exec.ok()) return exec.status();
    auth.exec = std::move(*exec);
  }
  if (user.contains("auth-provider")) {
    return absl::UnimplementedError(where +
                                    ": auth-provider plugins are gone from Kubernetes; use an exec "
                                    "credential plugin instead");
  }
  return absl::OkStatus();
}

// The entries the context (or an override) names. `files` labels errors about the whole set.
absl::StatusOr<ClusterConfig> Resolve(const MergedKubeconfig& merged,
                                      const KubeconfigOptions& options, const std::string& files) {
  std::string context_name = options.context.empty() ? merged.current_context : options.context;
  ClusterConfig config;
  std::string cluster_name = options.cluster;
  std::string user_name = options.user;
  // Where the names came from, for errors about a name that is not defined.
  std::string cluster_origin =
      files + ": cluster \"" + cluster_name + "\" (given instead of the context's) is not defined";
  std::string user_origin =
      files + ": user \"" + user_name + "\" (given instead of the context's) is not defined";
  if (context_name.empty()) {
    // client-go needs no context when the cluster is given directly.
    if (options.cluster.empty()) {
      return absl::InvalidArgumentError(files + ": no context given and no current-context set");
    }
  } else {
    auto found = merged.contexts.find(context_name);
    if (found == merged.contexts.end()) {
      return absl::NotFoundError(files + ": context \"" + context_name + "\" is not defined");
    }
    const Json& context_value = found->second.value;
    config.context_name = context_name;
    if (std::string ns = StringField(context_value, "namespace"); !ns.empty())
      config.namespace_name = ns;
    if (cluster_name.empty()) {
      cluster_name = StringField(context_value, "cluster");
      cluster_origin = found->second.file + ": context \"" + context_name + "\" names cluster \"" +
                       cluster_name + "\", which is not defined";
    }
    if (user_name.empty()) {
      user_name = StringField(context_value, "user");
      user_origin = found->second.file + ": context \"" + context_name + "\" names user \"" +
                    user_name + "\", which is not defined";
    }
  }
  auto cluster = merged.clusters.find(cluster_name);
  if (cluster == merged.clusters.end()) return absl::NotFoundError(cluster_origin);
  absl::Status status = FillCluster(
      cluster->second, cluster->second.file + ": cluster \"" + cluster_name + "\"", config);
  if (!status.ok()) return status;
  if (!user_name.empty()) {
    auto user = merged.users.find(user_name);
    if (user == merged.users.end()) return absl::NotFoundError(user_origin);
    status = FillUser(user->second, user->second.file + ": user \"" + user_name + "\"", config);
    if (!status.ok()) return status;
  }
  return config;
}

std::vector<std::string> DefaultKubeconfigPaths() {
  std::vector<std::string> paths;
  if (const char* variable = std::getenv("KUBECONFIG"); variable && *variable) {
    for (absl::string_view path : absl::StrSplit(variable, ':', absl::SkipEmpty())) {
      paths.emplace_back(path);
    }
    return paths;
  }
  if (const char* home = std::getenv("HOME")) paths.push_back(std::string(home) + "/.kube/config");
  return paths;
}

}  // namespace

ClusterConfig ClusterConfig::ImpersonatingServiceAccount(const std::string& namespace_name,
                                                         const std::string& service_account) const {
  ClusterConfig copy = *this;
  copy.auth.impersonate_user = "system:serviceaccount:" + namespace_name + ":" + service_account;
  copy.auth.impersonate_groups = {
      "system:serviceaccounts", "system:serviceaccounts:" + namespace_name, "system:authenticated"};
  return copy;
}

absl::StatusOr<ClusterConfig> ParseKubeconfig(const std::string& text,
                                              const std::string& base_directory,
                                              const std::string& context) {
  MergedKubeconfig merged;
  absl::Status status = MergeFile(text, "kubeconfig", base_directory, merged);
  if (!status.ok()) return status;
  return Resolve(merged, KubeconfigOptions{.context = context}, "kubeconfig");
}

absl::StatusOr<ClusterConfig> LoadKubeconfig(const KubeconfigOptions& options) {
  std::vector<std::string> paths = options.paths.empty() ? DefaultKubeconfigPaths() : options.paths;
  MergedKubeconfig merged;
  std::string files;
  int read = 0;
  for (const std::string& path : paths) {
    files += (files.empty() ? "" : ", ") + path;
    if (!fs::exists(path)) continue;  // kubectl skips missing files of KUBECONFIG as well
    auto text = ReadFile(path, "kubeconfig");
    if (!text.ok()) return text.status();
    std::string base = fs::absolute(path).parent_path().string();
    absl::Status status = MergeFile(*text, path, base, merged);
    if (!status.ok()) return status;
    ++read;
  }
  if (read == 0) {
    return absl::NotFoundError("no kubeconfig found (looked at: " +
                               (files.empty() ? std::string("nothing; HOME unset") : files) + ")");
  }
  return Resolve(merged, options, files);
}

absl::StatusOr<ClusterConfig> InClusterConfig(const InClusterOptions& options) {
  const char* host = std::getenv("KUBERNETES_SERVICE_HOST");
  const char* port = std::getenv("KUBERNETES_SERVICE_PORT");
  if (!host || !*host || !port || !*port) {
    return absl::FailedPreconditionError(
        "not running in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not "
        "set");
  }
  ClusterConfig config;
  std::string host_text = host;
  if (host_text.find(':') != std::string::npos) host_text = "[" + host_text + "]";  // IPv6
  config.server = "https://" + host_text + ":" + port;
  const std::string& directory = options.service_account_directory;
  auto ca = ReadFile(directory + "/ca.crt", "in-cluster CA");
  if (!ca.ok()) return ca.status();
  config.tls.ca_pem = *ca;
  config.auth.token_file = directory + "/token";
  if (!fs::exists(config.auth.token_file)) {
    return absl::NotFoundError("in-cluster token: " + config.auth.token_file + " does not exist");
  }
  if (auto ns = ReadFile(directory + "/namespace", "in-cluster namespace");
      ns.ok() && !ns->empty()) {
    config.namespace_name = *ns;
  }
  return config;
}

absl::StatusOr<ClusterConfig> DefaultConfig() {
  if (const char* host = std::getenv("KUBERNETES_SERVICE_HOST"); host && *host) {
    return InClusterConfig();
  }
  return LoadKubeconfig();
}

}  // namespace fluxcpp::kube
