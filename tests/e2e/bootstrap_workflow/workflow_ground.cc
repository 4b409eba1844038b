#include "tests/e2e/bootstrap_workflow/workflow_ground.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <random>

#include "lib/git/repository.h"
#include "lib/kube/errors.h"
#include "tests/e2e/bootstrap_workflow/stand_in_reconciler.h"
#include "tests/e2e/support/ground.h"

namespace fluxcpp::testing {

std::string UniqueName(const std::string& prefix) {
  thread_local std::mt19937 random(std::random_device{}());
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string name = prefix + "-";
  for (int i = 0; i < 8; ++i) name += kAlphabet[random() % 36];
  return name;
}

bootstrap::BootstrapOptions BootstrapOptionsFor(const std::string& namespace_name,
                                                const std::string& url,
                                                const git::AuthOptions& auth) {
  bootstrap::BootstrapOptions options;
  options.install.namespace_name = namespace_name;
  options.sync.namespace_name = namespace_name;
  options.sync.name = namespace_name;
  options.sync.url = url;
  options.sync.path = "clusters/test";
  options.git.auth = auth;
  options.git.author_email = "flux@example.com";
  options.timeout = std::chrono::seconds(120);
  options.poll_interval = std::chrono::milliseconds(250);
  return options;
}

FakeReconciler::FakeReconciler(std::string namespace_name, std::string url, git::AuthOptions auth)
    : namespace_name_(std::move(namespace_name)),
      url_(std::move(url)),
      auth_(std::move(auth)),
      client_(AdminClient()) {
  thread_ = std::thread([this] { Run(); });
}

FakeReconciler::~FakeReconciler() {
  stop_ = true;
  thread_.join();
}

void FakeReconciler::Run() {
  while (!stop_) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    if (ReportAppliedRevision(*client_, namespace_name_, url_, auth_)) ++writes_;
  }
}

InstallCleanup::~InstallCleanup() {
  bootstrap::UninstallOptions options;
  options.namespace_name = namespace_name_;
  options.delete_crds = false;
  (void)bootstrap::Uninstall(options, client_);
}

bool Exists(kube::Client& client, const manifest::GroupVersionKind& gvk,
            const std::string& namespace_name, const std::string& name) {
  auto object = client.Get(gvk, namespace_name, name);
  if (object.ok()) return true;
  INFO(object.status().ToString());
  REQUIRE((kube::IsNotFoundError(object.status()) ||
           object.status().code() == absl::StatusCode::kNotFound));
  return false;
}

std::string RemoteHead(const std::string& url, const git::AuthOptions& auth,
                       const std::string& branch) {
  auto head = git::LsRemote(url, branch, auth);
  INFO(head.status().ToString());
  REQUIRE(head.ok());
  return head->value_or("");
}

}  // namespace fluxcpp::testing
