// The event filter (ShouldReconcile); the informer itself runs against the API server in
// tests/e2e/reconciler_runtime.
#include "reconciler/runtime/informer.h"

#include <catch2/catch.hpp>

namespace fluxcpp::reconciler {
namespace {

using kube::WatchEvent;
using kube::WatchEventType;
using manifest::Json;
using manifest::Object;

Object Repository() {
  return Object(Json::parse(R"({
    "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
    "metadata": {"name": "apps", "namespace": "flux-system", "generation": 3,
                 "resourceVersion": "100", "labels": {"team": "a"}},
    "spec": {"interval": "1m", "url": "https://example.com/apps.git"},
    "status": {"observedGeneration": 2}})"));
}

TEST_CASE("ShouldReconcile takes additions and deletions, not bookmarks") {
  Object object = Repository();
  CHECK(ShouldReconcile(WatchEvent{WatchEventType::kAdded, object}, nullptr));
  CHECK(ShouldReconcile(WatchEvent{WatchEventType::kDeleted, object}, &object));
  CHECK_FALSE(ShouldReconcile(WatchEvent{WatchEventType::kBookmark, object}, nullptr));
  // A modification of an object never seen before is treated as new.
  CHECK(ShouldReconcile(WatchEvent{WatchEventType::kModified, object}, nullptr));
}

TEST_CASE("ShouldReconcile takes spec changes (a new generation)") {
  Object before = Repository();
  Object after = before;
  after.json()["metadata"]["generation"] = 4;
  after.json()["metadata"]["resourceVersion"] = "101";
  after.json()["spec"]["interval"] = "5m";
  CHECK(ShouldReconcile(WatchEvent{WatchEventType::kModified, after}, &before));
}

TEST_CASE("ShouldReconcile ignores status-only and resourceVersion-only changes") {
  Object before = Repository();
  Object after = before;
  after.json()["status"]["observedGeneration"] = 3;
  after.json()["status"]["conditions"] = Json::array({{{"type", "Ready"}, {"status", "True"}}});
  after.json()["metadata"]["resourceVersion"] = "101";
  CHECK_FALSE(ShouldReconcile(WatchEvent{WatchEventType::kModified, after}, &before));

  Object touched = before;
  touched.json()["metadata"]["resourceVersion"] = "102";
  touched.json()["metadata"]["labels"]["team"] = "b";
  touched.json()["metadata"]["managedFields"] = Json::array();
  CHECK_FALSE(ShouldReconcile(WatchEvent{WatchEventType::kModified, touched}, &before));
}

TEST_CASE("ShouldReconcile takes a new reconcile.fluxcd.io/requestedAt annotation") {
  Object before = Repository();
  Object requested = before;
  requested.SetAnnotation("reconcile.fluxcd.io/requestedAt", "2026-11-29T13:40:00Z");
  CHECK(ShouldReconcile(WatchEvent{WatchEventType::kModified, requested}, &before));
  // The same value again (another annotation changed) is no new request.
  Object other = requested;
  other.SetAnnotation("example.com/note", "x");
  CHECK_FALSE(ShouldReconcile(WatchEvent{WatchEventType::kModified, other}, &requested));
  Object again = requested;
  again.SetAnnotation("reconcile.fluxcd.io/requestedAt", "2026-11-29T13:41:00Z");
  CHECK(ShouldReconcile(WatchEvent{WatchEventType::kModified, again}, &requested));
}

TEST_CASE("ShouldReconcile takes the start of a deletion, once") {
  Object before = Repository();
  Object deleting = before;
  deleting.json()["metadata"]["deletionTimestamp"] = "2026-11-29T13:40:00Z";
  CHECK(ShouldReconcile(WatchEvent{WatchEventType::kModified, deleting}, &before));
  Object still_deleting = deleting;
  still_deleting.json()["metadata"]["resourceVersion"] = "200";
  CHECK_FALSE(ShouldReconcile(WatchEvent{WatchEventType::kModified, still_deleting}, &deleting));
}

TEST_CASE("KeyOf names namespace and name") {
  CHECK(KeyOf(Repository()) == ObjectKey{"flux-system", "apps"});
  CHECK(KeyOf(Repository()).ToString() == "flux-system/apps");
}

}  // namespace
}  // namespace fluxcpp::reconciler
