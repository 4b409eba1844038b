#include "runtime_fixture.h"

#include <catch2/catch.hpp>
#include <thread>

#include "bootstrap/manifests.h"
#include "lib/kube/apply.h"
#include "lib/kube/errors.h"
#include "reconciler/runtime/status.h"

namespace fluxcpp::reconciler::testing {

void InstallFluxCrds(kube::Client& client) {
  static std::once_flag installed;
  std::call_once(installed, [&client] {
    auto install = bootstrap::GenerateInstall(bootstrap::InstallOptions{});
    REQUIRE(install.ok());
    std::vector<manifest::Object> crds;
    for (const manifest::Object& object : *install) {
      if (object.Kind() == "CustomResourceDefinition") crds.push_back(object);
    }
    REQUIRE(crds.size() >= 2);
    kube::ApplyResult applied = kube::ApplyAll(client, crds);
    INFO(applied.status.ToString());
    REQUIRE(applied.status.ok());
    client.ResetDiscovery();
    REQUIRE(Eventually([&] { return client.Resolve(kGitRepository).ok(); }));
  });
}

manifest::Object CreateGitRepository(kube::Client& client, const std::string& namespace_name,
                                     const std::string& name) {
  manifest::Json json = {
      {"apiVersion", kGitRepository.ApiVersion()},
      {"kind", kGitRepository.kind},
      {"metadata", {{"name", name}, {"namespace", namespace_name}}},
      {"spec", {{"interval", "1m"}, {"url", "https://git.example.com/" + name + ".git"}}}};
  auto created = client.Create(manifest::Object(std::move(json)));
  INFO((created.ok() ? "" : created.status().ToString()));
  REQUIRE(created.ok());
  return *created;
}

void PatchGitRepository(kube::Client& client, const std::string& namespace_name,
                        const std::string& name, const manifest::Json& patch) {
  auto patched =
      client.Patch(kGitRepository, namespace_name, name, kube::PatchType::kMerge, patch.dump());
  INFO((patched.ok() ? "" : patched.status().ToString()));
  REQUIRE(patched.ok());
}

bool Eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return condition();
}

manifest::Json RecordingReconciler::WriteReadyStatus(const ObjectKey& key) {
  auto object = client_.Get(kGitRepository, key.namespace_name, key.name);
  if (!object.ok()) return nullptr;
  int64_t generation = object->json()["metadata"].value("generation", int64_t{0});
  manifest::Json conditions = manifest::Json::array();
  SetCondition(conditions,
               Condition{.type = std::string(kReadyCondition),
                         .status = "True",
                         .reason = std::string(kSucceededReason),
                         .message = "reconciled by the test",
                         .observed_generation = generation},
               std::chrono::system_clock::now());
  absl::Status patched =
      PatchStatus(client_, kGitRepository, key.namespace_name, key.name,
                  {{"observedGeneration", generation}, {"conditions", conditions}});
  if (!patched.ok()) return nullptr;
  return conditions;
}

Outcome RecordingReconciler::Reconcile(const ObjectKey& key, const ReconcileContext& context) {
  int call_number;
  Behaviour behaviour;
  {
    std::lock_guard lock(mutex_);
    call_number = ++counts_[key];
    behaviour = behaviour_;
  }
  bool found = client_.Get(kGitRepository, key.namespace_name, key.name).ok();
  Outcome outcome;
  if (behaviour) {
    outcome = behaviour(key, context, call_number);
  } else if (found) {
    outcome.conditions = WriteReadyStatus(key);
  }
  std::lock_guard lock(mutex_);
  calls_.push_back(Call{.key = key,
                        .at = std::chrono::steady_clock::now(),
                        .found = found,
                        .cancelled = context.cancel.load()});
  return outcome;
}

void RecordingReconciler::SetBehaviour(Behaviour behaviour) {
  std::lock_guard lock(mutex_);
  behaviour_ = std::move(behaviour);
}

std::vector<RecordingReconciler::Call> RecordingReconciler::Calls() const {
  std::lock_guard lock(mutex_);
  return calls_;
}

int RecordingReconciler::CallsFor(const ObjectKey& key) const {
  std::lock_guard lock(mutex_);
  int count = 0;
  for (const Call& call : calls_) count += call.key == key ? 1 : 0;
  return count;
}

}  // namespace fluxcpp::reconciler::testing
