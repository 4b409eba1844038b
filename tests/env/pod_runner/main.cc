// pod_runner: a tiny kubelet for the test ground. For every Pod that kwok marks Running and whose
// container image names a known binary, it runs that binary as the Pod would run it (see
// supervisor.h and launch_plan.h), so a Deployment's rollout restarts the process as in a cluster.
//
//   pod_runner --image NAME=BINARY [--image ...] --state-dir DIR [--namespace NS]
//              [--kubeconfig FILE] [--default-arg FLAG=VALUE ... | --no-default-args]
//
// --image maps an image's repository basename (flux-reconciler for ghcr.io/x/flux-reconciler:v1) to
// a local binary. Without --namespace every namespace is watched. The runner acts with the
// kubeconfig (else KUBECONFIG) to watch Pods and request tokens; the processes get their Pod's
// ServiceAccount.
// --default-arg replaces the built-in defaults (free ports for --health-addr, --metrics-addr,
// --storage-addr and --storage-adv-addr, and --storage-path=/data) appended when args lack them.
// DIR/ready appears once the first list of Pods was handled. A deleted Pod stays (terminating)
// until its processes have exited, see kRunningAnnotation in supervisor.h. SIGTERM or SIGINT stops
// every process (with its Pod's grace period), removes the runner's marks from the Pods and then
// stops the runner.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "lib/kube/client.h"
#include "lib/kube/config.h"
#include "tests/env/pod_runner/supervisor.h"

namespace {

namespace fs = std::filesystem;
using fluxcpp::pod_runner::Json;

int Usage(const std::string& problem) {
  std::fprintf(
      stderr,
      "pod_runner: %s\nusage: pod_runner --image NAME=BINARY [--image ...] --state-dir DIR "
      "[--namespace NS] [--kubeconfig FILE] [--default-arg FLAG=VALUE ... | "
      "--no-default-args]\n",
      problem.c_str());
  return 2;
}

int Fail(const std::string& message) {
  std::fprintf(stderr, "pod_runner: %s\n", message.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  namespace kube = fluxcpp::kube;
  namespace pod_runner = fluxcpp::pod_runner;
  pod_runner::SupervisorOptions options;
  std::string namespace_name;
  std::string kubeconfig;
  bool own_defaults = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      const size_t equals = arg.find('=');
      if (arg.rfind("--", 0) == 0 && equals != std::string::npos) return arg.substr(equals + 1);
      if (i + 1 >= argc) return "";
      return argv[++i];
    };
    const std::string flag = arg.substr(0, arg.find('='));
    if (flag == "--image") {
      const std::string mapping = value();
      const size_t equals = mapping.find('=');
      if (equals == std::string::npos || equals == 0) return Usage("--image wants NAME=BINARY");
      std::error_code error;
      const fs::path binary = fs::absolute(mapping.substr(equals + 1), error);
      if (::access(binary.c_str(), X_OK) != 0) {
        return Usage("--image " + mapping + ": " + binary.string() + " is not an executable");
      }
      options.images[mapping.substr(0, equals)] = binary.string();
    } else if (flag == "--state-dir") {
      options.state_directory = fs::absolute(value()).string();
    } else if (flag == "--namespace") {
      namespace_name = value();
    } else if (flag == "--kubeconfig") {
      kubeconfig = value();
    } else if (flag == "--default-arg") {
      auto parsed = pod_runner::ParseDefaultArg(value());
      if (!parsed.ok()) return Usage(std::string(parsed.status().message()));
      if (!own_defaults) options.default_args.clear();
      own_defaults = true;
      options.default_args.push_back(*parsed);
    } else if (flag == "--no-default-args") {
      own_defaults = true;
      options.default_args.clear();
    } else {
      return Usage("unknown argument " + arg);
    }
  }
  if (options.images.empty()) return Usage("no --image given");
  if (options.state_directory.empty()) return Usage("no --state-dir given");

  // Signals are taken by one thread with sigwait; every other thread (curl's too) inherits the
  // mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  kube::KubeconfigOptions kubeconfig_options;
  if (!kubeconfig.empty()) kubeconfig_options.paths = {kubeconfig};
  auto config = kube::LoadKubeconfig(kubeconfig_options);
  if (!config.ok()) return Fail(std::string(config.status().message()));
  options.server = config->server;
  options.ca_pem = config->tls.ca_pem;
  auto client = kube::Client::Create(*config);
  if (!client.ok()) return Fail(std::string(client.status().message()));
  std::error_code error;
  fs::create_directories(options.state_directory + "/pods", error);
  if (error) return Fail("cannot create " + options.state_directory + ": " + error.message());

  pod_runner::Supervisor supervisor(**client, options);
  std::atomic<bool> stop{false};
  std::thread signal_waiter([&] {
    int received = 0;
    sigwait(&signals, &received);
    std::fprintf(stderr, "pod_runner: signal %d, stopping\n", received);
    stop = true;
    supervisor.Wake();
  });
  std::thread supervising([&] { supervisor.Run(stop); });

  const kube::GroupVersionKind pods{"", "v1", "Pod"};
  bool ready = false;
  while (!stop.load()) {
    // A fresh list after every broken watch: pods deleted meanwhile show up as missing there.
    auto listed = (*client)->List(pods, namespace_name);
    if (!listed.ok()) {
      std::fprintf(stderr, "pod_runner: listing Pods: %s\n",
                   std::string(listed.status().message()).c_str());
      std::this_thread::sleep_for(std::chrono::seconds(1));
      continue;
    }
    std::vector<Json> items;
    for (const auto& item : listed->items) items.push_back(item.json());
    supervisor.Resync(items);
    if (!ready) {
      std::ofstream(options.state_directory + "/ready") << ::getpid() << "\n";
      ready = true;
    }
    kube::WatchOptions watch;
    watch.resource_version = listed->resource_version;
    watch.cancel = &stop;
    absl::Status watched =
        (*client)->Watch(pods, namespace_name, watch, [&](const kube::WatchEvent& event) {
          if (event.type == kube::WatchEventType::kDeleted) {
            supervisor.PodGone(event.object.json());
          } else if (event.type != kube::WatchEventType::kBookmark) {
            supervisor.PodSeen(event.object.json());
          }
          return !stop.load();
        });
    if (!watched.ok() && !stop.load()) {
      std::fprintf(stderr, "pod_runner: watching Pods: %s\n",
                   std::string(watched.message()).c_str());
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
  }
  supervising.join();
  // The waiter has returned: stop only becomes true through it.
  signal_waiter.join();
  return 0;
}
