#include "lib/kube/credentials.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iomanip>
#include <sstream>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "lib/manifest/object.h"

extern char** environ;

namespace fluxcpp::kube {
namespace {

using manifest::Json;

// A file descriptor closed when it goes out of scope.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd = -1) : fd_(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() { Close(); }
  int get() const { return fd_; }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

struct CommandResult {
  int exit_code = 0;
  std::string standard_output;
};

// Runs `argv` with `environment`, standard input from /dev/null, standard error passed through
// (plugins print their prompts and failures there), and collects standard output.
absl::StatusOr<CommandResult> RunCommand(const std::vector<std::string>& argv,
                                         const std::vector<std::string>& environment,
                                         const std::string& working_directory) {
  std::array<int, 2> pipe_fds{};
  if (::pipe2(pipe_fds.data(), O_CLOEXEC) != 0) {
    return absl::InternalError(std::string("pipe: ") + std::strerror(errno));
  }
  FileDescriptor read_end(pipe_fds[0]);
  FileDescriptor write_end(pipe_fds[1]);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, write_end.get(), 1);
  if (!working_directory.empty()) {
    posix_spawn_file_actions_addchdir_np(&actions, working_directory.c_str());
  }
  std::vector<char*> argv_pointers;
  for (const std::string& arg : argv) argv_pointers.push_back(const_cast<char*>(arg.c_str()));
  argv_pointers.push_back(nullptr);
  std::vector<char*> env_pointers;
  for (const std::string& variable : environment) {
    env_pointers.push_back(const_cast<char*>(variable.c_str()));
  }
  env_pointers.push_back(nullptr);
  pid_t pid = 0;
  int spawn_error = ::posix_spawnp(&pid, argv[0].c_str(), &actions, nullptr, argv_pointers.data(),
                                   env_pointers.data());
  posix_spawn_file_actions_destroy(&actions);
  write_end.Close();
  if (spawn_error != 0) {
    return absl::NotFoundError("cannot start " + argv[0] + ": " + std::strerror(spawn_error));
  }
  CommandResult result;
  std::array<char, 4096> buffer{};
  for (;;) {
    ssize_t count = ::read(read_end.get(), buffer.data(), buffer.size());
    if (count > 0) {
      result.standard_output.append(buffer.data(), static_cast<size_t>(count));
    } else if (count == 0 || errno != EINTR) {
      break;
    }
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

// RFC 3339 "2026-11-29T10:00:00Z" (fractions and offsets tolerated) to a time point.
std::optional<std::chrono::system_clock::time_point> ParseTimestamp(const std::string& text) {
  std::tm parts{};
  std::istringstream stream(text);
  stream >> std::get_time(&parts, "%Y-%m-%dT%H:%M:%S");
  if (stream.fail()) return std::nullopt;
  return std::chrono::system_clock::from_time_t(::timegm(&parts));
}

}  // namespace

CredentialSource::CredentialSource(ClusterConfig config) : config_(std::move(config)) {}

bool CredentialSource::CanRefresh() const {
  return config_.auth.exec.has_value() || !config_.auth.token_file.empty();
}

void CredentialSource::Invalidate() {
  std::lock_guard lock(mutex_);
  exec_result_.reset();
  file_token_.clear();
}

absl::StatusOr<std::string> CredentialSource::TokenFromFile() {
  const std::string& path = config_.auth.token_file;
  std::error_code error;
  auto modified = std::filesystem::last_write_time(path, error);
  if (error) return absl::NotFoundError("token file " + path + ": " + error.message());
  if (file_token_.empty() || modified != file_token_time_) {
    std::ifstream file(path);
    std::ostringstream content;
    content << file.rdbuf();
    std::string token = content.str();
    while (!token.empty() && (token.back() == '\n' || token.back() == ' ')) token.pop_back();
    if (token.empty()) return absl::UnauthenticatedError("token file " + path + " is empty");
    file_token_ = token;
    file_token_time_ = modified;
  }
  return file_token_;
}

absl::StatusOr<Credentials> CredentialSource::RunExecPlugin() {
  const ExecPlugin& plugin = *config_.auth.exec;
  if (exec_result_ && std::chrono::system_clock::now() < exec_expiry_) return *exec_result_;
  std::vector<std::string> argv{plugin.command};
  argv.insert(argv.end(), plugin.args.begin(), plugin.args.end());
  std::vector<std::string> environment;
  for (char** variable = environ; *variable; ++variable) environment.emplace_back(*variable);
  for (const auto& [name, value] : plugin.env) environment.push_back(name + "=" + value);
  Json exec_info = {{"apiVersion", plugin.api_version},
                    {"kind", "ExecCredential"},
                    {"spec", {{"interactive", false}}}};
  if (plugin.provide_cluster_info) {
    exec_info["spec"]["cluster"] = {
        {"server", config_.server},
        {"certificate-authority-data", absl::Base64Escape(config_.tls.ca_pem)}};
  }
  environment.push_back("KUBERNETES_EXEC_INFO=" + exec_info.dump());
  auto result = RunCommand(argv, environment, plugin.working_directory);
  std::string where = "exec credential plugin " + plugin.command;
  if (!result.ok())
    return absl::UnauthenticatedError(where + ": " + std::string(result.status().message()));
  if (result->exit_code != 0) {
    return absl::UnauthenticatedError(where + " exited with status " +
                                      std::to_string(result->exit_code));
  }
  Json credential = Json::parse(result->standard_output, nullptr, false);
  if (credential.is_discarded() || !credential.is_object() || !credential.contains("status") ||
      !credential["status"].is_object()) {
    return absl::UnauthenticatedError(where + " did not print an ExecCredential with a status");
  }
  const Json& status = credential["status"];
  Credentials credentials;
  if (std::string token = status.value("token", ""); !token.empty()) {
    credentials.authorization = "Bearer " + token;
  }
  credentials.client_certificate_pem = status.value("clientCertificateData", "");
  credentials.client_key_pem = status.value("clientKeyData", "");
  if (credentials.authorization.empty() && credentials.client_certificate_pem.empty()) {
    return absl::UnauthenticatedError(where + " returned neither a token nor a client certificate");
  }
  exec_expiry_ = std::chrono::system_clock::time_point::max();
  if (auto expiry = ParseTimestamp(status.value("expirationTimestamp", ""))) exec_expiry_ = *expiry;
  exec_result_ = credentials;
  return credentials;
}

absl::StatusOr<Credentials> CredentialSource::Get() {
  std::lock_guard lock(mutex_);
  Credentials credentials;
  credentials.client_certificate_pem = config_.tls.client_certificate_pem;
  credentials.client_key_pem = config_.tls.client_key_pem;
  const AuthConfig& auth = config_.auth;
  if (auth.exec) {
    auto from_plugin = RunExecPlugin();
    if (!from_plugin.ok()) return from_plugin.status();
    if (!from_plugin->authorization.empty()) credentials.authorization = from_plugin->authorization;
    if (!from_plugin->client_certificate_pem.empty()) {
      credentials.client_certificate_pem = from_plugin->client_certificate_pem;
      credentials.client_key_pem = from_plugin->client_key_pem;
    }
  } else if (!auth.token.empty()) {
    credentials.authorization = "Bearer " + auth.token;
  } else if (!auth.token_file.empty()) {
    auto token = TokenFromFile();
    if (!token.ok()) return token.status();
    credentials.authorization = "Bearer " + *token;
  } else if (!auth.username.empty()) {
    credentials.authorization = "Basic " + absl::Base64Escape(auth.username + ":" + auth.password);
  }
  return credentials;
}

}  // namespace fluxcpp::kube
