#include "tests/e2e/bootstrap_workflow/stand_in_reconciler.h"

#include <cstdint>

#include "lib/git/repository.h"

namespace fluxcpp::testing {

bool ReportAppliedRevision(kube::Client& client, const std::string& namespace_name,
                           const std::string& url, const git::AuthOptions& auth) {
  const manifest::GroupVersionKind kind{"kustomize.toolkit.fluxcd.io", "v1", "Kustomization"};
  const manifest::GroupVersionKind source{"source.toolkit.fluxcd.io", "v1", "GitRepository"};
  auto kustomization = client.Get(kind, namespace_name, namespace_name);
  auto repository = client.Get(source, namespace_name, namespace_name);
  if (!kustomization.ok() || !repository.ok()) return false;
  std::string branch = repository->json()["spec"]["ref"].value("branch", "main");
  auto head = git::LsRemote(url, branch, auth);
  if (!head.ok() || !head->has_value()) return false;
  std::string revision = branch + "@sha1:" + **head;
  manifest::Json& json = kustomization->json();
  int64_t generation = json["metadata"].value("generation", int64_t{1});
  if (json.contains("status") && json["status"].value("lastAppliedRevision", "") == revision &&
      json["status"].value("observedGeneration", int64_t{-1}) == generation) {
    return false;
  }
  json["status"] = {
      {"observedGeneration", generation},
      {"lastAppliedRevision", revision},
      {"lastAttemptedRevision", revision},
      {"conditions", manifest::Json::array({{{"type", "Ready"},
                                             {"status", "True"},
                                             {"reason", "ReconciliationSucceeded"},
                                             {"message", "Applied revision: " + revision},
                                             {"observedGeneration", generation},
                                             {"lastTransitionTime", "2026-01-01T00:00:00Z"}}})}};
  return client.UpdateStatus(*kustomization).ok();
}

}  // namespace fluxcpp::testing
