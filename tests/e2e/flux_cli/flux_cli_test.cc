// Flux's own CLI (the `flux` peer, $FLUX) reads GitRepository and Kustomization status written in
// Flux's shape on the CRDs fluxcpp installs, and `flux reconcile` finishes on the handshake the
// reconciler must answer: status.lastHandledReconcileAt echoing the reconcile.fluxcd.io/requestedAt
// annotation, observedGeneration current, Ready=True (Stalled=True fails at once). The status is
// written by hand here (and by a responder thread standing in for the reconciler), so the test pins
// what the CLI reads independently of the reconciler.
//
// The CRDs are cluster-scoped and shared: applied (idempotent), never deleted.
#include "tests/e2e/support/flux_cli.h"

#include <sys/wait.h>

#include <array>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bootstrap/manifests.h"
#include "lib/kube/apply.h"
#include "lib/manifest/yaml.h"
#include "tests/e2e/support/ground.h"

namespace fluxcpp::testing {
namespace {

using kube::Json;
using kube::Object;
using manifest::GroupVersionKind;

const GroupVersionKind kGitRepository{"source.toolkit.fluxcd.io", "v1", "GitRepository"};
const GroupVersionKind kKustomization{"kustomize.toolkit.fluxcd.io", "v1", "Kustomization"};
constexpr char kSha[] = "5f1c2ab8d0e94b7c6a3f8e2d1b0c9a8f7e6d5c4b";
constexpr char kRequestedAtAnnotation[] = "reconcile.fluxcd.io/requestedAt";

std::string FileText(const std::string& path) {
  std::ifstream stream(path, std::ios::binary);
  REQUIRE(stream.good());
  std::ostringstream content;
  content << stream.rdbuf();
  return content.str();
}

std::string Now() {
  std::time_t now = std::time(nullptr);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  return stamp;
}

// A testdata file with ${NAME} placeholders filled in, parsed as one YAML document.
Json Fixture(const std::string& name, const std::map<std::string, std::string>& values) {
  std::string text = FileText(std::string(TESTDATA_DIR) + "/" + name);
  for (const auto& [key, value] : values) {
    const std::string placeholder = "${" + key + "}";
    for (size_t at; (at = text.find(placeholder)) != std::string::npos;) {
      text.replace(at, placeholder.size(), value);
    }
  }
  auto documents = manifest::ParseYamlDocuments(text, name);
  INFO(documents.status().ToString());
  REQUIRE(documents.ok());
  REQUIRE(documents->size() == 1);
  return (*documents)[0].json;
}

// The generated CRDs (with the install's labels) and the sync pair in a fresh namespace.
void CreateSources(kube::Client& client, const std::string& namespace_name) {
  bootstrap::InstallOptions options;
  options.namespace_name = namespace_name;
  auto install = bootstrap::GenerateInstall(options);
  REQUIRE(install.ok());
  std::vector<Object> crds;
  for (const Object& object : *install) {
    if (object.json()["kind"] == "CustomResourceDefinition") crds.push_back(object);
  }
  REQUIRE(crds.size() == 2);
  kube::ApplyResult applied = kube::ApplyAll(client, crds);
  INFO(applied.status.ToString());
  REQUIRE(applied.status.ok());

  auto sources =
      manifest::ReadObjects(FileText(std::string(TESTDATA_DIR) + "/sources.yaml"), "sources.yaml");
  REQUIRE(sources.ok());
  for (Object& object : *sources) {
    object.json()["metadata"]["namespace"] = namespace_name;
    auto created = client.Create(object);
    INFO(created.status().ToString());
    REQUIRE(created.ok());
  }
}

void WriteStatus(kube::Client& client, const GroupVersionKind& kind,
                 const std::string& namespace_name, const std::string& name, const Json& status) {
  auto written =
      client.Patch(kind, namespace_name, name, kube::PatchType::kMerge, status.dump(), "status");
  INFO(written.status().ToString());
  REQUIRE(written.ok());
}

TEST_CASE("flux get reads GitRepository and Kustomization status written in Flux's shape",
          "[flux_cli]") {
  auto client = AdminClient();
  ScopedNamespace space(*client, "flux-cli");
  CreateSources(*client, space.name());
  const std::string revision = std::string("main@sha1:") + kSha;
  const std::string short_revision = "main@sha1:" + std::string(kSha).substr(0, 8);

  // Before any status: listed, not Ready, waiting.
  CommandRun before = RunFlux("get sources git -n " + space.name());
  INFO(before.output);
  REQUIRE(before.exit_code == 0);
  auto rows = ParseFluxTable(before.output);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0]["NAME"] == "fleet");
  CHECK(rows[0]["READY"] == "False");
  CHECK(rows[0]["MESSAGE"] == "waiting to be reconciled");

  const std::map<std::string, std::string> values = {{"REVISION", revision},
                                                     {"SHA", kSha},
                                                     {"DIGEST", std::string(64, 'a')},
                                                     {"NOW", Now()},
                                                     {"NAMESPACE", space.name()}};
  WriteStatus(*client, kGitRepository, space.name(), "fleet",
              Fixture("gitrepository-ready-status.yaml", values));
  WriteStatus(*client, kKustomization, space.name(), "apps",
              Fixture("kustomization-ready-status.yaml", values));

  CommandRun sources = RunFlux("get sources git -n " + space.name());
  INFO(sources.output);
  REQUIRE(sources.exit_code == 0);
  rows = ParseFluxTable(sources.output);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0]["NAME"] == "fleet");
  // The revision is the artifact's, hex shortened to 8 characters, as in the message.
  CHECK(rows[0]["REVISION"] == short_revision);
  CHECK(rows[0]["SUSPENDED"] == "False");
  CHECK(rows[0]["READY"] == "True");
  CHECK(rows[0]["MESSAGE"] == "stored artifact for revision '" + short_revision + "'");

  CommandRun kustomizations = RunFlux("get kustomizations -n " + space.name());
  INFO(kustomizations.output);
  REQUIRE(kustomizations.exit_code == 0);
  rows = ParseFluxTable(kustomizations.output);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0]["NAME"] == "apps");
  CHECK(rows[0]["REVISION"] == short_revision);  // status.lastAppliedRevision
  CHECK(rows[0]["SUSPENDED"] == "False");
  CHECK(rows[0]["READY"] == "True");
  CHECK(rows[0]["MESSAGE"] == "Applied revision: " + short_revision);

  CommandRun with_source =
      RunFlux("get kustomizations --show-source --status-selector ready=true -n " + space.name());
  INFO(with_source.output);
  REQUIRE(with_source.exit_code == 0);
  rows = ParseFluxTable(with_source.output);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0]["SOURCE"] == "GitRepository/" + space.name() + "/fleet");

  // A failed attempt: Ready=False with the reconciler's message, the applied revision kept.
  WriteStatus(*client, kKustomization, space.name(), "apps",
              Fixture("kustomization-failed-status.yaml", values));
  CommandRun failed = RunFlux("get kustomizations -n " + space.name());
  INFO(failed.output);
  REQUIRE(failed.exit_code == 0);
  rows = ParseFluxTable(failed.output);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0]["READY"] == "False");
  CHECK(rows[0]["REVISION"] == short_revision);
  CHECK(rows[0]["MESSAGE"] ==
        "kustomize build failed: accumulating resources from 'apps/missing.yaml'");
  CommandRun not_ready =
      RunFlux("get kustomizations --status-selector ready=true -n " + space.name());
  INFO(not_ready.output);
  CHECK(ParseFluxTable(not_ready.output).empty());
}

// Plays the reconciler's part of `flux reconcile`: once the requestedAt annotation holds a value
// the status has not handled, writes `conditions` and lastHandledReconcileAt = that value.
class ReconcileResponder {
 public:
  ReconcileResponder(kube::Client& client, std::string namespace_name, std::string name,
                     Json conditions)
      : client_(client),
        namespace_name_(std::move(namespace_name)),
        name_(std::move(name)),
        conditions_(std::move(conditions)),
        thread_([this] { Respond(); }) {}
  ~ReconcileResponder() {
    stop_ = true;
    thread_.join();
  }
  int answered() const { return answered_.load(); }

 private:
  void Respond() {
    while (!stop_) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      auto object = client_.Get(kKustomization, namespace_name_, name_);
      if (!object.ok()) continue;
      const Json& json = object->json();
      const std::string requested =
          json["metadata"].value("annotations", Json::object()).value(kRequestedAtAnnotation, "");
      const std::string handled =
          json.value("status", Json::object()).value("lastHandledReconcileAt", "");
      if (requested.empty() || requested == handled) continue;
      const Json status = {{"status",
                            {{"lastHandledReconcileAt", requested},
                             {"observedGeneration", json["metadata"]["generation"]},
                             {"conditions", conditions_}}}};
      if (client_
              .Patch(kKustomization, namespace_name_, name_, kube::PatchType::kMerge, status.dump(),
                     "status")
              .ok()) {
        ++answered_;
      }
    }
  }

  kube::Client& client_;
  std::string namespace_name_;
  std::string name_;
  Json conditions_;
  std::atomic<bool> stop_{false};
  std::atomic<int> answered_{0};
  std::thread thread_;
};

Json Condition(const std::string& type, const std::string& status, const std::string& reason,
               const std::string& message) {
  return {{"type", type},       {"status", status},        {"reason", reason},
          {"message", message}, {"observedGeneration", 1}, {"lastTransitionTime", Now()}};
}

TEST_CASE("flux reconcile kustomization finishes when lastHandledReconcileAt echoes its request",
          "[flux_cli]") {
  auto client = AdminClient();
  ScopedNamespace space(*client, "flux-cli");
  CreateSources(*client, space.name());
  const std::string revision = std::string("main@sha1:") + kSha;
  WriteStatus(*client, kKustomization, space.name(), "apps",
              Fixture("kustomization-ready-status.yaml", {{"REVISION", revision}, {"NOW", Now()}}));

  SECTION("Ready=True: success, naming the applied revision") {
    ReconcileResponder responder(*client, space.name(), "apps",
                                 Json::array({Condition("Ready", "True", "ReconciliationSucceeded",
                                                        "Applied revision: " + revision)}));
    CommandRun run = RunFlux("reconcile kustomization apps --timeout=30s -n " + space.name());
    INFO(run.output);
    CHECK(run.exit_code == 0);
    CHECK(run.output.find("applied revision " + revision) != std::string::npos);
    CHECK(responder.answered() == 1);
    auto object = client->Get(kKustomization, space.name(), "apps");
    REQUIRE(object.ok());
    CHECK(object->json()["status"]["lastHandledReconcileAt"] ==
          object->json()["metadata"]["annotations"][kRequestedAtAnnotation]);
  }

  SECTION("Stalled=True: fails at once with the Stalled message") {
    ReconcileResponder responder(
        *client, space.name(), "apps",
        Json::array(
            {Condition("Ready", "False", "BuildFailed", "kustomize build failed"),
             Condition("Stalled", "True", "BuildFailed", "stalled: kustomize build failed")}));
    const auto started = std::chrono::steady_clock::now();
    CommandRun run = RunFlux("reconcile kustomization apps --timeout=30s -n " + space.name());
    INFO(run.output);
    CHECK(run.exit_code != 0);
    CHECK(run.output.find("stalled: kustomize build failed") != std::string::npos);
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(20));
  }

  SECTION("no answer: flux waits until its timeout") {
    CommandRun run = RunFlux("reconcile kustomization apps --timeout=5s -n " + space.name());
    INFO(run.output);
    CHECK(run.exit_code != 0);
    CHECK(run.output.find("context deadline exceeded") != std::string::npos);
  }
}

}  // namespace
}  // namespace fluxcpp::testing
