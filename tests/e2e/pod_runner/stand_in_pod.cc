// stand_in_pod --report-dir=DIR [--storage-path=DIR] [--ignore-sigterm=true]
//              [--shutdown-ms=N] [anything...]: the process a pod_runner test runs for its Pods. It
// reports what it was started with to DIR/report.json (argv, environment, working folder, whether
// it could write into --storage-path and $TMPDIR) and who the API server takes it for (a
// SelfSubjectReview through $KUBECONFIG), then stays up. On SIGTERM it writes DIR/terminated and
// exits, unless --ignore-sigterm makes it wait for SIGKILL. With --shutdown-ms it first shuts down
// for that long, like a graceful shutdown, and then asks the API server again who it is, into
// DIR/after-sigterm.json: whether its Pod-bound token still works at the end of its shutdown.
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "lib/kube/client.h"
#include "lib/kube/config.h"

extern char** environ;

namespace {

using fluxcpp::manifest::Json;

std::string FlagValue(int argc, char** argv, const std::string& flag) {
  const std::string prefix = "--" + flag + "=";
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind(prefix, 0) == 0) return arg.substr(prefix.size());
  }
  return "";
}

bool CanWriteInto(const std::string& directory) {
  if (directory.empty()) return false;
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  const std::string probe = directory + "/stand-in-probe";
  std::ofstream(probe) << "written by " << ::getpid() << "\n";
  return std::filesystem::exists(probe, error);
}

Json Identity() {
  namespace kube = fluxcpp::kube;
  auto config = kube::LoadKubeconfig();
  if (!config.ok()) return {{"error", std::string(config.status().message())}};
  auto client = kube::Client::Create(*config);
  if (!client.ok()) return {{"error", std::string(client.status().message())}};
  Json review = {{"apiVersion", "authentication.k8s.io/v1"}, {"kind", "SelfSubjectReview"}};
  auto response =
      (*client)->Call("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", review.dump());
  if (!response.ok()) return {{"error", std::string(response.status().message())}};
  return (*response)["status"]["userInfo"];
}

void WriteAtomically(const std::string& path, const std::string& content) {
  std::ofstream(path + ".new") << content;
  std::filesystem::rename(path + ".new", path);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string report_directory = FlagValue(argc, argv, "report-dir");
  if (report_directory.empty()) {
    std::fputs("usage: stand_in_pod --report-dir=DIR [...]\n", stderr);
    return 2;
  }
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigprocmask(SIG_BLOCK, &signals, nullptr);

  std::filesystem::create_directories(report_directory);
  Json report;
  report["pid"] = ::getpid();
  report["argv"] = Json::array();
  for (int i = 1; i < argc; ++i) report["argv"].push_back(argv[i]);
  report["env"] = Json::object();
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string text = *entry;
    report["env"][text.substr(0, text.find('='))] = text.substr(text.find('=') + 1);
  }
  report["cwd"] = std::filesystem::current_path().string();
  report["storage_path_writable"] = CanWriteInto(FlagValue(argc, argv, "storage-path"));
  const char* tmpdir = std::getenv("TMPDIR");
  report["tmpdir_writable"] = CanWriteInto(tmpdir != nullptr ? tmpdir : "");
  report["user"] = Identity();
  WriteAtomically(report_directory + "/report.json", report.dump(2));
  std::fprintf(stderr, "stand_in_pod %d: reported to %s\n", ::getpid(), report_directory.c_str());

  const bool ignore_sigterm = FlagValue(argc, argv, "ignore-sigterm") == "true";
  while (true) {
    int received = 0;
    sigwait(&signals, &received);
    if (!ignore_sigterm) break;
    std::fprintf(stderr, "stand_in_pod %d: ignoring SIGTERM\n", ::getpid());
  }
  if (const std::string shutdown_ms = FlagValue(argc, argv, "shutdown-ms"); !shutdown_ms.empty()) {
    ::usleep(static_cast<useconds_t>(std::stoi(shutdown_ms)) * 1000);
    WriteAtomically(report_directory + "/after-sigterm.json", Identity().dump(2));
  }
  WriteAtomically(report_directory + "/terminated", std::to_string(::getpid()) + "\n");
  std::fprintf(stderr, "stand_in_pod %d: terminated\n", ::getpid());
  return 0;
}
