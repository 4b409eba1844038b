// The generated install and sync sets against the real API server (with kwok nodes): the install
// applies in a fresh namespace, its CRDs are Established, the reconciler Deployment becomes
// Available, the CRD schemas accept the sync objects and reject invalid ones, and kubectl explains
// the new kinds.
//
// The CRDs are cluster-scoped and shared by every test on the ground: they are applied (which is
// idempotent) and never deleted here. The other cluster-scoped objects carry the namespace in their
// name and are deleted with it.
#include <sys/wait.h>

#include <array>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/match.h"
#include "bootstrap/manifests.h"
#include "lib/kube/apply.h"
#include "lib/kube/errors.h"
#include "tests/e2e/support/ground.h"

namespace fluxcpp::bootstrap {
namespace {

using kube::Json;
using kube::Object;
using manifest::GroupVersionKind;

const GroupVersionKind kCrd{"apiextensions.k8s.io", "v1", "CustomResourceDefinition"};
const GroupVersionKind kGitRepository{"source.toolkit.fluxcd.io", "v1", "GitRepository"};
const GroupVersionKind kKustomization{"kustomize.toolkit.fluxcd.io", "v1", "Kustomization"};

// Deletes the cluster-scoped objects named after the namespace when the test ends, however it ends.
class ClusterScopedCleanup {
 public:
  ClusterScopedCleanup(kube::Client& client, std::string namespace_name)
      : client_(client), namespace_name_(std::move(namespace_name)) {}
  ~ClusterScopedCleanup() {
    const GroupVersionKind role{"rbac.authorization.k8s.io", "v1", "ClusterRole"};
    const GroupVersionKind binding{"rbac.authorization.k8s.io", "v1", "ClusterRoleBinding"};
    (void)client_.Delete(role, "", "crd-controller-" + namespace_name_);
    (void)client_.Delete(binding, "", "crd-controller-" + namespace_name_);
    (void)client_.Delete(binding, "", "cluster-reconciler-" + namespace_name_);
  }

 private:
  kube::Client& client_;
  std::string namespace_name_;
};

std::string ReadFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  REQUIRE(file.good());
  std::ostringstream content;
  content << file.rdbuf();
  return content.str();
}

// Runs a command through the shell; returns its exit status and what it printed.
std::pair<int, std::string> Run(const std::string& command) {
  testing::CommandRun run = testing::RunCommand(command + " 2>&1");
  return {run.exit_code, run.output};
}

bool ConditionTrue(const Json& object, const std::string& type) {
  if (!object.contains("status") || !object["status"].contains("conditions")) return false;
  for (const Json& condition : object["status"]["conditions"]) {
    if (condition.value("type", "") == type) return condition.value("status", "") == "True";
  }
  return false;
}

Object Modified(const Object& object, const std::string& pointer, const Json& value) {
  Object copy = object;
  copy.json()[Json::json_pointer(pointer)] = value;
  return copy;
}

void CheckRejected(kube::Client& client, const Object& object, const std::string& field) {
  // A create rather than an apply: server-side apply reports type mismatches as InternalError.
  auto applied = client.Create(object, /*dry_run=*/true);
  INFO(object.Describe() << " with a bad " << field << ": " << applied.status().ToString());
  REQUIRE_FALSE(applied.ok());
  CHECK(kube::IsInvalidError(applied.status()));
  CHECK(absl::StrContains(applied.status().message(), field));
}

TEST_CASE("the generated install runs and its CRDs validate Flux objects") {
  auto client = testing::AdminClient();
  testing::ScopedNamespace ns(*client, "flux-test");
  ClusterScopedCleanup cleanup(*client, ns.name());

  InstallOptions install;
  install.namespace_name = ns.name();
  auto objects = GenerateInstall(install);
  INFO(objects.status().ToString());
  REQUIRE(objects.ok());

  kube::ApplyResult applied = kube::ApplyAll(*client, *objects, {.field_manager = "fluxcpp"});
  INFO(applied.status.ToString());
  REQUIRE(applied.status.ok());
  CHECK(applied.change_set.changes.size() == objects->size());

  SECTION("the CRDs are Established with their names and short names") {
    for (const char* name : {"gitrepositories.source.toolkit.fluxcd.io",
                             "kustomizations.kustomize.toolkit.fluxcd.io"}) {
      auto crd = client->Get(kCrd, "", name);
      REQUIRE(crd.ok());
      INFO(name);
      CHECK(ConditionTrue(crd->json(), "Established"));
      CHECK(ConditionTrue(crd->json(), "NamesAccepted"));
    }
  }

  SECTION("applying the same set again changes nothing") {
    kube::ApplyResult again = kube::ApplyAll(*client, *objects, {.field_manager = "fluxcpp"});
    INFO(again.status.ToString());
    REQUIRE(again.status.ok());
    CHECK(again.change_set.Count(kube::Action::kUnchanged) == static_cast<int>(objects->size()));
  }

  SECTION("the reconciler Deployment becomes Available on the kwok nodes") {
    std::vector<Object> workload;
    for (const Object& object : *objects) {
      if (object.Kind() == "Deployment" || object.Kind() == "Service" ||
          object.Kind() == "ServiceAccount") {
        workload.push_back(object);
      }
    }
    REQUIRE(workload.size() == 3);
    absl::Status ready =
        kube::WaitForSet(*client, workload, {.timeout = std::chrono::seconds(120)});
    INFO(ready.ToString());
    CHECK(ready.ok());
    auto deployment = client->Get({"apps", "v1", "Deployment"}, ns.name(), "flux-reconciler");
    REQUIRE(deployment.ok());
    CHECK(ConditionTrue(deployment->json(), "Available"));
  }

  SECTION("the sync objects are accepted and defaulted by the CRD schemas") {
    SyncOptions sync;
    sync.url = "ssh://git@git.example.com/fleet.git";
    sync.namespace_name = ns.name();
    sync.path = "clusters/test";
    auto sync_objects = GenerateSync(sync);
    REQUIRE(sync_objects.ok());
    for (const Object& object : *sync_objects) {
      auto created = client->Apply(object, {.field_manager = "fluxcpp"});
      INFO(object.Describe() << ": " << created.status().ToString());
      REQUIRE(created.ok());
    }
    auto repository = client->Get(kGitRepository, ns.name(), "flux-system");
    REQUIRE(repository.ok());
    CHECK(repository->json()["spec"]["timeout"] == "60s");  // the schema's default
    CHECK(repository->json()["spec"]["provider"] == "generic");
    auto kustomization = client->Get(kKustomization, ns.name(), "flux-system");
    REQUIRE(kustomization.ok());
    CHECK(kustomization->json()["spec"]["path"] == "./clusters/test");
    CHECK(kustomization->json()["spec"]["prune"] == true);

    // Status is a subresource: a status write through the main resource is ignored.
    Object with_status = *repository;
    with_status.json()["status"] = {{"observedGeneration", 7}};
    auto updated = client->Update(with_status);
    REQUIRE(updated.ok());
    CHECK(updated->json()["status"].value("observedGeneration", 0) != 7);
  }

  SECTION("the CRD schemas reject invalid objects") {
    SyncOptions sync;
    sync.url = "ssh://git@git.example.com/fleet.git";
    sync.namespace_name = ns.name();
    sync.name = "invalid";
    auto sync_objects = GenerateSync(sync);
    REQUIRE(sync_objects.ok());
    const Object& repository = (*sync_objects)[0];
    const Object& kustomization = (*sync_objects)[1];

    CheckRejected(*client, Modified(repository, "/spec/url", "git@host:repo"), "spec.url");
    CheckRejected(*client, Modified(repository, "/spec/interval", "often"), "spec.interval");
    CheckRejected(*client, Modified(repository, "/spec/provider", "gitlab"), "spec.provider");
    CheckRejected(*client, Modified(repository, "/spec/verify", Json{{"mode", "HEAD"}}),
                  "spec.verify.secretRef");
    Object no_url = repository;
    no_url.json()["spec"].erase("url");
    CheckRejected(*client, no_url, "spec.url");

    CheckRejected(*client, Modified(kustomization, "/spec/sourceRef/kind", "HelmRepository"),
                  "spec.sourceRef.kind");
    CheckRejected(*client, Modified(kustomization, "/spec/prune", "yes"), "spec.prune");
    CheckRejected(*client, Modified(kustomization, "/spec/targetNamespace", std::string(64, 'a')),
                  "spec.targetNamespace");
    Object no_prune = kustomization;
    no_prune.json()["spec"].erase("prune");
    CheckRejected(*client, no_prune, "spec.prune");
  }

  SECTION("the Git credentials Secret from the ground's SSH key applies") {
    const char* key = std::getenv("GIT_SSH_KEY");
    const char* known_hosts = std::getenv("GIT_KNOWN_HOSTS");
    const char* url = std::getenv("GIT_SSH_URL");
    REQUIRE((key && known_hosts && url));
    SyncOptions sync;
    sync.url = url;
    sync.namespace_name = ns.name();
    auto secret =
        GenerateSyncSecret(sync, SshCredentials{.identity = ReadFile(key),
                                                .identity_pub = ReadFile(std::string(key) + ".pub"),
                                                .known_hosts = ReadFile(known_hosts)});
    INFO(secret.status().ToString());
    REQUIRE(secret.ok());
    auto applied_secret = client->Apply(*secret, {.field_manager = "fluxcpp"});
    INFO(applied_secret.status().ToString());
    CHECK(applied_secret.ok());
  }

  SECTION("kubectl explains the new kinds from their schemas") {
    // The API server publishes a new CRD's OpenAPI a moment after it is Established.
    std::pair<int, std::string> explained;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    do {
      explained = Run("kubectl explain gitrepository.spec.url");
      if (explained.first == 0 && absl::StrContains(explained.second, "scp-like")) break;
      std::this_thread::sleep_for(std::chrono::seconds(1));
    } while (std::chrono::steady_clock::now() < deadline);
    INFO(explained.second);
    CHECK(explained.first == 0);
    CHECK(absl::StrContains(explained.second, "Address of the Git repository"));

    auto prune = Run("kubectl explain kustomizations.spec.prune");
    INFO(prune.second);
    CHECK(prune.first == 0);
    CHECK(absl::StrContains(prune.second, "boolean"));
    auto short_name = Run("kubectl get ks -n " + ns.name());
    INFO(short_name.second);
    CHECK(short_name.first == 0);
  }
}

}  // namespace
}  // namespace fluxcpp::bootstrap
