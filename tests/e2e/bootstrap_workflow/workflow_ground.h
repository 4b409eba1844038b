// What the bootstrap workflow tests share: options for a bootstrap against the ground's Git server,
// a stand-in for the reconciler that reports the pushed revision on the Kustomization as
// flux-reconciler will, and cleanup of an install however a test ends.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "bootstrap/bootstrap.h"
#include "lib/git/auth.h"
#include "lib/kube/client.h"
#include "tests/e2e/git/git_ground.h"

namespace fluxcpp::testing {

// A name for a namespace or repository that no other test uses: "<prefix>-<random>".
std::string UniqueName(const std::string& prefix);

// Bootstrap options for `namespace_name` at `url` with `auth` (the Secret gets the same
// credentials), a short timeout and quick polling.
bootstrap::BootstrapOptions BootstrapOptionsFor(const std::string& namespace_name,
                                                const std::string& url,
                                                const git::AuthOptions& auth);

// Plays the reconciler's part for the Kustomization <ns>/<ns>: while it lives, a thread reads the
// head of the GitRepository's branch (with `auth`) and, when the Kustomization does not report it
// yet, writes its status through the API: Ready=True, lastAppliedRevision "<branch>@sha1:<sha>",
// observedGeneration.
class FakeReconciler {
 public:
  FakeReconciler(std::string namespace_name, std::string url, git::AuthOptions auth);
  ~FakeReconciler();
  FakeReconciler(const FakeReconciler&) = delete;
  FakeReconciler& operator=(const FakeReconciler&) = delete;
  // How many status writes it made.
  int writes() const { return writes_; }

 private:
  void Run();
  std::string namespace_name_;
  std::string url_;
  git::AuthOptions auth_;
  std::unique_ptr<kube::Client> client_;
  std::atomic<bool> stop_{false};
  std::atomic<int> writes_{0};
  std::thread thread_;
};

// Uninstalls the install in `namespace_name` (keeping the shared CRDs) when the scope ends.
class InstallCleanup {
 public:
  InstallCleanup(kube::Client& client, std::string namespace_name)
      : client_(client), namespace_name_(std::move(namespace_name)) {}
  ~InstallCleanup();
  InstallCleanup(const InstallCleanup&) = delete;
  InstallCleanup& operator=(const InstallCleanup&) = delete;

 private:
  kube::Client& client_;
  std::string namespace_name_;
};

// Whether the object exists; fails the test on other errors.
bool Exists(kube::Client& client, const manifest::GroupVersionKind& gvk,
            const std::string& namespace_name, const std::string& name);

// The head of `branch` of the ground repository, or "" when the branch does not exist.
std::string RemoteHead(const std::string& url, const git::AuthOptions& auth,
                       const std::string& branch = "main");

}  // namespace fluxcpp::testing
