#include "tests/e2e/support/pod_runner.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

extern char** environ;

namespace fluxcpp::testing {
namespace {

namespace fs = std::filesystem;

// Waits up to `timeout` for the child to exit; true when it did.
bool WaitForExit(pid_t pid, std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    const pid_t reaped = ::waitpid(pid, &status, WNOHANG);
    if (reaped == pid || reaped < 0) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

}  // namespace

PodRunner::PodRunner(PodRunnerOptions options) {
  std::string pattern = (fs::temp_directory_path() / "fluxcpp-pod-runner.XXXXXX").string();
  REQUIRE(::mkdtemp(pattern.data()) != nullptr);
  state_directory_ = pattern;

  std::vector<std::string> args = {std::string(FLUXCPP_BINARY_DIR) + "/tests/pod_runner",
                                   "--state-dir", state_directory_};
  for (const auto& [image, binary] : options.images) {
    args.insert(args.end(), {"--image", image + "=" + binary});
  }
  if (!options.namespace_name.empty()) {
    args.insert(args.end(), {"--namespace", options.namespace_name});
  }
  args.insert(args.end(), options.extra_args.begin(), options.extra_args.end());
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);

  const std::string log = state_directory_ + "/pod_runner.log";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  const int spawned = ::posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  INFO("starting " << argv[0]);
  REQUIRE(spawned == 0);

  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!fs::exists(state_directory_ + "/ready")) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      FAIL("pod_runner exited while starting:\n" << Log());
    }
    if (std::chrono::steady_clock::now() > deadline) {
      FAIL("pod_runner not ready after 30s:\n" << Log());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

void PodRunner::Stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  // The runner gives each process its Pod's grace period; the tests keep those short.
  if (!WaitForExit(pid_, std::chrono::seconds(60))) {
    ::kill(pid_, SIGKILL);
    WaitForExit(pid_, std::chrono::seconds(10));
  }
  pid_ = -1;
}

PodRunner::~PodRunner() {
  Stop();
  std::error_code ignored;
  if (std::getenv("FLUXCPP_KEEP_POD_RUNNER_STATE") == nullptr) {
    fs::remove_all(state_directory_, ignored);
  }
}

std::string PodRunner::PodDirectory(const manifest::Json& pod) const {
  const auto& metadata = pod.at("metadata");
  return state_directory_ + "/pods/" + metadata.at("namespace").get<std::string>() + "_" +
         metadata.at("name").get<std::string>() + "_" + metadata.at("uid").get<std::string>();
}

std::string PodRunner::Log() const {
  std::ifstream stream(state_directory_ + "/pod_runner.log");
  std::ostringstream content;
  content << stream.rdbuf();
  return content.str();
}

}  // namespace fluxcpp::testing
