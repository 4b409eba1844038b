// Uninstall after a full bootstrap and after a partial one. These tests delete the shared CRDs when
// no other install uses them, so they run alone (RUN_SERIAL).
#include <catch2/catch.hpp>

#include "absl/strings/match.h"
#include "bootstrap/bootstrap.h"
#include "lib/kube/apply.h"
#include "tests/e2e/bootstrap_workflow/workflow_ground.h"
#include "tests/e2e/support/ground.h"

namespace fluxcpp::bootstrap {
namespace {

const manifest::GroupVersionKind kNamespace{"", "v1", "Namespace"};
const manifest::GroupVersionKind kCrd{"apiextensions.k8s.io", "v1", "CustomResourceDefinition"};
const manifest::GroupVersionKind kClusterRole{"rbac.authorization.k8s.io", "v1", "ClusterRole"};
const manifest::GroupVersionKind kClusterRoleBinding{"rbac.authorization.k8s.io", "v1",
                                                     "ClusterRoleBinding"};
const manifest::GroupVersionKind kKustomization{"kustomize.toolkit.fluxcd.io", "v1",
                                                "Kustomization"};

// Whether namespaces of other installs are in the cluster (then the CRDs stay).
bool OtherInstalls(kube::Client& client, const std::string& ns) {
  auto namespaces =
      client.List(kNamespace, "", {.label_selector = "app.kubernetes.io/part-of=flux"});
  REQUIRE(namespaces.ok());
  for (const auto& object : namespaces->items) {
    if (object.Name() != ns && !object.json()["metadata"].contains("deletionTimestamp")) {
      return true;
    }
  }
  return false;
}

void CheckGone(kube::Client& client, const std::string& ns, const UninstallResult& result) {
  CHECK_FALSE(testing::Exists(client, kNamespace, "", ns));
  CHECK_FALSE(testing::Exists(client, kClusterRole, "", "crd-controller-" + ns));
  CHECK_FALSE(testing::Exists(client, kClusterRoleBinding, "", "cluster-reconciler-" + ns));
  if (result.crds_deleted) {
    CHECK_FALSE(testing::Exists(client, kCrd, "", "kustomizations.kustomize.toolkit.fluxcd.io"));
  }
}

TEST_CASE("uninstall after a full bootstrap removes everything, the files in Git too") {
  auto client = testing::AdminClient();
  auto repository = testing::NewGroundRepository("uninstall-full");
  std::string ns = testing::UniqueName("bw-uninstall");
  testing::InstallCleanup cleanup(*client, ns);
  git::AuthOptions auth = testing::GroundSshAuth();
  BootstrapOptions options = testing::BootstrapOptionsFor(ns, repository.ssh_url, auth);
  {
    testing::FakeReconciler reconciler(ns, repository.ssh_url, auth);
    auto bootstrapped = BootstrapGit(options, *client);
    INFO(bootstrapped.status().ToString());
    REQUIRE(bootstrapped.ok());
  }
  // As the reconciler would, it holds its Kustomization with a finalizer.
  auto patched = client->Patch(kKustomization, ns, ns, kube::PatchType::kMerge,
                               R"({"metadata":{"finalizers":["finalizers.fluxcd.io"]}})");
  REQUIRE(patched.ok());

  UninstallOptions uninstall;
  uninstall.namespace_name = ns;
  uninstall.delete_git_manifests = true;
  uninstall.sync = options.sync;
  uninstall.git = options.git;
  bool others = OtherInstalls(*client, ns);
  std::vector<std::string> lines;
  auto result =
      Uninstall(uninstall, *client, [&](std::string_view line) { lines.emplace_back(line); });
  INFO(result.status().ToString());
  REQUIRE(result.ok());
  CHECK(result->crds_deleted == !others);
  CHECK(result->git_committed);
  CheckGone(*client, ns, *result);
  std::string files = testing::RunGround({"read", repository.name, "main"});
  INFO(files);
  CHECK_FALSE(absl::StrContains(files, "gotk-"));

  SECTION("running it again succeeds and changes nothing in Git") {
    auto again = Uninstall(uninstall, *client);
    INFO(again.status().ToString());
    REQUIRE(again.ok());
    CHECK_FALSE(again->git_committed);
    CHECK(again->commit == result->commit);
  }
}

TEST_CASE("uninstall after a partial install (no sync objects, no Secret) succeeds") {
  auto client = testing::AdminClient();
  std::string ns = testing::UniqueName("bw-partial");
  testing::InstallCleanup cleanup(*client, ns);
  InstallOptions install;
  install.namespace_name = ns;
  auto objects = GenerateInstall(install);
  REQUIRE(objects.ok());
  // Only the first stages: the Namespace and CRDs, the cluster roles; no Deployment.
  std::vector<kube::Object> partial;
  for (const auto& object : *objects) {
    if (object.Kind() == "Namespace" || object.Kind() == "CustomResourceDefinition" ||
        object.Kind() == "ClusterRole") {
      partial.push_back(object);
    }
  }
  kube::ApplyResult applied = kube::ApplyAll(*client, partial);
  INFO(applied.status.ToString());
  REQUIRE(applied.status.ok());

  UninstallOptions uninstall;
  uninstall.namespace_name = ns;
  uninstall.keep_namespace = true;
  auto result = Uninstall(uninstall, *client);
  INFO(result.status().ToString());
  REQUIRE(result.ok());
  CHECK(testing::Exists(*client, kNamespace, "", ns));
  CHECK_FALSE(testing::Exists(*client, kClusterRole, "", "crd-controller-" + ns));

  uninstall.keep_namespace = false;
  result = Uninstall(uninstall, *client);
  INFO(result.status().ToString());
  REQUIRE(result.ok());
  CheckGone(*client, ns, *result);
}

TEST_CASE("uninstall of an install that was never there succeeds") {
  auto client = testing::AdminClient();
  UninstallOptions uninstall;
  uninstall.namespace_name = testing::UniqueName("bw-never");
  uninstall.delete_crds = false;
  auto result = Uninstall(uninstall, *client);
  INFO(result.status().ToString());
  REQUIRE(result.ok());
}

}  // namespace
}  // namespace fluxcpp::bootstrap
