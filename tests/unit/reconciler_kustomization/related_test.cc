// The mappers that wake Kustomizations when their source or a dependency changes: the same keys
// over an informer's cache as over a list, and a dependency index that follows watch events.
#include <catch2/catch.hpp>

#include "lib/manifest/yaml.h"
#include "reconciler/kustomization/dependencies.h"
#include "reconciler/kustomization/kustomization_reconciler.h"
#include "tests/unit/testdata.h"

namespace fluxcpp::reconciler::kustomization {
namespace {

// An ObjectCache over a fixed list; ForEach is the interface's default, through List.
class ListCache final : public ObjectCache {
 public:
  explicit ListCache(std::vector<manifest::Object> objects) : objects_(std::move(objects)) {}
  std::optional<manifest::Object> Get(const ObjectKey&) const override { return std::nullopt; }
  std::vector<manifest::Object> List() const override { return objects_; }

 private:
  std::vector<manifest::Object> objects_;
};

std::vector<manifest::Object> Kustomizations() {
  auto objects = manifest::ReadObjects(R"(apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: apps, namespace: one}
spec:
  sourceRef: {kind: GitRepository, name: fleet}
  dependsOn: [{name: infra}]
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: infra, namespace: one}
spec:
  sourceRef: {kind: GitRepository, name: fleet, namespace: shared}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: current, namespace: one}
spec:
  sourceRef: {kind: GitRepository, name: fleet}
status:
  lastAttemptedRevision: main@sha1:2222222222222222222222222222222222222222
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: other, namespace: two}
spec:
  sourceRef: {kind: GitRepository, name: fleet}
  dependsOn: [{name: infra, namespace: one}]
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: bare, namespace: two}
)",
                                       "kustomizations.yaml");
  REQUIRE(objects.ok());
  return *objects;
}

manifest::Object Named(const std::string& kind, const std::string& namespace_name,
                       const std::string& name) {
  return manifest::Object(manifest::Json{
      {"kind", kind}, {"metadata", {{"name", name}, {"namespace", namespace_name}}}});
}

// A source with an artifact at `revision`.
manifest::Object Source(const std::string& namespace_name, const std::string& revision) {
  manifest::Object source = Named("GitRepository", namespace_name, "fleet");
  source.json()["status"] = {{"artifact", {{"revision", revision}}}};
  return source;
}

constexpr const char* kRevision2 = "main@sha1:2222222222222222222222222222222222222222";
constexpr const char* kRevision3 = "main@sha1:3333333333333333333333333333333333333333";

std::vector<std::string> Keys(const std::vector<ObjectKey>& keys) {
  std::vector<std::string> text;
  for (const ObjectKey& key : keys) text.push_back(key.ToString());
  return text;
}

TEST_CASE("users of a source: same namespace unless sourceRef names one") {
  ListCache cache(Kustomizations());
  manifest::Object one = Source("one", kRevision3);
  manifest::Object shared = Source("shared", kRevision3);
  CHECK(Keys(KustomizationReconciler::UsersOfSource(cache, one)) ==
        std::vector<std::string>{"one/apps", "one/current"});
  CHECK(Keys(KustomizationReconciler::UsersOfSource(cache, shared)) ==
        std::vector<std::string>{"one/infra"});
  CHECK(Keys(KustomizationReconciler::UsersOfSource(Kustomizations(), shared)) ==
        std::vector<std::string>{"one/infra"});
  CHECK(KustomizationReconciler::UsersOfSource(cache, Named("OCIRepository", "one", "fleet"))
            .empty());
}

TEST_CASE("a source wakes only users that have not attempted its artifact's revision") {
  ListCache cache(Kustomizations());
  CHECK(Keys(KustomizationReconciler::UsersOfSource(cache, Source("one", kRevision2))) ==
        std::vector<std::string>{"one/apps"});
  // No artifact yet: nothing to apply.
  CHECK(KustomizationReconciler::UsersOfSource(cache, Named("GitRepository", "one", "fleet"))
            .empty());
  CHECK(KustomizationReconciler::UsersOfSource(Kustomizations(),
                                               Named("GitRepository", "one", "fleet"))
            .empty());
}

TEST_CASE("dependents of a Kustomization, across namespaces") {
  manifest::Object infra = Named("Kustomization", "one", "infra");
  CHECK(Keys(KustomizationReconciler::Dependents(Kustomizations(), infra)) ==
        std::vector<std::string>{"one/apps", "two/other"});
  CHECK(
      KustomizationReconciler::Dependents(Kustomizations(), Named("Kustomization", "two", "infra"))
          .empty());
}

TEST_CASE("the dependency index follows added, changed and deleted Kustomizations") {
  using kube::WatchEvent;
  using kube::WatchEventType;
  DependencyIndex index;
  for (const manifest::Object& object : Kustomizations()) {
    index.Observe(WatchEvent{WatchEventType::kAdded, object});
  }
  ObjectKey infra{"one", "infra"};
  CHECK(Keys(index.DependentsOf(infra)) == std::vector<std::string>{"one/apps", "two/other"});
  CHECK(index.DependentsOf({"two", "infra"}).empty());

  // two/other now depends on two/infra instead: it moves from one key to the other.
  manifest::Object other = Kustomizations()[3];
  other.json()["spec"]["dependsOn"] = manifest::Json::array({{{"name", "infra"}}});
  index.Observe(WatchEvent{WatchEventType::kModified, other});
  CHECK(Keys(index.DependentsOf(infra)) == std::vector<std::string>{"one/apps"});
  CHECK(Keys(index.DependentsOf({"two", "infra"})) == std::vector<std::string>{"two/other"});

  // A deleted dependent is forgotten; its dependency has none left.
  index.Observe(WatchEvent{WatchEventType::kDeleted, Kustomizations()[0]});
  CHECK(index.DependentsOf(infra).empty());

  // Dropping dependsOn altogether forgets the edge too.
  other.json()["spec"].erase("dependsOn");
  index.Observe(WatchEvent{WatchEventType::kModified, other});
  CHECK(index.DependentsOf({"two", "infra"}).empty());
}

}  // namespace
}  // namespace fluxcpp::reconciler::kustomization
