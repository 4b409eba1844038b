#include "lib/kube/client.h"

#include <openssl/crypto.h>

#include <chrono>
#include <thread>

#include "absl/status/status.h"
#include "lib/kube/errors.h"

namespace fluxcpp::kube {
namespace {

std::string PercentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string encoded;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      encoded += static_cast<char>(c);
    } else {
      encoded += '%';
      encoded += kHex[c >> 4];
      encoded += kHex[c & 15];
    }
  }
  return encoded;
}

// Appends `name=value` to a path's query string when value is not empty.
void AddQuery(std::string& path, std::string_view name, std::string_view value) {
  if (value.empty()) return;
  path += path.find('?') == std::string::npos ? '?' : '&';
  path += std::string(name) + "=" + PercentEncode(value);
}

std::string GroupVersionPath(const GroupVersionKind& gvk) {
  return gvk.group.empty() ? "/api/" + gvk.version : "/apis/" + gvk.group + "/" + gvk.version;
}

const char* PatchContentType(PatchType type) {
  switch (type) {
    case PatchType::kJson:
      return "application/json-patch+json";
    case PatchType::kStrategicMerge:
      return "application/strategic-merge-patch+json";
    case PatchType::kMerge:
      break;
  }
  return "application/merge-patch+json";
}

std::string ObjectKey(const Object& object) { return object.Namespace() + "/" + object.Name(); }

}  // namespace

std::string DescribeObject(const GroupVersionKind& gvk, const std::string& namespace_name,
                           const std::string& name) {
  std::string text = gvk.kind + "/";
  if (!namespace_name.empty()) text += namespace_name + "/";
  return text + name;
}

absl::StatusOr<std::unique_ptr<Client>> Client::Create(const ClusterConfig& config,
                                                       ClientOptions options) {
  auto transport = Transport::Create(config, options.transport);
  if (!transport.ok()) return transport.status();
  return std::make_unique<Client>(std::move(*transport));
}

Client::Client(std::unique_ptr<Transport> transport) : transport_(std::move(transport)) {}

absl::Status Client::LoadGroupVersion(const std::string& group_version) {
  std::string path = group_version.find('/') == std::string::npos ? "/api/" + group_version
                                                                  : "/apis/" + group_version;
  auto response = transport_->Send(HttpRequest{.path = path});
  if (!response.ok()) return response.status();
  std::map<std::string, ResourceInfo> kinds;
  if (response->status == 404) {
    std::lock_guard lock(discovery_mutex_);
    discovery_[group_version] = std::move(kinds);
    return absl::OkStatus();
  }
  if (response->status != 200) {
    return ErrorFromResponse(response->status, response->body, "discovery of " + group_version);
  }
  Json list = Json::parse(response->body, nullptr, false);
  if (list.is_discarded() || !list.contains("resources")) {
    return absl::InternalError("discovery of " + group_version + ": not an APIResourceList");
  }
  auto slash = group_version.find('/');
  for (const Json& resource : list["resources"]) {
    std::string name = resource.value("name", "");
    if (name.empty() || name.find('/') != std::string::npos) continue;  // subresources
    ResourceInfo info;
    info.gvk.group = slash == std::string::npos ? "" : group_version.substr(0, slash);
    info.gvk.version = slash == std::string::npos ? group_version : group_version.substr(slash + 1);
    info.gvk.kind = resource.value("kind", "");
    info.resource = name;
    info.namespaced = resource.value("namespaced", false);
    if (resource.contains("verbs")) info.verbs = resource["verbs"].get<std::vector<std::string>>();
    kinds.emplace(info.gvk.kind, std::move(info));
  }
  std::lock_guard lock(discovery_mutex_);
  discovery_[group_version] = std::move(kinds);
  return absl::OkStatus();
}

absl::StatusOr<ResourceInfo> Client::Resolve(const GroupVersionKind& gvk) {
  std::string group_version = gvk.ApiVersion();
  for (int attempt = 0; attempt < 2; ++attempt) {
    {
      std::lock_guard lock(discovery_mutex_);
      auto version = discovery_.find(group_version);
      if (version != discovery_.end()) {
        auto kind = version->second.find(gvk.kind);
        if (kind != version->second.end()) return kind->second;
        if (attempt == 1) break;
      }
    }
    // Unknown group-version, or a kind it did not list before: ask the server (again).
    absl::Status loaded = LoadGroupVersion(group_version);
    if (!loaded.ok()) return loaded;
  }
  return absl::NotFoundError("the server does not serve kind " + gvk.kind + " in " + group_version +
                             " (is its CRD installed?)");
}

void Client::ResetDiscovery() {
  std::lock_guard lock(discovery_mutex_);
  discovery_.clear();
}

absl::StatusOr<Client::ObjectPath> Client::PathFor(const GroupVersionKind& gvk,
                                                   const std::string& namespace_name,
                                                   const std::string& name) {
  auto info = Resolve(gvk);
  if (!info.ok()) return info.status();
  ObjectPath path;
  path.collection = GroupVersionPath(gvk);
  if (info->namespaced) {
    if (namespace_name.empty() && !name.empty()) {
      return absl::InvalidArgumentError(DescribeObject(gvk, namespace_name, name) +
                                        ": the kind is namespaced but no namespace was given");
    }
    if (!namespace_name.empty()) path.collection += "/namespaces/" + PercentEncode(namespace_name);
  }
  path.collection += "/" + info->resource;
  path.item = name.empty() ? path.collection : path.collection + "/" + PercentEncode(name);
  path.info = std::move(*info);
  return path;
}

absl::StatusOr<Client::ObjectPath> Client::PathFor(const Object& object) {
  return PathFor(object.Gvk(), object.Namespace(), object.Name());
}

bool IsCoreSecret(const GroupVersionKind& gvk) { return gvk.kind == "Secret" && gvk.group.empty(); }

absl::StatusOr<Object> Client::SendForObject(HttpRequest request, const std::string& what,
                                             bool holds_secret) {
  auto response = transport_->Send(request);
  if (holds_secret) OPENSSL_cleanse(request.body.data(), request.body.size());
  if (!response.ok()) return WithContext(response.status(), what);
  struct Wiper {
    std::string& body;
    bool active;
    ~Wiper() {
      if (active) OPENSSL_cleanse(body.data(), body.size());
    }
  } wiper{response->body, holds_secret};
  if (response->status < 200 || response->status > 299) {
    return ErrorFromResponse(response->status, response->body, what);
  }
  Json body = Json::parse(response->body, nullptr, false);
  if (body.is_discarded())
    return absl::InternalError(what + ": the server answered with invalid JSON");
  return Object(std::move(body));
}

absl::StatusOr<Object> Client::Get(const GroupVersionKind& gvk, const std::string& namespace_name,
                                   const std::string& name) {
  std::string what = DescribeObject(gvk, namespace_name, name);
  auto path = PathFor(gvk, namespace_name, name);
  if (!path.ok()) return WithContext(path.status(), what);
  return SendForObject(HttpRequest{.path = path->item}, what, IsCoreSecret(gvk));
}

absl::StatusOr<ObjectList> Client::List(const GroupVersionKind& gvk,
                                        const std::string& namespace_name,
                                        const ListOptions& options) {
  std::string what =
      "list " + gvk.Describe() + (namespace_name.empty() ? "" : " in " + namespace_name);
  auto path = PathFor(gvk, namespace_name, "");
  if (!path.ok()) return WithContext(path.status(), what);
  ObjectList result;
  std::string continue_token;
  do {
    std::string page = path->collection;
    AddQuery(page, "labelSelector", options.label_selector);
    AddQuery(page, "fieldSelector", options.field_selector);
    AddQuery(page, "limit", options.page_size > 0 ? std::to_string(options.page_size) : "");
    AddQuery(page, "continue", continue_token);
    auto list = SendForObject(HttpRequest{.path = page}, what, IsCoreSecret(gvk));
    if (!list.ok()) return list.status();
    Json& body = list->json();
    if (body.contains("items") && body["items"].is_array()) {
      for (Json& item : body["items"]) {
        // Items of a list carry no kind of their own.
        item["apiVersion"] = gvk.ApiVersion();
        item["kind"] = gvk.kind;
        result.items.emplace_back(std::move(item));
      }
    }
    const Json& metadata = body.contains("metadata") ? body["metadata"] : Json::object();
    result.resource_version = metadata.value("resourceVersion", "");
    continue_token = metadata.value("continue", "");
  } while (!continue_token.empty());
  return result;
}

absl::StatusOr<Object> Client::SendObject(const Object& object, const std::string& method,
                                          bool to_collection, const std::string& suffix,
                                          const std::string& verb) {
  auto path = PathFor(object);
  if (!path.ok()) return WithContext(path.status(), object.Describe());
  return SendForObject(HttpRequest{.method = method,
                                   .path = (to_collection ? path->collection : path->item) + suffix,
                                   .body = object.json().dump(),
                                   .content_type = "application/json"},
                       object.Describe() + ": " + verb);
}

absl::StatusOr<Object> Client::Create(const Object& object, bool dry_run) {
  return SendObject(object, "POST", true, dry_run ? "?dryRun=All" : "", "create");
}

absl::StatusOr<Object> Client::Update(const Object& object) {
  return SendObject(object, "PUT", false, "", "update");
}

absl::StatusOr<Object> Client::UpdateStatus(const Object& object) {
  return SendObject(object, "PUT", false, "/status", "status update");
}

absl::StatusOr<Object> Client::Patch(const GroupVersionKind& gvk, const std::string& namespace_name,
                                     const std::string& name, PatchType type,
                                     const std::string& patch, const std::string& subresource,
                                     const std::string& field_manager) {
  std::string what = DescribeObject(gvk, namespace_name, name);
  auto path = PathFor(gvk, namespace_name, name);
  if (!path.ok()) return WithContext(path.status(), what);
  std::string target = subresource.empty() ? path->item : path->item + "/" + subresource;
  AddQuery(target, "fieldManager", field_manager);
  return SendForObject(HttpRequest{.method = "PATCH",
                                   .path = target,
                                   .body = patch,
                                   .content_type = PatchContentType(type),
                                   .idempotent = type == PatchType::kMerge},
                       what + ": patch");
}

absl::StatusOr<Object> Client::Apply(const Object& object, const ApplyOptions& options) {
  std::string what = object.Describe() + (options.dry_run ? ": apply (dry run)" : ": apply");
  auto path = PathFor(object);
  if (!path.ok()) return WithContext(path.status(), object.Describe());
  std::string target = path->item;
  AddQuery(target, "fieldManager", options.field_manager);
  if (options.force) AddQuery(target, "force", "true");
  if (options.dry_run) AddQuery(target, "dryRun", "All");
  // JSON is YAML, so the apply content type takes the object as JSON without a YAML round trip.
  HttpRequest request{.method = "PATCH",
                      .path = target,
                      .body = object.json().dump(),
                      .content_type = "application/apply-patch+yaml",
                      .idempotent = true};
  return SendForObject(std::move(request), what,
                       /*holds_secret=*/IsCoreSecret(object.Gvk()));
}

absl::Status Client::Delete(const GroupVersionKind& gvk, const std::string& namespace_name,
                            const std::string& name, const DeleteOptions& options) {
  std::string what = DescribeObject(gvk, namespace_name, name) + ": delete";
  auto path = PathFor(gvk, namespace_name, name);
  if (!path.ok()) return WithContext(path.status(), what);
  Json body = {{"apiVersion", "v1"}, {"kind", "DeleteOptions"}};
  if (!options.propagation_policy.empty()) body["propagationPolicy"] = options.propagation_policy;
  if (!options.precondition_uid.empty()) body["preconditions"]["uid"] = options.precondition_uid;
  if (!options.precondition_resource_version.empty()) {
    body["preconditions"]["resourceVersion"] = options.precondition_resource_version;
  }
  if (options.dry_run) body["dryRun"] = Json::array({"All"});
  auto response = transport_->Send(HttpRequest{.method = "DELETE",
                                               .path = path->item,
                                               .body = body.dump(),
                                               .content_type = "application/json"});
  if (!response.ok()) return WithContext(response.status(), what);
  if (response->status < 200 || response->status > 299) {
    return ErrorFromResponse(response->status, response->body, what);
  }
  return absl::OkStatus();
}

absl::StatusOr<Json> Client::Call(const std::string& method, const std::string& path,
                                  const std::string& body) {
  auto object = SendForObject(HttpRequest{.method = method,
                                          .path = path,
                                          .body = body,
                                          .content_type = body.empty() ? "" : "application/json"},
                              method + " " + path);
  if (!object.ok()) return object.status();
  return object->json();
}

absl::Status Client::RecordEvent(const Object& regarding, const std::string& type,
                                 const std::string& reason, const std::string& message,
                                 const std::string& reporting_component) {
  std::string namespace_name = regarding.Namespace().empty() ? "default" : regarding.Namespace();
  std::string now = [] {
    std::time_t seconds = std::time(nullptr);
    char text[32];
    std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&seconds));
    return std::string(text);
  }();
  const Json& metadata = regarding.json().value("metadata", Json::object());
  Json event = {
      {"apiVersion", "v1"},
      {"kind", "Event"},
      {"metadata", {{"generateName", regarding.Name() + "."}, {"namespace", namespace_name}}},
      {"involvedObject",
       {{"apiVersion", regarding.ApiVersion()},
        {"kind", regarding.Kind()},
        {"name", regarding.Name()},
        {"namespace", regarding.Namespace()},
        {"uid", metadata.value("uid", "")},
        {"resourceVersion", metadata.value("resourceVersion", "")}}},
      {"type", type},
      {"reason", reason},
      {"message", message},
      {"source", {{"component", reporting_component}}},
      {"reportingComponent", reporting_component},
      {"firstTimestamp", now},
      {"lastTimestamp", now},
      {"count", 1}};
  auto created = Create(Object(std::move(event)));
  return created.ok() ? absl::OkStatus() : created.status();
}

absl::Status Client::Watch(const GroupVersionKind& gvk, const std::string& namespace_name,
                           const WatchOptions& options, const WatchHandler& handler) {
  std::string what =
      "watch " + gvk.Describe() + (namespace_name.empty() ? "" : " in " + namespace_name);
  auto path = PathFor(gvk, namespace_name, "");
  if (!path.ok()) return WithContext(path.status(), what);

  // The last state seen of every object, so that a re-list can tell what was deleted meanwhile.
  std::map<std::string, Object> known;
  std::string resource_version = options.resource_version;
  bool stopped = false;

  auto relist = [&]() -> absl::Status {
    auto list = List(gvk, namespace_name,
                     ListOptions{.label_selector = options.label_selector,
                                 .field_selector = options.field_selector});
    if (!list.ok()) return list.status();
    std::map<std::string, Object> current;
    for (Object& item : list->items) current.emplace(ObjectKey(item), std::move(item));
    for (auto& [key, object] : current) {
      auto previous = known.find(key);
      std::string version = object.json()["metadata"].value("resourceVersion", "");
      if (previous == known.end()) {
        if (!handler(WatchEvent{WatchEventType::kAdded, object}))
          return stopped = true, absl::OkStatus();
      } else if (previous->second.json()["metadata"].value("resourceVersion", "") != version) {
        if (!handler(WatchEvent{WatchEventType::kModified, object}))
          return stopped = true, absl::OkStatus();
      }
    }
    for (auto& [key, object] : known) {
      if (!current.contains(key) && !handler(WatchEvent{WatchEventType::kDeleted, object})) {
        return stopped = true, absl::OkStatus();
      }
    }
    known = std::move(current);
    resource_version = list->resource_version;
    if (options.on_listed) options.on_listed();
    return absl::OkStatus();
  };

  if (resource_version.empty()) {
    absl::Status listed = relist();
    if (!listed.ok() || stopped) return listed;
  }

  auto failing_since = std::chrono::steady_clock::time_point{};
  constexpr auto kGiveUpAfter = std::chrono::minutes(2);
  int failures = 0;
  auto cancelled = [&options] { return options.cancel && options.cancel->load(); };
  while (!stopped && !cancelled()) {
    std::string target = path->collection + "?watch=1&allowWatchBookmarks=true";
    AddQuery(target, "resourceVersion", resource_version);
    AddQuery(target, "labelSelector", options.label_selector);
    AddQuery(target, "fieldSelector", options.field_selector);
    AddQuery(target, "timeoutSeconds", std::to_string(options.timeout_seconds));
    std::string buffer;
    bool gone = false;
    bool received = false;
    auto on_data = [&](std::string_view chunk) {
      buffer.append(chunk);
      size_t newline;
      while ((newline = buffer.find('\n')) != std::string::npos) {
        Json event = Json::parse(std::string_view(buffer).substr(0, newline), nullptr, false);
        buffer.erase(0, newline + 1);
        if (event.is_discarded() || !event.is_object()) continue;
        received = true;
        std::string type = event.value("type", "");
        Json& body = event["object"];
        if (type == "ERROR") {
          if (body.value("code", 0) == 410) gone = true;
          return false;
        }
        if (!body.is_object()) continue;
        body["apiVersion"] = gvk.ApiVersion();
        body["kind"] = gvk.kind;
        Object object(std::move(body));
        resource_version = object.json()["metadata"].value("resourceVersion", resource_version);
        WatchEventType event_type = type == "ADDED"      ? WatchEventType::kAdded
                                    : type == "MODIFIED" ? WatchEventType::kModified
                                    : type == "DELETED"  ? WatchEventType::kDeleted
                                                         : WatchEventType::kBookmark;
        if (event_type == WatchEventType::kDeleted) {
          known.erase(ObjectKey(object));
        } else if (event_type != WatchEventType::kBookmark) {
          known.insert_or_assign(ObjectKey(object), object);
        }
        if (!handler(WatchEvent{event_type, std::move(object)})) {
          stopped = true;
          return false;
        }
      }
      return true;
    };
    auto status_code = transport_->Stream(
        HttpRequest{
            .path = target, .timeout = std::chrono::milliseconds(0), .cancel = options.cancel},
        on_data);
    if (stopped || cancelled()) break;
    if (status_code.ok() && *status_code == 410) gone = true;
    if (gone) {
      absl::Status listed = relist();
      if (listed.ok()) {
        failures = 0;
        continue;
      }
    } else if (status_code.ok() && *status_code == 200) {
      failures = 0;  // the server ended the watch on time; resume where it stopped
      continue;
    } else if (status_code.ok() && *status_code != 200 && *status_code < 500 &&
               *status_code != 429) {
      return ErrorFromResponse(*status_code, buffer, what);
    }
    // The server is away (restarting, overloaded): retry with backoff for a while.
    if (failures++ == 0 || received) failing_since = std::chrono::steady_clock::now();
    if (std::chrono::steady_clock::now() - failing_since > kGiveUpAfter) {
      return status_code.ok() ? absl::UnavailableError(what + ": the server keeps failing (HTTP " +
                                                       std::to_string(*status_code) + ")")
                              : WithContext(status_code.status(), what);
    }
    // In short slices: a stop (shutdown) must not wait out the backoff.
    const auto resume_at =
        std::chrono::steady_clock::now() +
        std::chrono::milliseconds(std::min(200 * (1 << std::min(failures, 5)), 5000));
    while (!cancelled() && std::chrono::steady_clock::now() < resume_at) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (cancelled()) break;
  }
  return absl::OkStatus();
}

}  // namespace fluxcpp::kube
