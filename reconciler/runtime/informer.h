// An informer: lists and watches one kind (in one namespace or all, with a label selector), keeps
// the latest copy of each object in a cache, and hands every change to an event handler together
// with the object's previous state. Built on kube::Client::Watch, which resumes, follows bookmarks
// and re-lists on 410 Gone; a watch that fails for good is started again (with a fresh list whose
// disappeared objects are delivered as deletions).
//
// ShouldReconcile is the event filter Flux's controllers use (GenerationChanged or
// ReconcileRequested, plus deletion): our own status writes change neither the generation nor the
// annotations, so they do not reconcile again.
//
// The cache leaves out what no reconciler reads but can be most of an object's size:
// metadata.managedFields and the kubectl.kubernetes.io/last-applied-configuration annotation.
//
// Thread-safety: the cache functions may be called from any thread while Run runs on one.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "lib/kube/client.h"
#include "reconciler/runtime/controller.h"

namespace fluxcpp::reconciler {

// The key of an object: its namespace and name.
ObjectKey KeyOf(const manifest::Object& object);

// Whether `event` calls for a reconcile of its object, given the object's previous state (null when
// the informer had not seen it): yes when it was added or deleted, when metadata.generation
// changed, when the reconcile.fluxcd.io/requestedAt annotation changed, or when deletionTimestamp
// was set; no for changes of status, resourceVersion or other metadata alone, and for bookmarks.
bool ShouldReconcile(const kube::WatchEvent& event, const manifest::Object* previous);

class Informer final : public ObjectCache {
 public:
  // Called for every Added, Modified and Deleted event, after the cache took it in; `previous` is
  // the object as cached before (null when new).
  using Handler =
      std::function<void(const kube::WatchEvent& event, const manifest::Object* previous)>;

  Informer(kube::Client& client, GroupVersionKind kind, std::string namespace_name,
           std::string label_selector, Handler handler);
  Informer(const Informer&) = delete;
  Informer& operator=(const Informer&) = delete;

  // Watches until `stop` turns true. Returns an error only when the kind cannot be watched at all
  // (unknown kind, forbidden) before the first list succeeded; later failures are retried.
  [[nodiscard]] absl::Status Run(const std::atomic<bool>& stop);

  // Whether the first full list has been delivered.
  bool Synced() const { return synced_.load(); }

  std::optional<manifest::Object> Get(const ObjectKey& key) const override;
  std::vector<manifest::Object> List() const override;
  void ForEach(const std::function<void(const manifest::Object&)>& visit) const override;

  const GroupVersionKind& kind() const { return kind_; }

 private:
  bool OnEvent(const kube::WatchEvent& event);
  // After a fresh list: objects cached but not listed were deleted while no watch ran.
  void DropUnlisted();

  kube::Client& client_;
  GroupVersionKind kind_;
  std::string namespace_name_;
  std::string label_selector_;
  Handler handler_;
  std::atomic<bool> synced_{false};
  mutable std::mutex mutex_;
  std::map<ObjectKey, manifest::Object> objects_;
  // During the first list of each Watch call: the keys listed so far, else null.
  std::optional<std::vector<ObjectKey>> listing_;
};

}  // namespace fluxcpp::reconciler
