#include "tests/e2e/reconciler_takeover/takeover_ground.h"

#include <sys/wait.h>

#include <array>
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace fluxcpp::testing {
namespace {

namespace fs = std::filesystem;

std::string Tail(const std::string& text, size_t bytes) {
  return text.size() <= bytes ? text : "..." + text.substr(text.size() - bytes);
}

}  // namespace

std::string Testdata(const std::string& name, const std::map<std::string, std::string>& values) {
  std::string text = ReadTextFile(std::string(TESTDATA_DIR) + "/" + name);
  for (const auto& [key, value] : values) {
    const std::string placeholder = "${" + key + "}";
    for (size_t at; (at = text.find(placeholder)) != std::string::npos;) {
      text.replace(at, placeholder.size(), value);
    }
  }
  return text;
}

TakeoverGround::TakeoverGround(const std::string& prefix)
    : client_(AdminClient()),
      repository_(NewGroundRepository(prefix)),
      namespace_name_(repository_.name),
      cleanup_(*client_, namespace_name_),
      runner_({.images = {{"flux-reconciler", FLUX_RECONCILER_BIN}},
               .namespace_name = namespace_name_}) {}

TakeoverGround::~TakeoverGround() {
  // The runner stops first (see cleanup_), then the uninstall runs.
  runner_.Stop();
}

CommandRun TakeoverGround::Bootstrap(const std::string& interval, const std::string& extra_flags) {
  const std::string command =
      std::string(FLUXCPP_BIN) + " bootstrap git --url " + ShellQuote(repository_.ssh_url) +
      " --path " + kPath + " --private-key-file " + ShellQuote(GroundEnv("GIT_SSH_KEY")) +
      " --known-hosts-file " + ShellQuote(GroundEnv("GIT_KNOWN_HOSTS")) + " --namespace " +
      namespace_name_ + " --interval " + interval +
      " --no-watch-all-namespaces --author-email flux@example.com --timeout 2m " + extra_flags;
  CommandRun run = RunCommand(command);
  INFO("$ " << command << "\n" << run.output << "\n" << Diagnostics());
  REQUIRE(run.exit_code == 0);

  git::CloneOptions options;
  options.auth = GroundSshAuth();
  auto cloned =
      git::Repository::Clone(repository_.ssh_url, clone_directory_.path() + "/clone", options);
  INFO(cloned.status().ToString());
  REQUIRE(cloned.ok());
  clone_ = std::move(*cloned);
  return run;
}

void TakeoverGround::WriteFile(const std::string& path, const std::string& content) {
  REQUIRE(clone_ != nullptr);
  absl::Status written = clone_->WriteFile(path, content);
  INFO(written.ToString());
  REQUIRE(written.ok());
}

void TakeoverGround::RemoveFile(const std::string& path) {
  REQUIRE(clone_ != nullptr);
  absl::Status removed = clone_->RemoveFile(path);
  INFO(removed.ToString());
  REQUIRE(removed.ok());
}

std::string TakeoverGround::ReadFile(const std::string& path) {
  REQUIRE(clone_ != nullptr);
  return ReadTextFile(clone_directory_.path() + "/clone/" + path);
}

std::string TakeoverGround::Push(const std::string& message) {
  REQUIRE(clone_ != nullptr);
  auto committed = clone_->Commit(
      {.author_name = "Takeover Test", .author_email = "test@example.com", .message = message});
  INFO(committed.status().ToString());
  REQUIRE(committed.ok());
  REQUIRE(committed->created);
  auto pushed = clone_->Push();
  INFO(pushed.status().ToString());
  REQUIRE(pushed.ok());
  return "main@sha1:" + pushed->sha;
}

std::string TakeoverGround::RemoteRevision() {
  return "main@sha1:" + RemoteHead(repository_.ssh_url, GroundSshAuth());
}

std::optional<Json> TakeoverGround::Get(const manifest::GroupVersionKind& kind,
                                        const std::string& name,
                                        const std::string& namespace_name) {
  auto object = client_->Get(kind, namespace_name.empty() ? namespace_name_ : namespace_name, name);
  if (object.ok()) return object->json();
  INFO(object.status().ToString());
  REQUIRE((kube::IsNotFoundError(object.status()) ||
           object.status().code() == absl::StatusCode::kNotFound));
  return std::nullopt;
}

Json TakeoverGround::Condition(const Json& object, const std::string& type) {
  const Json& status = object.value("status", Json::object());
  for (const Json& condition : status.value("conditions", Json::array())) {
    if (condition.value("type", "") == type) return condition;
  }
  return Json::object();
}

bool TakeoverGround::KustomizationReadyAt(const std::string& name, const std::string& revision) {
  auto object = Get(kKustomizationKind, name);
  if (!object) return false;
  return Condition(*object, "Ready").value("status", "") == "True" &&
         (*object)["status"].value("lastAppliedRevision", "") == revision;
}

std::string TakeoverGround::RequestReconcile(const manifest::GroupVersionKind& kind,
                                             const std::string& name) {
  const std::string token = "takeover-" + RandomSuffix(8);
  const Json patch = {
      {"metadata", {{"annotations", {{"reconcile.fluxcd.io/requestedAt", token}}}}}};
  auto patched = client_->Patch(kind, namespace_name_, name, kube::PatchType::kMerge, patch.dump());
  INFO(patched.status().ToString());
  REQUIRE(patched.ok());
  return token;
}

std::optional<Json> TakeoverGround::ReconcilerPod() {
  auto pods = client_->List(kPodKind, namespace_name_);
  REQUIRE(pods.ok());
  std::vector<Json> running;
  for (const kube::Object& pod : pods->items) {
    const Json& json = pod.json();
    if (!json["metadata"].contains("deletionTimestamp") &&
        json.value("status", Json::object()).value("phase", "") == "Running" &&
        json["metadata"].value("labels", Json::object()).value("app", "") == "flux-reconciler") {
      running.push_back(json);
    }
  }
  if (running.size() != 1) return std::nullopt;
  return running[0];
}

int TakeoverGround::ReconcilerPid(const Json& pod) {
  std::ifstream file(runner_.PodDirectory(pod) + "/manager.pid");
  int pid = -1;
  if (!(file >> pid)) return -1;
  return pid;
}

void TakeoverGround::WaitUntil(const std::string& what, const std::function<bool()>& condition,
                               std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) {
      FAIL("timed out after " << timeout.count() << "s waiting until " << what << "\n"
                              << Diagnostics());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

std::string TakeoverGround::Diagnostics() {
  std::ostringstream text;
  text << "pod_runner log:\n" << Tail(runner_.Log(), 3000) << "\n";
  std::error_code error;
  const fs::path pods = fs::path(runner_.state_directory()) / "pods";
  if (fs::exists(pods, error)) {
    for (const auto& pod : fs::directory_iterator(pods, error)) {
      std::ifstream log(pod.path() / "manager.log");
      std::ostringstream content;
      content << log.rdbuf();
      text << "reconciler log of " << pod.path().filename().string() << ":\n"
           << Tail(content.str(), 6000) << "\n";
    }
  }
  for (const char* name : {"", "apps"}) {
    auto object = client_->Get(kKustomizationKind, namespace_name_,
                               *name == '\0' ? namespace_name_ : std::string(name));
    if (object.ok()) {
      text << "Kustomization " << object->Name()
           << " status: " << object->json().value("status", Json::object()).dump() << "\n";
    }
  }
  return Tail(text.str(), 20000);
}

}  // namespace fluxcpp::testing

namespace fluxcpp::testing {

void WriteApps(TakeoverGround& ground, const std::vector<std::string>& resources,
               const std::string& greeting, const std::string& interval) {
  const std::string& namespace_name = ground.namespace_name();
  std::string listed;
  for (const std::string& resource : resources) listed += "  - " + resource + "\n";
  ground.WriteFile(
      "apps/kustomization.yaml",
      Testdata("apps-kustomization.yaml", {{"NAMESPACE", namespace_name}, {"RESOURCES", listed}}));
  ground.WriteFile("apps/deployment.yaml", Testdata("apps-deployment.yaml"));
  ground.WriteFile("apps/service.yaml", Testdata("apps-service.yaml"));
  ground.WriteFile("apps/configmap.yaml",
                   Testdata("apps-configmap.yaml", {{"GREETING", greeting}}));
  ground.WriteFile(
      std::string(TakeoverGround::kPath) + "/apps.yaml",
      Testdata("apps-sync.yaml", {{"NAMESPACE", namespace_name}, {"INTERVAL", interval}}));
}

std::set<std::string> InventoryIds(const Json& kustomization) {
  std::set<std::string> ids;
  const Json& status = kustomization.value("status", Json::object());
  for (const Json& entry :
       status.value("inventory", Json::object()).value("entries", Json::array())) {
    ids.insert(entry.value("id", ""));
  }
  return ids;
}

}  // namespace fluxcpp::testing

namespace fluxcpp::testing {

void WriteBulk(TakeoverGround& ground, const std::vector<std::string>& names) {
  const std::string& namespace_name = ground.namespace_name();
  ground.WriteFile(std::string(TakeoverGround::kPath) + "/bulk.yaml",
                   Testdata("bulk-sync.yaml", {{"NAMESPACE", namespace_name}}));
  // Files of names that left the list go, so the overlay is exactly `names`.
  std::string resources;
  for (size_t i = 0; i < names.size(); ++i) {
    ground.WriteFile("bulk/" + names[i] + ".yaml",
                     Testdata("bulk-configmap.yaml", {{"NAME", names[i]},
                                                      {"NAMESPACE", namespace_name},
                                                      {"INDEX", std::to_string(i)}}));
    resources += "  - " + names[i] + ".yaml\n";
  }
  ground.WriteFile("bulk/kustomization.yaml",
                   "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
                   "resources:\n" +
                       resources);
}

std::vector<std::string> NumberedNames(const std::string& prefix, int count) {
  std::vector<std::string> names;
  for (int i = 0; i < count; ++i) {
    char suffix[16];
    std::snprintf(suffix, sizeof suffix, "%03d", i);
    names.push_back(prefix + "-" + suffix);
  }
  return names;
}

std::map<std::string, bool> BulkConfigMaps(TakeoverGround& ground) {
  auto list = ground.client().List(kConfigMapKind, ground.namespace_name(),
                                   {.label_selector = "kustomize.toolkit.fluxcd.io/name=bulk"});
  INFO(list.status().ToString());
  REQUIRE(list.ok());
  std::map<std::string, bool> found;
  for (const kube::Object& object : list->items) {
    found[object.Name()] = object.json()["metadata"].contains("deletionTimestamp");
  }
  return found;
}

}  // namespace fluxcpp::testing
