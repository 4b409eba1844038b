// A Kubernetes API client: discovery and a REST mapper (kind → resource path, namespaced or not),
// and the calls the bootstrap and the reconciler make — get, list, watch, create, update, delete,
// patch, server-side apply, status writes and Events. Objects travel as manifest::Object (JSON with
// key order).
//
// Thread-safe: one Client serves any number of threads; the discovery cache is shared and refreshed
// when a kind is missing, so a CRD installed a second ago is usable.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/kube/config.h"
#include "lib/kube/transport.h"
#include "lib/manifest/object.h"

namespace fluxcpp::kube {

using manifest::GroupVersionKind;
using manifest::Json;
using manifest::Object;

// Secrets of the core group carry their values in clear (base64 protects nothing): the client and
// the apply engine wipe their copies of such objects, not only free them.
bool IsCoreSecret(const GroupVersionKind& gvk);

struct ResourceInfo {
  GroupVersionKind gvk;
  std::string resource;  // plural, e.g. "deployments"
  bool namespaced = false;
  std::vector<std::string> verbs;
};

struct ListOptions {
  std::string label_selector;
  std::string field_selector;
  int64_t page_size = 500;  // pages are fetched until the list is complete
};

struct ObjectList {
  std::vector<Object> items;
  std::string resource_version;  // to start a watch from
};

enum class PatchType { kMerge, kJson, kStrategicMerge };

struct ApplyOptions {
  std::string field_manager = "fluxcpp";
  bool force = false;    // take ownership of conflicting fields
  bool dry_run = false;  // dryRun=All: validated and defaulted by the server, not stored
};

struct DeleteOptions {
  std::string propagation_policy = "Background";  // Foreground, Background or Orphan
  std::string precondition_uid;
  std::string precondition_resource_version;
  bool dry_run = false;
};

enum class WatchEventType { kAdded, kModified, kDeleted, kBookmark };

struct WatchEvent {
  WatchEventType type;
  Object object;
};

struct WatchOptions {
  std::string label_selector;
  std::string field_selector;
  std::string resource_version;  // resume point; empty starts from a fresh list
  int timeout_seconds = 300;     // the server closes each watch after this; the client then resumes
  // Watch returns OK soon after this becomes true.
  const std::atomic<bool>* cancel = nullptr;
  // Called after the events of each full list were delivered (the first one, and each re-list
  // after 410 Gone): the handler has then seen every object that exists, so an informer's cache
  // is synced. Not called when `resource_version` was given (no initial list).
  std::function<void()> on_listed;
};

// A watch handler returns false to stop watching.
using WatchHandler = std::function<bool(const WatchEvent&)>;

struct ClientOptions {
  TransportOptions transport;
};

class Client {
 public:
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<Client>> Create(const ClusterConfig& config,
                                                                      ClientOptions options = {});
  explicit Client(std::unique_ptr<Transport> transport);

  // The REST mapping of a kind; looks the group-version up again once when the kind is not known
  // yet.
  [[nodiscard]] absl::StatusOr<ResourceInfo> Resolve(const GroupVersionKind& gvk);
  // Forgets cached discovery, e.g. after CRDs changed.
  void ResetDiscovery();

  [[nodiscard]] absl::StatusOr<Object> Get(const GroupVersionKind& gvk,
                                           const std::string& namespace_name,
                                           const std::string& name);
  [[nodiscard]] absl::StatusOr<ObjectList> List(const GroupVersionKind& gvk,
                                                const std::string& namespace_name,
                                                const ListOptions& options = {});
  [[nodiscard]] absl::StatusOr<Object> Create(const Object& object, bool dry_run = false);
  [[nodiscard]] absl::StatusOr<Object> Update(const Object& object);
  [[nodiscard]] absl::StatusOr<Object> UpdateStatus(const Object& object);
  // `field_manager` names the writer in managedFields; empty: the server derives one from the
  // client's user agent.
  [[nodiscard]] absl::StatusOr<Object> Patch(const GroupVersionKind& gvk,
                                             const std::string& namespace_name,
                                             const std::string& name, PatchType type,
                                             const std::string& patch,
                                             const std::string& subresource = "",
                                             const std::string& field_manager = "");
  // Server-side apply of the whole object (application/apply-patch+yaml, sent as JSON).
  [[nodiscard]] absl::StatusOr<Object> Apply(const Object& object, const ApplyOptions& options);
  // NotFound is an error here; callers that delete idempotently check IsNotFound.
  [[nodiscard]] absl::Status Delete(const GroupVersionKind& gvk, const std::string& namespace_name,
                                    const std::string& name, const DeleteOptions& options = {});

  // Watches until the handler returns false. Resumes after the server ends a watch, follows
  // bookmarks, and on 410 Gone lists again and delivers what changed as Added/Modified/Deleted
  // events, so no change is lost. Transient errors are retried with backoff; a persistent one is
  // returned.
  [[nodiscard]] absl::Status Watch(const GroupVersionKind& gvk, const std::string& namespace_name,
                                   const WatchOptions& options, const WatchHandler& handler);

  // Records a core/v1 Event about `regarding` (type Normal or Warning).
  [[nodiscard]] absl::Status RecordEvent(const Object& regarding, const std::string& type,
                                         const std::string& reason, const std::string& message,
                                         const std::string& reporting_component);

  // A raw call for paths the typed calls do not cover ("/version", "/readyz").
  [[nodiscard]] absl::StatusOr<Json> Call(const std::string& method, const std::string& path,
                                          const std::string& body = "");

  Transport& transport() { return *transport_; }

 private:
  struct ObjectPath {
    ResourceInfo info;
    std::string collection;  // ".../namespaces/ns/deployments"
    std::string item;        // collection + "/name"
  };
  absl::StatusOr<ObjectPath> PathFor(const GroupVersionKind& gvk, const std::string& namespace_name,
                                     const std::string& name);
  absl::StatusOr<ObjectPath> PathFor(const Object& object);
  // `holds_secret`: the request and the answer carry a Secret's values in clear; both bodies are
  // wiped once sent and parsed (the Object returned is the caller's to wipe).
  absl::StatusOr<Object> SendForObject(HttpRequest request, const std::string& what,
                                       bool holds_secret = false);
  // Sends the object as the body to its collection (create) or its own path plus `suffix`.
  absl::StatusOr<Object> SendObject(const Object& object, const std::string& method,
                                    bool to_collection, const std::string& suffix,
                                    const std::string& verb);
  absl::Status LoadGroupVersion(const std::string& group_version);

  std::unique_ptr<Transport> transport_;
  std::mutex discovery_mutex_;
  // group-version → kind → mapping
  std::map<std::string, std::map<std::string, ResourceInfo>> discovery_;
};

// "Deployment/apps/web" for messages, from a kind, namespace and name.
std::string DescribeObject(const GroupVersionKind& gvk, const std::string& namespace_name,
                           const std::string& name);

}  // namespace fluxcpp::kube
