// Shared pieces of the controller runtime's end-to-end tests: Flux's CRDs installed from the
// bootstrap install set, GitRepository objects, a Reconciler that records what it was asked to do,
// and polling.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "lib/kube/client.h"
#include "reconciler/runtime/controller.h"

namespace fluxcpp::reconciler::testing {

inline const manifest::GroupVersionKind kGitRepository{"source.toolkit.fluxcd.io", "v1",
                                                       "GitRepository"};

// Applies the CustomResourceDefinitions of bootstrap::GenerateInstall and waits until they are
// served; once per process.
void InstallFluxCrds(kube::Client& client);

// Creates a GitRepository (with a status subresource) and returns it as stored.
manifest::Object CreateGitRepository(kube::Client& client, const std::string& namespace_name,
                                     const std::string& name);

// Merge-patches the object's main resource (spec or metadata).
void PatchGitRepository(kube::Client& client, const std::string& namespace_name,
                        const std::string& name, const manifest::Json& patch);

// Polls `condition` every 20 ms until it holds (true) or `timeout` passes (false).
bool Eventually(const std::function<bool()>& condition,
                std::chrono::milliseconds timeout = std::chrono::seconds(10));

// A Reconciler that records every call, writes Ready=True status (a status-only change), and
// answers what the test tells it to.
class RecordingReconciler : public Reconciler {
 public:
  struct Call {
    ObjectKey key;
    std::chrono::steady_clock::time_point at;
    bool found = false;      // the object existed when reconciled
    bool cancelled = false;  // the cancel flag had turned true when the run ended
  };
  // Decides the outcome of one call; the default writes status and returns Done.
  using Behaviour = std::function<Outcome(const ObjectKey& key, const ReconcileContext& context,
                                          int call_number)>;

  explicit RecordingReconciler(kube::Client& client) : client_(client) {}

  Outcome Reconcile(const ObjectKey& key, const ReconcileContext& context) override;

  void SetBehaviour(Behaviour behaviour);
  std::vector<Call> Calls() const;
  int CallsFor(const ObjectKey& key) const;
  // Writes Ready=True with the object's generation as status; returns the conditions written.
  manifest::Json WriteReadyStatus(const ObjectKey& key);

 private:
  kube::Client& client_;
  mutable std::mutex mutex_;
  std::vector<Call> calls_;
  std::map<ObjectKey, int> counts_;
  Behaviour behaviour_;
};

}  // namespace fluxcpp::reconciler::testing
