// pod_runner against the ground: kwok marks the Pods Running, the runner starts stand_in_pod for
// them (tests/e2e/pod_runner/stand_in_pod.cc), and the stand-in's reports show what the process
// got.
#include "tests/e2e/support/pod_runner.h"

#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>

#include "lib/kube/client.h"
#include "lib/kube/errors.h"
#include "lib/manifest/yaml.h"
#include "tests/e2e/support/ground.h"
#include "tests/env/pod_runner/supervisor.h"

namespace fluxcpp::testing {
namespace {

namespace fs = std::filesystem;
using kube::Json;
using kube::Object;

const kube::GroupVersionKind kPod{"", "v1", "Pod"};
const kube::GroupVersionKind kDeployment{"apps", "v1", "Deployment"};
// The stand-in's reports must live outside /tmp: the pods mount an emptyDir there, so the runner
// rewrites every argument under /tmp onto the pod's own folder.
const char kReportParent[] = "/var/tmp";

std::string FileText(const std::string& path) {
  std::ifstream stream(path, std::ios::binary);
  std::ostringstream content;
  content << stream.rdbuf();
  return content.str();
}

// Polls `condition` every 100 ms; fails the test naming `what`, with the runner's log, after
// `timeout`.
void WaitUntil(const PodRunner& runner, const std::string& what,
               const std::function<bool()>& condition,
               std::chrono::seconds timeout = std::chrono::seconds(60)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) {
      FAIL("timed out waiting until " << what << "\npod_runner log:\n" << runner.Log());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

// A live process, not a zombie waiting for its parent.
bool ProcessRuns(int pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  const size_t after_name = line.rfind(')');
  return after_name != std::string::npos && line.size() > after_name + 2 &&
         line[after_name + 2] != 'Z';
}

Object Fixture(const std::string& name, const std::string& report_root) {
  std::string text = FileText(std::string(TESTDATA_DIR) + "/" + name);
  for (size_t at; (at = text.find("REPORT_ROOT")) != std::string::npos;) {
    text.replace(at, 11, report_root);
  }
  auto objects = manifest::ReadObjects(text, name);
  REQUIRE(objects.ok());
  REQUIRE(objects->size() == 1);
  return (*objects)[0];
}

void CreateServiceAccount(kube::Client& client, const std::string& namespace_name) {
  auto created = client.Create(
      Object(Json{{"apiVersion", "v1"},
                  {"kind", "ServiceAccount"},
                  {"metadata", {{"name", "stand-in"}, {"namespace", namespace_name}}}}));
  INFO(created.status().ToString());
  REQUIRE(created.ok());
}

// The Running pods of the namespace that are not being deleted.
std::vector<Json> RunningPods(kube::Client& client, const std::string& namespace_name) {
  auto pods = client.List(kPod, namespace_name);
  REQUIRE(pods.ok());
  std::vector<Json> running;
  for (const Object& pod : pods->items) {
    const Json& json = pod.json();
    if (!json["metadata"].contains("deletionTimestamp") &&
        json.value("status", Json::object()).value("phase", "") == "Running") {
      running.push_back(json);
    }
  }
  return running;
}

// The report the stand-in of `pod_name` wrote, once it is there.
Json WaitForReport(const PodRunner& runner, const std::string& report_root,
                   const std::string& pod_name) {
  const std::string path = report_root + "/" + pod_name + "/report.json";
  WaitUntil(runner, "the stand-in of " + pod_name + " reported", [&] { return fs::exists(path); });
  return Json::parse(FileText(path));
}

bool HasArg(const Json& report, const std::string& arg) {
  for (const Json& given : report["argv"]) {
    if (given == arg) return true;
  }
  return false;
}

std::string ArgValue(const Json& report, const std::string& flag) {
  for (const Json& given : report["argv"]) {
    const std::string text = given.get<std::string>();
    if (text.rfind("--" + flag + "=", 0) == 0) return text.substr(flag.size() + 3);
  }
  return "";
}

TEST_CASE(
    "pod_runner runs a Deployment's pod as its ServiceAccount, restarts it on a rollout and "
    "stops it when the Deployment goes",
    "[pod_runner]") {
  auto client = AdminClient();
  ScopedNamespace space(*client, "pod-runner");
  CreateServiceAccount(*client, space.name());
  ScratchDirectory reports(kReportParent);
  PodRunner runner({.images = {{"stand-in-pod", STAND_IN_POD}}, .namespace_name = space.name()});

  Object deployment = Fixture("stand-in-deployment.yaml", reports.path());
  deployment.json()["metadata"]["namespace"] = space.name();
  auto created = client->Create(deployment);
  INFO(created.status().ToString());
  REQUIRE(created.ok());

  std::vector<Json> pods;
  WaitUntil(runner, "kwok marks the first pod Running", [&] {
    pods = RunningPods(*client, space.name());
    return pods.size() == 1;
  });
  const Json first_pod = pods[0];
  const std::string first_name = first_pod["metadata"]["name"];
  const Json first = WaitForReport(runner, reports.path(), first_name);
  INFO("first report: " << first.dump(2));
  const std::string pod_directory = runner.PodDirectory(first_pod);

  // The Deployment's args, with $(VAR) expanded and /data rewritten onto the pod's emptyDir.
  CHECK(HasArg(first, "--report-dir=" + reports.path() + "/" + first_name));
  CHECK(HasArg(first, "--generation=one"));
  CHECK(ArgValue(first, "storage-path") == pod_directory + "/volumes/data/store");
  CHECK(first["storage_path_writable"] == true);
  // Free loopback ports for the listeners the args leave out, since pods share the host network
  // here.
  const std::string health = ArgValue(first, "health-addr");
  const std::string metrics = ArgValue(first, "metrics-addr");
  const std::string storage = ArgValue(first, "storage-addr");
  CHECK(health.rfind("127.0.0.1:", 0) == 0);
  CHECK(metrics.rfind("127.0.0.1:", 0) == 0);
  CHECK(storage.rfind("127.0.0.1:", 0) == 0);
  CHECK(health != metrics);
  CHECK(metrics != storage);
  CHECK(ArgValue(first, "storage-adv-addr") == storage);

  // The environment as the kubelet would resolve it, plus a kubeconfig for the pod's identity.
  const Json& env = first["env"];
  CHECK(env.value("RUNTIME_NAMESPACE", "") == space.name());
  CHECK(env.value("POD_NAME", "") == first_name);
  CHECK(env.value("SERVICE_ACCOUNT", "") == "stand-in");
  CHECK(env.value("GREETING", "") == "hello-" + first_name);
  CHECK(!env.value("POD_IP", "").empty());
  CHECK(env.value("POD_IP", "") == first_pod["status"].value("podIP", ""));
  CHECK(env.value("TMPDIR", "") == pod_directory + "/volumes/tmp");
  CHECK(first["tmpdir_writable"] == true);
  CHECK(env.value("KUBECONFIG", "") == pod_directory + "/kubeconfig");
  CHECK(first["cwd"] == pod_directory);

  // The API server takes the process for the pod's ServiceAccount, with a token bound to the pod.
  CHECK(first["user"].value("username", "") ==
        "system:serviceaccount:" + space.name() + ":stand-in");
  CHECK(first["user"]["extra"]["authentication.kubernetes.io/pod-name"] ==
        Json::array({first_name}));
  CHECK(first["user"]["extra"]["authentication.kubernetes.io/pod-uid"] ==
        Json::array({first_pod["metadata"]["uid"]}));
  const int first_pid = first["pid"];
  CHECK(ProcessRuns(first_pid));
  CHECK(FileText(pod_directory + "/manager.pid") == std::to_string(first_pid) + "\n");

  // A new pod template rolls out a new pod: the old process stops, a new one starts with the new
  // arg.
  const Json patch = {
      {"spec",
       {{"template",
         {{"spec",
           {{"containers",
             Json::array({{{"name", "manager"},
                           {"args", Json::array({"--report-dir=" + reports.path() + "/$(POD_NAME)",
                                                 "--storage-path=/data/store",
                                                 "--generation=two"})}}})}}}}}}}};
  auto patched = client->Patch(kDeployment, space.name(), "stand-in",
                               kube::PatchType::kStrategicMerge, patch.dump());
  INFO(patched.status().ToString());
  REQUIRE(patched.ok());
  Json second_pod;
  WaitUntil(runner, "the rollout's pod runs and the first one is gone", [&] {
    pods = RunningPods(*client, space.name());
    if (pods.size() != 1 || pods[0]["metadata"]["name"] == first_name) return false;
    second_pod = pods[0];
    return true;
  });
  const std::string second_name = second_pod["metadata"]["name"];
  const Json second = WaitForReport(runner, reports.path(), second_name);
  INFO("second report: " << second.dump(2));
  CHECK(HasArg(second, "--generation=two"));
  CHECK_FALSE(HasArg(second, "--generation=one"));
  const int second_pid = second["pid"];
  CHECK(second_pid != first_pid);
  CHECK(second["user"].value("username", "") ==
        "system:serviceaccount:" + space.name() + ":stand-in");
  WaitUntil(runner, "the first process stopped", [&] { return !ProcessRuns(first_pid); });
  // It was asked to stop (SIGTERM), not killed.
  CHECK(FileText(reports.path() + "/" + first_name + "/terminated") ==
        std::to_string(first_pid) + "\n");
  // The first pod's emptyDir goes with the pod (once it is gone from the API, too).
  WaitUntil(runner, "the first pod's volumes are removed",
            [&] { return !fs::exists(pod_directory + "/volumes"); });
  CHECK(ProcessRuns(second_pid));

  // Deleting the Deployment deletes its pod, and the process with it.
  REQUIRE(client->Delete(kDeployment, space.name(), "stand-in").ok());
  WaitUntil(runner, "the second process stopped", [&] { return !ProcessRuns(second_pid); });
  CHECK(FileText(reports.path() + "/" + second_name + "/terminated") ==
        std::to_string(second_pid) + "\n");
}

TEST_CASE(
    "pod_runner restarts a process that exits while its pod runs and kills one that ignores "
    "SIGTERM after the pod's grace period",
    "[pod_runner]") {
  auto client = AdminClient();
  ScopedNamespace space(*client, "pod-runner");
  CreateServiceAccount(*client, space.name());
  ScratchDirectory reports(kReportParent);
  PodRunner runner({.images = {{"stand-in-pod", STAND_IN_POD}}, .namespace_name = space.name()});

  Object pod = Fixture("stand-in-pod.yaml", reports.path());
  pod.json()["metadata"]["namespace"] = space.name();
  pod.json()["spec"]["containers"][0]["args"].push_back("--ignore-sigterm=true");
  REQUIRE(client->Create(pod).ok());
  const std::string report = reports.path() + "/stand-in/report.json";
  const int first_pid = WaitForReport(runner, reports.path(), "stand-in")["pid"];

  // restartPolicy Always: a crash (here SIGKILL) is followed by a new start after a backoff.
  fs::remove(report);
  REQUIRE(::kill(first_pid, SIGKILL) == 0);
  const int second_pid = WaitForReport(runner, reports.path(), "stand-in")["pid"];
  CHECK(second_pid != first_pid);
  CHECK(ProcessRuns(second_pid));
  CHECK(FileText(runner.state_directory() + "/pod_runner.log").find("killed by signal 9") !=
        std::string::npos);

  // The stand-in ignores SIGTERM, so only the SIGKILL after terminationGracePeriodSeconds (2)
  // stops it.
  const auto deleted_at = std::chrono::steady_clock::now();
  REQUIRE(client->Delete(kPod, space.name(), "stand-in").ok());
  WaitUntil(runner, "the process was killed", [&] { return !ProcessRuns(second_pid); });
  const auto took = std::chrono::steady_clock::now() - deleted_at;
  CHECK(took >= std::chrono::milliseconds(1900));
  CHECK(took < std::chrono::seconds(15));
  CHECK_FALSE(fs::exists(reports.path() + "/stand-in/terminated"));
}

// Whether `pod` carries the runner's mark, which keeps kwok from deleting it.
bool MarkedRunning(const Json& pod) {
  return pod["metadata"]
      .value("annotations", Json::object())
      .contains(pod_runner::kRunningAnnotation);
}

TEST_CASE(
    "a deleted Pod that pod_runner runs stays, terminating, until its process has exited, so the "
    "process's token works during its shutdown; other Pods are deleted at once",
    "[pod_runner]") {
  auto client = AdminClient();
  ScopedNamespace space(*client, "pod-runner");
  CreateServiceAccount(*client, space.name());
  ScratchDirectory reports(kReportParent);
  PodRunner runner({.images = {{"stand-in-pod", STAND_IN_POD}}, .namespace_name = space.name()});

  // The stand-in shuts down for 11 s after SIGTERM and then calls the API server again: longer
  // than the API server caches a token's authentication (10 s), so that call proves the token is
  // still valid then, not only that it was earlier.
  Object pod = Fixture("stand-in-pod.yaml", reports.path());
  pod.json()["metadata"]["namespace"] = space.name();
  pod.json()["spec"]["terminationGracePeriodSeconds"] = 30;
  pod.json()["spec"]["containers"][0]["args"].push_back("--shutdown-ms=11000");
  REQUIRE(client->Create(pod).ok());
  // A Pod whose image the runner does not know: kwok alone runs it, as most tests' Pods.
  Object bystander(
      Json{{"apiVersion", "v1"},
           {"kind", "Pod"},
           {"metadata", {{"name", "bystander"}, {"namespace", space.name()}}},
           {"spec",
            {{"terminationGracePeriodSeconds", 20},
             {"containers",
              Json::array({{{"name", "main"}, {"image", "registry.example.test/other:v1"}}})}}}});
  REQUIRE(client->Create(bystander).ok());

  const int pid = WaitForReport(runner, reports.path(), "stand-in")["pid"];
  WaitUntil(runner, "both pods run",
            [&] { return RunningPods(*client, space.name()).size() == 2; });
  auto running = client->Get(kPod, space.name(), "stand-in");
  REQUIRE(running.ok());
  CHECK(MarkedRunning(running->json()));
  auto other = client->Get(kPod, space.name(), "bystander");
  REQUIRE(other.ok());
  CHECK_FALSE(MarkedRunning(other->json()));

  const auto deleted_at = std::chrono::steady_clock::now();
  REQUIRE(client->Delete(kPod, space.name(), "bystander").ok());
  REQUIRE(client->Delete(kPod, space.name(), "stand-in").ok());

  // The bystander goes at once, despite its 20 s grace period, as it did before the runner's mark.
  WaitUntil(
      runner, "the bystander is gone",
      [&] { return kube::IsNotFoundError(client->Get(kPod, space.name(), "bystander").status()); },
      std::chrono::seconds(5));
  const auto bystander_took = std::chrono::steady_clock::now() - deleted_at;
  INFO("bystander gone after "
       << std::chrono::duration_cast<std::chrono::milliseconds>(bystander_took).count() << " ms");
  CHECK(bystander_took < std::chrono::seconds(3));

  // The stand-in's Pod stays, terminating, for as long as the process shuts down.
  int terminating_seen = 0;
  while (ProcessRuns(pid)) {
    auto current = client->Get(kPod, space.name(), "stand-in");
    if (!ProcessRuns(pid)) break;  // the Pod may go right after the process
    INFO(current.status().ToString());
    REQUIRE(current.ok());
    CHECK(current->json()["metadata"].contains("deletionTimestamp"));
    CHECK(MarkedRunning(current->json()));
    ++terminating_seen;
    REQUIRE(std::chrono::steady_clock::now() - deleted_at < std::chrono::seconds(25));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  const auto process_took = std::chrono::steady_clock::now() - deleted_at;
  CHECK(terminating_seen >= 20);
  CHECK(process_took >= std::chrono::milliseconds(10900));
  CHECK(FileText(reports.path() + "/stand-in/terminated") == std::to_string(pid) + "\n");
  // At the end of its shutdown the process's Pod-bound token still worked.
  const Json after = Json::parse(FileText(reports.path() + "/stand-in/after-sigterm.json"));
  INFO("after SIGTERM: " << after.dump(2));
  CHECK(after.value("username", "") == "system:serviceaccount:" + space.name() + ":stand-in");

  // Once the process has exited, the runner lets kwok finish the deletion.
  WaitUntil(
      runner, "the stand-in's pod is gone",
      [&] { return kube::IsNotFoundError(client->Get(kPod, space.name(), "stand-in").status()); },
      std::chrono::seconds(5));
}

TEST_CASE("stopping pod_runner stops the processes it runs", "[pod_runner]") {
  auto client = AdminClient();
  ScopedNamespace space(*client, "pod-runner");
  CreateServiceAccount(*client, space.name());
  ScratchDirectory reports(kReportParent);
  PodRunner runner({.images = {{"stand-in-pod", STAND_IN_POD}}, .namespace_name = space.name()});

  Object pod = Fixture("stand-in-pod.yaml", reports.path());
  pod.json()["metadata"]["namespace"] = space.name();
  REQUIRE(client->Create(pod).ok());
  const int pid = WaitForReport(runner, reports.path(), "stand-in")["pid"];
  REQUIRE(ProcessRuns(pid));

  auto marked = client->Get(kPod, space.name(), "stand-in");
  REQUIRE(marked.ok());
  CHECK(MarkedRunning(marked->json()));

  runner.Stop();
  CHECK_FALSE(ProcessRuns(pid));
  CHECK(FileText(reports.path() + "/stand-in/terminated") == std::to_string(pid) + "\n");
  // The runner took its mark with it, so nothing it ran is kept from deletion any longer.
  auto left = client->Get(kPod, space.name(), "stand-in");
  REQUIRE(left.ok());
  CHECK_FALSE(MarkedRunning(left->json()));
  REQUIRE(client->Delete(kPod, space.name(), "stand-in").ok());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!kube::IsNotFoundError(client->Get(kPod, space.name(), "stand-in").status())) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

}  // namespace
}  // namespace fluxcpp::testing
