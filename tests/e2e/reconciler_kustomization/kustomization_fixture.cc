#include "tests/e2e/reconciler_kustomization/kustomization_fixture.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <mutex>

#include "lib/kube/apply.h"
#include "lib/manifest/yaml.h"
#include "reconciler/runtime/status.h"
#include "tests/unit/testdata.h"

namespace fluxcpp::testing {
namespace {

namespace fs = std::filesystem;
using manifest::Json;

const manifest::GroupVersionKind kGitRepositoryKind{"source.toolkit.fluxcd.io", "v1",
                                                    "GitRepository"};

// The CRDs the bootstrap installs, applied once per test process.
void InstallCrds(kube::Client& client) {
  static std::once_flag installed;
  std::call_once(installed, [&] {
    std::vector<manifest::Object> crds;
    for (const char* file : {"gitrepositories.yaml", "kustomizations.yaml"}) {
      std::string path = std::string(CRD_DIR) + "/" + file;
      std::ifstream input(path);
      std::stringstream text;
      text << input.rdbuf();
      auto objects = manifest::ReadObjects(text.str(), path);
      REQUIRE(objects.ok());
      crds.insert(crds.end(), objects->begin(), objects->end());
    }
    kube::ApplyResult applied = kube::ApplyAll(client, crds, {.field_manager = "fluxcpp-test"});
    INFO(applied.status.ToString());
    REQUIRE(applied.status.ok());
    client.ResetDiscovery();
  });
}

}  // namespace

std::string Revision(int seed) {
  std::string hex;
  for (int i = 0; i < 40; ++i) hex += "0123456789abcdef"[(seed * 7 + i * 3) % 16];
  return "main@sha1:" + hex;
}

KustomizationGround::KustomizationGround(const std::string& prefix,
                                         const std::string& artifact_base_url)
    : client_(AdminClient()) {
  InstallCrds(*client_);
  namespace_ = std::make_unique<ScopedNamespace>(*client_, prefix);
  storage_ = std::make_unique<artifact::Storage>(storage_directory_.path(), artifact_base_url);
  reconciler_ = std::make_unique<reconciler::kustomization::KustomizationReconciler>(
      *client_, *storage_,
      reconciler::kustomization::KustomizationReconcilerOptions{
          .cluster_config = AdminConfig(),
          .workspace_root = workspace_directory_.path(),
          .requeue_dependency = std::chrono::seconds(30)});
}

KustomizationGround::~KustomizationGround() {
  // Nothing runs the finalizer once the test ends: drop it so the namespace can go.
  auto kustomizations = client_->List(reconciler::kustomization::kKustomizationKind, ns());
  if (kustomizations.ok()) {
    for (const manifest::Object& kustomization : kustomizations->items) {
      (void)client_->Patch(reconciler::kustomization::kKustomizationKind, ns(),
                           kustomization.Name(), kube::PatchType::kMerge,
                           R"({"metadata":{"finalizers":null}})");
    }
  }
}

artifact::Artifact KustomizationGround::Publish(const std::string& source,
                                                const std::string& fixture,
                                                const std::string& revision) {
  std::string hex = revision.substr(revision.find(':') + 1);
  std::string relative =
      artifact::Storage::ObjectDirectory("GitRepository", ns(), source) + "/" + hex + ".tar.gz";
  // An absolute path is a folder the test made (e.g. files encrypted at test time).
  const std::string folder = fixture.starts_with("/") ? fixture : TestdataPath(fixture);
  auto archived = storage_->Archive(folder, relative, [](std::string_view, bool) { return true; });
  INFO(archived.status().ToString());
  REQUIRE(archived.ok());
  archived->revision = revision;
  archived->last_update_time = reconciler::FormatTime(std::chrono::system_clock::now());

  if (!Exists(kGitRepositoryKind, source)) {
    Json repository{{"apiVersion", "source.toolkit.fluxcd.io/v1"},
                    {"kind", "GitRepository"},
                    {"metadata", {{"name", source}, {"namespace", ns()}}},
                    {"spec", {{"url", "https://git.invalid/fleet.git"}, {"interval", "1m"}}}};
    auto created = client_->Create(manifest::Object(repository));
    INFO(created.status().ToString());
    REQUIRE(created.ok());
  }
  Json status{
      {"artifact", archived->ToJson()},
      {"conditions", Json::array({{{"type", "Ready"},
                                   {"status", "True"},
                                   {"reason", "Succeeded"},
                                   {"message", "stored artifact for revision '" + revision + "'"},
                                   {"lastTransitionTime", archived->last_update_time}}})}};
  absl::Status written =
      reconciler::PatchStatus(*client_, kGitRepositoryKind, ns(), source, status);
  INFO(written.ToString());
  REQUIRE(written.ok());
  return *archived;
}

void KustomizationGround::CreateKustomization(const std::string& name, Json spec,
                                              const std::string& source) {
  if (!spec.contains("sourceRef"))
    spec["sourceRef"] = {{"kind", "GitRepository"}, {"name", source}};
  if (!spec.contains("interval")) spec["interval"] = "10m";
  if (!spec.contains("prune")) spec["prune"] = true;
  if (!spec.contains("targetNamespace")) spec["targetNamespace"] = ns();
  Json object{{"apiVersion", "kustomize.toolkit.fluxcd.io/v1"},
              {"kind", "Kustomization"},
              {"metadata", {{"name", name}, {"namespace", ns()}}},
              {"spec", spec}};
  auto created = client_->Create(manifest::Object(object));
  INFO(created.status().ToString());
  REQUIRE(created.ok());
}

reconciler::Outcome KustomizationGround::Reconcile(const std::string& name) {
  std::atomic<bool> cancel{false};
  return Reconcile(name, cancel);
}

reconciler::Outcome KustomizationGround::Reconcile(const std::string& name,
                                                   const std::atomic<bool>& cancel) {
  return reconciler_->Reconcile({ns(), name}, reconciler::ReconcileContext{cancel});
}

Json KustomizationGround::Status(const std::string& name) {
  auto object = client_->Get(reconciler::kustomization::kKustomizationKind, ns(), name);
  INFO(object.status().ToString());
  REQUIRE(object.ok());
  return object->json().value("status", Json::object());
}

Json KustomizationGround::Ready(const std::string& name) {
  Json conditions = Status(name).value("conditions", Json::array());
  const Json* ready = reconciler::FindCondition(conditions, "Ready");
  return ready == nullptr ? Json::object() : *ready;
}

bool KustomizationGround::Exists(const manifest::GroupVersionKind& gvk, const std::string& name) {
  return client_->Get(gvk, ns(), name).ok();
}

}  // namespace fluxcpp::testing
