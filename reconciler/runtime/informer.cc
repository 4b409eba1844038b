#include "reconciler/runtime/informer.h"

#include <algorithm>
#include <thread>

#include "lib/kube/errors.h"
#include "reconciler/runtime/log.h"
#include "reconciler/runtime/status.h"

namespace fluxcpp::reconciler {
namespace {

const manifest::Json& Metadata(const manifest::Object& object) {
  static const manifest::Json kEmpty = manifest::Json::object();
  auto found = object.json().find("metadata");
  return found != object.json().end() && found->is_object() ? *found : kEmpty;
}

manifest::Json Field(const manifest::Json& metadata, const char* name) {
  auto found = metadata.find(name);
  return found == metadata.end() ? manifest::Json() : *found;
}

// Sleeps up to `duration`, waking early when `stop` turns true.
void SleepUnlessStopped(std::chrono::milliseconds duration, const std::atomic<bool>& stop) {
  auto until = std::chrono::steady_clock::now() + duration;
  while (!stop.load() && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

// The object as cached: without the fields no reconciler reads that can outweigh the rest.
manifest::Object ForCache(const manifest::Object& object) {
  manifest::Object cached = object;
  auto metadata = cached.json().find("metadata");
  if (metadata == cached.json().end() || !metadata->is_object()) return cached;
  metadata->erase("managedFields");
  auto annotations = metadata->find("annotations");
  if (annotations != metadata->end() && annotations->is_object()) {
    annotations->erase("kubectl.kubernetes.io/last-applied-configuration");
    if (annotations->empty()) metadata->erase("annotations");
  }
  return cached;
}

}  // namespace

ObjectKey KeyOf(const manifest::Object& object) {
  return ObjectKey{.namespace_name = object.Namespace(), .name = object.Name()};
}

bool ShouldReconcile(const kube::WatchEvent& event, const manifest::Object* previous) {
  switch (event.type) {
    case kube::WatchEventType::kBookmark:
      return false;
    case kube::WatchEventType::kAdded:
    case kube::WatchEventType::kDeleted:
      return true;
    case kube::WatchEventType::kModified:
      break;
  }
  if (previous == nullptr) return true;
  const manifest::Json& before = Metadata(*previous);
  const manifest::Json& after = Metadata(event.object);
  if (Field(before, "generation") != Field(after, "generation")) return true;
  if (previous->Annotation(kRequestedAtAnnotation) !=
      event.object.Annotation(kRequestedAtAnnotation)) {
    return true;
  }
  return Field(before, "deletionTimestamp").is_null() &&
         !Field(after, "deletionTimestamp").is_null();
}

Informer::Informer(kube::Client& client, GroupVersionKind kind, std::string namespace_name,
                   std::string label_selector, Handler handler)
    : client_(client),
      kind_(std::move(kind)),
      namespace_name_(std::move(namespace_name)),
      label_selector_(std::move(label_selector)),
      handler_(std::move(handler)) {}

bool Informer::OnEvent(const kube::WatchEvent& event) {
  if (event.type == kube::WatchEventType::kBookmark) return true;
  ObjectKey key = KeyOf(event.object);
  std::optional<manifest::Object> cached;
  if (event.type != kube::WatchEventType::kDeleted) cached = ForCache(event.object);
  std::optional<manifest::Object> previous;
  {
    std::lock_guard lock(mutex_);
    auto found = objects_.find(key);
    // Replaced or erased just below: moved out, not copied.
    if (found != objects_.end()) previous = std::move(found->second);
    if (event.type == kube::WatchEventType::kDeleted) {
      objects_.erase(key);
    } else {
      objects_.insert_or_assign(key, std::move(*cached));
    }
    if (listing_) listing_->push_back(key);
  }
  // A re-list replays objects the cache holds already; unchanged ones are no event at all.
  if (event.type == kube::WatchEventType::kAdded && previous &&
      Metadata(*previous).value("resourceVersion", "") ==
          Metadata(event.object).value("resourceVersion", "")) {
    return true;
  }
  if (event.type == kube::WatchEventType::kAdded && previous) {
    handler_(kube::WatchEvent{kube::WatchEventType::kModified, event.object}, &*previous);
  } else {
    handler_(event, previous ? &*previous : nullptr);
  }
  return true;
}

void Informer::DropUnlisted() {
  std::vector<manifest::Object> gone;
  {
    std::lock_guard lock(mutex_);
    if (!listing_) return;
    std::sort(listing_->begin(), listing_->end());
    for (auto it = objects_.begin(); it != objects_.end();) {
      if (!std::binary_search(listing_->begin(), listing_->end(), it->first)) {
        gone.push_back(std::move(it->second));
        it = objects_.erase(it);
      } else {
        ++it;
      }
    }
    listing_.reset();
  }
  for (manifest::Object& object : gone) {
    handler_(kube::WatchEvent{kube::WatchEventType::kDeleted, object}, &object);
  }
}

absl::Status Informer::Run(const std::atomic<bool>& stop) {
  auto retry_delay = std::chrono::milliseconds(500);
  while (!stop.load()) {
    {
      std::lock_guard lock(mutex_);
      listing_.emplace();
    }
    kube::WatchOptions options{.label_selector = label_selector_, .cancel = &stop};
    options.on_listed = [this] {
      DropUnlisted();
      synced_.store(true);
    };
    absl::Status watched = client_.Watch(kind_, namespace_name_, options,
                                         [this](const kube::WatchEvent& e) { return OnEvent(e); });
    if (stop.load()) break;
    if (!watched.ok()) {
      bool hopeless = kube::IsNotFoundError(watched) || kube::IsForbiddenError(watched) ||
                      watched.code() == absl::StatusCode::kNotFound;
      if (hopeless && !synced_.load()) return watched;
      LogError("watch failed, starting again",
               {{"kind", kind_.kind}, {"error", std::string(watched.message())}});
      SleepUnlessStopped(retry_delay, stop);
      retry_delay = std::min(retry_delay * 2, std::chrono::milliseconds(30000));
    } else {
      retry_delay = std::chrono::milliseconds(500);
    }
  }
  return absl::OkStatus();
}

std::optional<manifest::Object> Informer::Get(const ObjectKey& key) const {
  std::lock_guard lock(mutex_);
  auto found = objects_.find(key);
  if (found == objects_.end()) return std::nullopt;
  return found->second;
}

void Informer::ForEach(const std::function<void(const manifest::Object&)>& visit) const {
  std::lock_guard lock(mutex_);
  for (const auto& [key, object] : objects_) visit(object);
}

std::vector<manifest::Object> Informer::List() const {
  std::lock_guard lock(mutex_);
  std::vector<manifest::Object> objects;
  objects.reserve(objects_.size());
  for (const auto& [key, object] : objects_) objects.push_back(object);
  return objects;
}

}  // namespace fluxcpp::reconciler
