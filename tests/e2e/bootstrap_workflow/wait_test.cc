// The last step of the bootstrap, waiting for the reconciler: when it never reports, the timeout
// names the Kustomization, its GitRepository and the reconciler Deployment with their states; when
// it reports Stalled, the bootstrap ends at once with the reason.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "absl/strings/match.h"
#include "bootstrap/bootstrap.h"
#include "tests/e2e/bootstrap_workflow/workflow_ground.h"
#include "tests/e2e/support/ground.h"

namespace fluxcpp::bootstrap {
namespace {

const manifest::GroupVersionKind kKustomization{"kustomize.toolkit.fluxcd.io", "v1",
                                                "Kustomization"};

TEST_CASE("a reconciler that never reports ends in a timeout that says what is not ready") {
  auto client = testing::AdminClient();
  auto repository = testing::NewGroundRepository("wait-timeout");
  std::string ns = testing::UniqueName("bw-timeout");
  testing::InstallCleanup cleanup(*client, ns);
  auto options = testing::BootstrapOptionsFor(ns, repository.ssh_url, testing::GroundSshAuth());
  options.timeout = std::chrono::seconds(20);
  auto result = BootstrapGit(options, *client);
  INFO(result.status().ToString());
  REQUIRE_FALSE(result.ok());
  CHECK(result.status().code() == absl::StatusCode::kDeadlineExceeded);
  std::string head = testing::RemoteHead(repository.ssh_url, testing::GroundSshAuth());
  for (std::string text :
       {"Kustomization/" + ns + "/" + ns, "main@sha1:" + head, "GitRepository/" + ns + "/" + ns,
        std::string("no status yet"), "Deployment/" + ns + "/flux-reconciler"}) {
    INFO(text);
    CHECK(absl::StrContains(result.status().message(), text));
  }
}

TEST_CASE("a Stalled Kustomization ends the wait at once with its reason") {
  auto client = testing::AdminClient();
  auto repository = testing::NewGroundRepository("wait-stalled");
  std::string ns = testing::UniqueName("bw-stalled");
  testing::InstallCleanup cleanup(*client, ns);
  auto options = testing::BootstrapOptionsFor(ns, repository.ssh_url, testing::GroundSshAuth());
  options.timeout = std::chrono::seconds(120);

  // The reconciler's part: as soon as the Kustomization exists, it reports a terminal failure.
  std::atomic<bool> stop{false};
  std::thread reconciler([&] {
    auto own_client = testing::AdminClient();
    while (!stop) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      auto object = own_client->Get(kKustomization, ns, ns);
      if (!object.ok()) continue;
      int64_t generation = object->json()["metadata"].value("generation", int64_t{1});
      object->json()["status"] = {
          {"observedGeneration", generation},
          {"conditions",
           manifest::Json::array({{{"type", "Stalled"},
                                   {"status", "True"},
                                   {"reason", "AccessDenied"},
                                   {"message", "cannot impersonate the service account"},
                                   {"lastTransitionTime", "2026-01-01T00:00:00Z"}},
                                  {{"type", "Ready"},
                                   {"status", "False"},
                                   {"reason", "AccessDenied"},
                                   {"message", "cannot impersonate the service account"},
                                   {"lastTransitionTime", "2026-01-01T00:00:00Z"}}})}};
      if (own_client->UpdateStatus(*object).ok()) break;
    }
  });
  auto started = std::chrono::steady_clock::now();
  auto result = BootstrapGit(options, *client);
  stop = true;
  reconciler.join();
  INFO(result.status().ToString());
  REQUIRE_FALSE(result.ok());
  CHECK(result.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(absl::StrContains(result.status().message(), "Stalled (AccessDenied)"));
  CHECK(absl::StrContains(result.status().message(), "cannot impersonate"));
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(60));
}

}  // namespace
}  // namespace fluxcpp::bootstrap
