#include "tests/env/pod_runner/supervisor.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <set>

#include "absl/strings/str_cat.h"
#include "lib/kube/errors.h"

namespace fluxcpp::pod_runner {
namespace {

namespace fs = std::filesystem;

std::string StringAt(const Json& object, const std::string& key) {
  if (!object.is_object()) return "";
  auto found = object.find(key);
  return found != object.end() && found->is_string() ? found->get<std::string>() : "";
}

std::string Describe(const Json& pod) {
  return absl::StrCat("Pod/", StringAt(pod["metadata"], "namespace"), "/",
                      StringAt(pod["metadata"], "name"));
}

void Log(const std::string& message) {
  std::time_t now = std::time(nullptr);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%H:%M:%S", std::gmtime(&now));
  std::fprintf(stderr, "pod_runner %s %s\n", stamp, message.c_str());
}

// Writes through a temporary file and a rename, so a reader never sees half a token.
absl::Status WriteFileAtomically(const std::string& path, const std::string& content) {
  const std::string temporary = path + ".new";
  {
    std::ofstream stream(temporary, std::ios::binary | std::ios::trunc);
    stream << content;
    if (!stream.good()) return absl::InternalError("cannot write " + temporary);
  }
  std::error_code error;
  fs::permissions(temporary, fs::perms::owner_read | fs::perms::owner_write, error);
  fs::rename(temporary, path, error);
  if (error) return absl::InternalError("cannot rename to " + path + ": " + error.message());
  return absl::OkStatus();
}

// A port the kernel just gave out on 127.0.0.1; closed again for the process to bind.
absl::StatusOr<int> FreeLoopbackPort() {
  int socket_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (socket_fd < 0) return absl::InternalError(std::strerror(errno));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  int port = -1;
  if (::bind(socket_fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      ::getsockname(socket_fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  const std::string error = std::strerror(errno);
  ::close(socket_fd);
  if (port < 0) return absl::InternalError("binding 127.0.0.1:0: " + error);
  return port;
}

std::string Kubeconfig(const std::string& server, const std::string& directory,
                       const std::string& namespace_name, const std::string& account) {
  // tokenFile, not an inline token: the file is refreshed in place, as the projected token of a
  // pod.
  return absl::StrCat("apiVersion: v1\nkind: Config\nclusters:\n- name: ground\n  cluster:\n",
                      "    server: ", server, "\n    certificate-authority: ", directory,
                      "/serviceaccount/ca.crt\nusers:\n- name: system:serviceaccount:",
                      namespace_name, ":", account, "\n  user:\n    tokenFile: ", directory,
                      "/serviceaccount/token\ncontexts:\n- name: pod\n  context:\n",
                      "    cluster: ground\n    user: system:serviceaccount:", namespace_name, ":",
                      account, "\n    namespace: ", namespace_name, "\ncurrent-context: pod\n");
}

// argv/envp arrays built before fork: the child of a multi-threaded process may only make
// async-signal-safe calls.
struct ExecArguments {
  std::vector<std::string> storage;
  std::vector<char*> pointers;
  explicit ExecArguments(std::vector<std::string> values) : storage(std::move(values)) {
    for (std::string& value : storage) pointers.push_back(value.data());
    pointers.push_back(nullptr);
  }
};

}  // namespace

Supervisor::Supervisor(kube::Client& client, SupervisorOptions options)
    : client_(client), options_(std::move(options)) {}

void Supervisor::Wake() { wake_.notify_all(); }

void Supervisor::PodSeen(const Json& pod) {
  const std::string uid = StringAt(pod["metadata"], "uid");
  {
    std::lock_guard lock(mutex_);
    if (MatchingContainers(pod).empty() && !pods_.count(uid)) return;
    PodState& state = pods_[uid];
    state.pod = pod;
    state.present = true;
    // Also a mark an earlier runner left, or one that an event older than an unmark still shows:
    // Step removes it again when no process runs.
    if (pod["metadata"].value("annotations", Json::object()).contains(kRunningAnnotation)) {
      state.marked = true;
    }
  }
  Wake();
}

void Supervisor::PodGone(const Json& pod) {
  {
    std::lock_guard lock(mutex_);
    auto found = pods_.find(StringAt(pod["metadata"], "uid"));
    if (found == pods_.end()) return;
    found->second.present = false;
  }
  Wake();
}

void Supervisor::Resync(const std::vector<Json>& pods) {
  std::set<std::string> listed;
  for (const Json& pod : pods) {
    listed.insert(StringAt(pod["metadata"], "uid"));
    PodSeen(pod);
  }
  {
    std::lock_guard lock(mutex_);
    for (auto& [uid, state] : pods_) {
      if (!listed.count(uid)) state.present = false;
    }
  }
  Wake();
}

std::vector<Json> Supervisor::MatchingContainers(const Json& pod) const {
  std::vector<Json> matching;
  for (const Json& container : pod["spec"].value("containers", Json::array())) {
    if (options_.images.count(ImageBasename(StringAt(container, "image")))) {
      matching.push_back(container);
    }
  }
  return matching;
}

bool Supervisor::Wanted(const PodState& state) const {
  return state.present && !state.pod["metadata"].contains("deletionTimestamp") &&
         state.pod.value("status", Json::object()).value("phase", "") == "Running";
}

int Supervisor::GraceSeconds(const Json& pod) const {
  // kwok finishes a deletion with a grace period of 0 where a kubelet would have waited; only a
  // positive grace period given with the deletion overrides the pod's own.
  const Json& metadata = pod["metadata"];
  if (metadata.contains("deletionGracePeriodSeconds") &&
      metadata["deletionGracePeriodSeconds"].is_number() &&
      metadata["deletionGracePeriodSeconds"].get<int>() > 0) {
    return metadata["deletionGracePeriodSeconds"].get<int>();
  }
  return pod["spec"].value("terminationGracePeriodSeconds", 30);
}

void Supervisor::Run(const std::atomic<bool>& stop) {
  std::unique_lock lock(mutex_);
  while (!stop.load()) {
    Step(false);
    wake_.wait_for(lock, std::chrono::milliseconds(100));
  }
  Log("stopping every process");
  while (AnyRunning()) {
    Step(true);
    wake_.wait_for(lock, std::chrono::milliseconds(50));
  }
  // Every process has exited: one more step removes the marks of the Pods whose last process ended
  // in the previous one, so no deleted Pod stays behind the runner.
  Step(true);
}

bool Supervisor::AnyRunning() {
  for (auto& [uid, state] : pods_) {
    for (auto& [name, process] : state.processes) {
      if (process.pid > 0) return true;
    }
  }
  return false;
}

void Supervisor::Step(bool stopping_all) {
  for (auto iterator = pods_.begin(); iterator != pods_.end();) {
    PodState& state = iterator->second;
    Reap(state);
    if (!stopping_all && Wanted(state)) {
      StartMissing(state);
    } else {
      StopAll(state);
    }
    bool running = false;
    for (auto& [name, process] : state.processes) running = running || process.pid > 0;
    if (state.marked && state.present && !running && (stopping_all || !Wanted(state))) {
      Unmark(state);
    }
    if (!state.present && !running) {
      // The kubelet removes emptyDir volumes with the pod; logs stay for the test that ran it.
      if (!state.directory.empty()) {
        std::error_code ignored;
        fs::remove_all(state.directory + "/volumes", ignored);
      }
      iterator = pods_.erase(iterator);
    } else {
      ++iterator;
    }
  }
}

void Supervisor::Reap(PodState& state) {
  for (auto& [name, process] : state.processes) {
    if (process.pid <= 0) continue;
    int status = 0;
    pid_t reaped = ::waitpid(process.pid, &status, WNOHANG);
    if (reaped == 0) continue;
    const std::string how =
        reaped < 0            ? absl::StrCat("vanished (", std::strerror(errno), ")")
        : WIFEXITED(status)   ? absl::StrCat("exited with status ", WEXITSTATUS(status))
        : WIFSIGNALED(status) ? absl::StrCat("was killed by signal ", WTERMSIG(status))
                              : std::string("ended");
    Log(absl::StrCat(Describe(state.pod), " container ", name, " (pid ", process.pid, ") ", how));
    // Like a container runtime, take whatever the process left behind in its session with it.
    ::kill(-process.pid, SIGKILL);
    std::error_code ignored;
    fs::remove(absl::StrCat(state.directory, "/", name, ".pid"), ignored);
    process.pid = -1;
    if (process.stopping) continue;
    // restartPolicy Always, with the kubelet's doubling backoff (shortened for tests); a process
    // that ran for a while starts over at the initial delay.
    const auto ran = Clock::now() - process.started_at;
    if (process.backoff.count() == 0 || ran > 2 * options_.max_backoff) {
      process.backoff = options_.initial_backoff;
    } else {
      process.backoff = std::min(process.backoff * 2, options_.max_backoff);
    }
    process.next_start = Clock::now() + process.backoff;
  }
}

void Supervisor::StartMissing(PodState& state) {
  for (const Json& container : MatchingContainers(state.pod)) {
    const std::string name = StringAt(container, "name");
    Process& process = state.processes[name];
    process.container = name;
    if (process.pid > 0 || Clock::now() < process.next_start) continue;
    absl::Status started = Mark(state);
    // A conflict: the Pod changed since this view of it; the watch brings the new one at once.
    if (kube::IsConflictError(started)) continue;
    if (started.ok()) started = EnsureCredentials(state);
    if (started.ok()) started = Start(state, process, container);
    if (!started.ok()) {
      Log(absl::StrCat(Describe(state.pod), " container ", name,
                       ": cannot start: ", started.message()));
      process.backoff = process.backoff.count() == 0
                            ? options_.initial_backoff
                            : std::min(process.backoff * 2, options_.max_backoff);
      process.next_start = Clock::now() + process.backoff;
    }
  }
  if (state.has_token && Clock::now() >= state.token_refresh_at) {
    if (absl::Status refreshed = EnsureCredentials(state); !refreshed.ok()) {
      Log(absl::StrCat(Describe(state.pod), ": token refresh failed: ", refreshed.message()));
    }
  }
}

void Supervisor::StopAll(PodState& state) {
  for (auto& [name, process] : state.processes) {
    if (process.pid <= 0) continue;
    if (!process.stopping) {
      process.stopping = true;
      const int grace = GraceSeconds(state.pod);
      process.kill_at = Clock::now() + std::chrono::seconds(grace);
      Log(absl::StrCat(Describe(state.pod), " container ", name, " (pid ", process.pid,
                       "): SIGTERM, SIGKILL after ", grace, "s"));
      ::kill(-process.pid, SIGTERM);
    } else if (Clock::now() >= process.kill_at) {
      Log(absl::StrCat(Describe(state.pod), " container ", name, " (pid ", process.pid,
                       "): grace period over, SIGKILL"));
      ::kill(-process.pid, SIGKILL);
      process.kill_at = Clock::now() + std::chrono::hours(1);  // once
    }
  }
}

absl::Status Supervisor::Mark(PodState& state) {
  if (state.marked) return absl::OkStatus();
  const Json& metadata = state.pod["metadata"];
  // The resourceVersion makes the patch fail when the Pod changed since the runner saw it Running
  // and not deleted, so a Pod whose deletion kwok may already be carrying out is never marked.
  const Json patch = {{"metadata",
                       {{"resourceVersion", metadata.value("resourceVersion", "")},
                        {"annotations", {{kRunningAnnotation, "true"}}}}}};
  auto patched =
      client_.Patch(kube::GroupVersionKind{"", "v1", "Pod"}, StringAt(metadata, "namespace"),
                    StringAt(metadata, "name"), kube::PatchType::kMerge, patch.dump());
  if (!patched.ok()) {
    return absl::Status(patched.status().code(),
                        absl::StrCat("marking ", Describe(state.pod), " with ", kRunningAnnotation,
                                     ": ", patched.status().message()));
  }
  state.marked = true;
  return absl::OkStatus();
}

void Supervisor::Unmark(PodState& state) {
  const Json& metadata = state.pod["metadata"];
  const Json patch = {{"metadata", {{"annotations", {{kRunningAnnotation, nullptr}}}}}};
  auto patched =
      client_.Patch(kube::GroupVersionKind{"", "v1", "Pod"}, StringAt(metadata, "namespace"),
                    StringAt(metadata, "name"), kube::PatchType::kMerge, patch.dump());
  if (!patched.ok() && !kube::IsNotFoundError(patched.status())) {
    // Tried again at the next step.
    Log(absl::StrCat("removing ", kRunningAnnotation, " from ", Describe(state.pod), ": ",
                     patched.status().message()));
    return;
  }
  state.marked = false;
  Log(absl::StrCat(Describe(state.pod), ": no process runs, removed ", kRunningAnnotation));
}

absl::Status Supervisor::EnsureCredentials(PodState& state) {
  if (state.has_token && Clock::now() < state.token_refresh_at) return absl::OkStatus();
  const Json& metadata = state.pod["metadata"];
  const std::string namespace_name = StringAt(metadata, "namespace");
  const std::string pod_name = StringAt(metadata, "name");
  std::string account = StringAt(state.pod["spec"], "serviceAccountName");
  if (account.empty()) account = "default";
  if (state.directory.empty()) {
    state.directory = absl::StrCat(options_.state_directory, "/pods/", namespace_name, "_",
                                   pod_name, "_", StringAt(metadata, "uid"));
  }
  std::error_code error;
  fs::create_directories(state.directory + "/serviceaccount", error);
  if (error)
    return absl::InternalError("cannot create " + state.directory + ": " + error.message());

  // Bound to the Pod, like a projected token: it dies with the Pod, and the server records the pod
  // in the token's claims (a SelfSubjectReview shows it).
  Json request = {
      {"apiVersion", "authentication.k8s.io/v1"},
      {"kind", "TokenRequest"},
      {"spec",
       {{"expirationSeconds", options_.token_lifetime.count()},
        {"boundObjectRef",
         {{"apiVersion", "v1"}, {"kind", "Pod"}, {"name", pod_name}, {"uid", metadata["uid"]}}}}}};
  auto response = client_.Call(
      "POST",
      absl::StrCat("/api/v1/namespaces/", namespace_name, "/serviceaccounts/", account, "/token"),
      request.dump());
  if (!response.ok()) {
    return absl::Status(response.status().code(),
                        absl::StrCat("token for ServiceAccount/", namespace_name, "/", account,
                                     ": ", response.status().message()));
  }
  const std::string token = (*response)["status"].value("token", "");
  if (token.empty()) {
    return absl::InternalError(absl::StrCat("token for ServiceAccount/", namespace_name, "/",
                                            account, ": the response holds no token"));
  }
  const std::string sa = state.directory + "/serviceaccount";
  for (const auto& [file, content] : std::vector<std::pair<std::string, std::string>>{
           {sa + "/token", token},
           {sa + "/ca.crt", options_.ca_pem},
           {sa + "/namespace", namespace_name},
           {state.directory + "/kubeconfig",
            Kubeconfig(options_.server, state.directory, namespace_name, account)}}) {
    if (absl::Status written = WriteFileAtomically(file, content); !written.ok()) return written;
  }
  state.has_token = true;
  state.token_refresh_at = Clock::now() + options_.token_lifetime * 8 / 10;
  return absl::OkStatus();
}

absl::Status Supervisor::Start(PodState& state, Process& process, const Json& container) {
  LaunchPlanOptions plan_options;
  plan_options.binary = options_.images.at(ImageBasename(StringAt(container, "image")));
  plan_options.pod_directory = state.directory;
  plan_options.kubeconfig_path = state.directory + "/kubeconfig";
  const char* path = std::getenv("PATH");
  plan_options.path_env = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
  plan_options.default_args = options_.default_args;
  plan_options.free_port = FreeLoopbackPort;
  auto plan = PlanContainer(state.pod, container, plan_options);
  if (!plan.ok()) return plan.status();
  for (const std::string& warning : plan->warnings) {
    Log(absl::StrCat(Describe(state.pod), " container ", process.container, ": ", warning));
  }
  for (const std::string& directory : plan->directories) {
    std::error_code error;
    fs::create_directories(directory, error);
    if (error) return absl::InternalError("cannot create " + directory + ": " + error.message());
  }

  const std::string log_path = absl::StrCat(state.directory, "/", process.container, ".log");
  int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0)
    return absl::InternalError("cannot open " + log_path + ": " + std::strerror(errno));
  std::string header =
      absl::StrCat("---- pod_runner: start ", process.starts + 1, ": ", plan->binary);
  for (const std::string& arg : plan->args) absl::StrAppend(&header, " ", arg);
  header += "\n";
  (void)!::write(log_fd, header.data(), header.size());

  std::vector<std::string> argv = {plan->binary};
  argv.insert(argv.end(), plan->args.begin(), plan->args.end());
  std::vector<std::string> envp;
  for (const auto& [name, value] : plan->env) envp.push_back(name + "=" + value);
  ExecArguments exec_argv(std::move(argv));
  ExecArguments exec_envp(std::move(envp));
  const pid_t parent = ::getpid();

  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(log_fd);
    return absl::InternalError(absl::StrCat("fork: ", std::strerror(errno)));
  }
  if (pid == 0) {
    // A session of its own, so a stop reaches whatever the process forks; and it dies with the
    // runner even when the runner is killed without a chance to stop it.
    ::setsid();
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(126);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
    int null_fd = ::open("/dev/null", O_RDONLY);
    ::dup2(null_fd, 0);
    ::dup2(log_fd, 1);
    ::dup2(log_fd, 2);
    ::close_range(3, ~0U, 0);
    if (::chdir(plan->working_directory.c_str()) != 0) ::_exit(126);
    ::execve(exec_argv.pointers[0], exec_argv.pointers.data(), exec_envp.pointers.data());
    static constexpr char kFailed[] = "pod_runner: execve failed\n";
    (void)!::write(2, kFailed, sizeof kFailed - 1);
    ::_exit(127);
  }
  ::close(log_fd);
  process.pid = pid;
  process.starts += 1;
  process.started_at = Clock::now();
  process.stopping = false;
  (void)WriteFileAtomically(absl::StrCat(state.directory, "/", process.container, ".pid"),
                            std::to_string(pid) + "\n");
  Log(absl::StrCat(Describe(state.pod), " container ", process.container, ": started ",
                   plan->binary, " as pid ", pid, " (start ", process.starts, ")"));
  return absl::OkStatus();
}

}  // namespace fluxcpp::pod_runner
