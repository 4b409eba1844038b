#include "lib/kube/apply.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "lib/kube/concurrency.h"
#include "lib/kube/errors.h"
#include "lib/kube/health.h"
#include "lib/manifest/wipe.h"

namespace fluxcpp::kube {
namespace {

constexpr std::string_view kForceKey = "kustomize.toolkit.fluxcd.io/force";
// Above this many objects of one kind in one namespace, one list is cheaper than a get per object.
constexpr size_t kListThreshold = 16;
constexpr size_t kMaxReportedErrors = 10;

// One object of the set on its way through validation and apply.
struct Plan {
  const Object* object = nullptr;
  ApplyOrder order{};
  bool deferred = false;     // its namespace or kind comes with an earlier stage of this set
  bool recreate = false;     // an immutable field changed and force is on
  bool skipped = false;      // opted out of apply (skip key, or policy Ignore)
  bool create_only = false;  // policy IfNotPresent: applied only when missing
  bool handled = false;      // applied, unchanged or skipped: in the change set
  std::optional<Object> live;
  std::optional<Object> dry_run;

  Plan() = default;
  Plan(Plan&&) = default;
  Plan& operator=(Plan&& other) noexcept {
    WipeSecretCopies();
    object = other.object;
    order = other.order;
    deferred = other.deferred;
    recreate = other.recreate;
    skipped = other.skipped;
    create_only = other.create_only;
    handled = other.handled;
    live = std::move(other.live);
    dry_run = std::move(other.dry_run);
    return *this;
  }
  ~Plan() { WipeSecretCopies(); }

  // The cluster's copies of a Secret hold its values in clear: wiped, not only freed.
  void WipeSecretCopies() {
    for (std::optional<Object>* copy : {&live, &dry_run}) {
      if (*copy && IsCoreSecret((*copy)->Gvk())) manifest::WipeJson((*copy)->json());
    }
  }
};

// Collects the errors of concurrent work; the summary names every failed object (up to a limit).
class ErrorList {
 public:
  void Add(const absl::Status& status) {
    std::lock_guard lock(mutex_);
    errors_.push_back(status);
  }
  bool empty() const { return errors_.empty(); }
  absl::Status Combined(std::string_view headline) const {
    if (errors_.empty()) return absl::OkStatus();
    if (errors_.size() == 1) return WithContext(errors_[0], headline);
    std::string message =
        std::string(headline) + ": " + std::to_string(errors_.size()) + " objects failed";
    for (size_t i = 0; i < errors_.size() && i < kMaxReportedErrors; ++i) {
      message += "\n  " + std::string(errors_[i].message());
    }
    if (errors_.size() > kMaxReportedErrors) message += "\n  ...";
    return absl::Status(errors_[0].code(), message);
  }

 private:
  std::mutex mutex_;
  std::vector<absl::Status> errors_;
};

bool WantsForce(const Object& object, const ApplyAllOptions& options) {
  return options.force || object.Annotation(kForceKey) == "enabled" ||
         object.Label(kForceKey) == "enabled";
}

bool IsImmutableFieldError(const absl::Status& status) {
  std::string message(status.message());
  return IsInvalidError(status) && (message.find("immutable") != std::string::npos ||
                                    message.find("Forbidden: updates to") != std::string::npos);
}

// The parts of an object that say whether applying changed anything: not bookkeeping, not status.
Json Comparable(const Object& object) {
  Json json = object.json();
  if (json.contains("metadata") && json["metadata"].is_object()) {
    Json& metadata = json["metadata"];
    for (const char* field : {"managedFields", "resourceVersion", "generation"})
      metadata.erase(field);
  }
  json.erase("status");
  return json;
}

// Equal JSON regardless of key order: the server's responses to a dry run and to a get need not
// list fields alike.
bool SameContent(const Json& a, const Json& b) {
  if (a.type() != b.type()) return a == b;  // numbers of different kinds still compare by value
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    for (const auto& [key, value] : a.items()) {
      auto other = b.find(key);
      if (other == b.end() || !SameContent(value, *other)) return false;
    }
    return true;
  }
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (!SameContent(a[i], b[i])) return false;
    }
    return true;
  }
  return a == b;
}

std::string VersionOf(const Object& object) { return object.Gvk().version; }

// A dry run of an object that does not exist yet is a dry-run create: the server answers without
// a resourceVersion, as nothing was stored. One of an existing object carries the live one.
bool DryRunFoundObject(const Object& dry_run) {
  const Json& json = dry_run.json();
  auto metadata = json.find("metadata");
  if (metadata == json.end() || !metadata->is_object()) return true;
  auto version = metadata->find("resourceVersion");
  return version != metadata->end() && version->is_string() && !version->get<std::string>().empty();
}

class SetApplier {
 public:
  SetApplier(Client& client, const std::vector<Object>& objects, const ApplyAllOptions& options)
      : client_(client), options_(options) {
    for (const Object& object : objects) {
      Plan& plan = plans_.emplace_back();
      plan.object = &object;
      plan.order = OrderOf(object.Gvk());
      std::string policy = options.policy_key.empty() ? "" : object.Annotation(options.policy_key);
      plan.skipped = policy == "Ignore" || (!options.skip_key.empty() &&
                                            (object.Annotation(options.skip_key) == "disabled" ||
                                             object.Label(options.skip_key) == "disabled"));
      plan.create_only = policy == "IfNotPresent";
      if (object.Kind() == "Namespace" && object.Gvk().group.empty()) {
        namespaces_in_set_.insert(object.Name());
      }
      if (object.Kind() == "CustomResourceDefinition") {
        const Json& spec = object.json().value("spec", Json::object());
        std::string group = spec.value("group", "");
        std::string kind = spec.value("names", Json::object()).value("kind", "");
        kinds_in_set_.insert(group + "/" + kind);
      }
    }
    std::stable_sort(plans_.begin(), plans_.end(), [](const Plan& a, const Plan& b) {
      return std::tie(a.order.stage, a.order.rank) < std::tie(b.order.stage, b.order.rank);
    });
  }

  ApplyResult Run() {
    ApplyResult result;
    absl::Status status = Validate();
    if (!status.ok()) {
      result.status = status;
      return result;
    }
    for (int stage = 0; stage <= 2; ++stage) {
      std::vector<Plan*> members;
      for (Plan& plan : plans_) {
        if (plan.order.stage == stage) members.push_back(&plan);
      }
      if (members.empty()) continue;
      if (Cancelled()) {
        result.status = CancelledStatus();
        return result;
      }
      status = ApplyStage(members, result.change_set);
      if (!status.ok()) {
        result.status = status;
        return result;
      }
      if (stage == 0) {
        status = WaitForFirstStage(members);
        if (!status.ok()) {
          result.status = status;
          return result;
        }
      }
    }
    return result;
  }

 private:
  // Looks up what is live now: one list per kind and namespace when many objects share them, else a
  // get per object. Objects whose kind is not served yet stay without a live state.
  absl::Status LoadLiveObjects(const std::vector<Plan*>& dry_run_plans) {
    std::map<std::pair<std::string, std::string>, std::vector<Plan*>> groups;
    for (Plan* plan : WithLiveState(dry_run_plans)) {
      groups[{plan->object->ApiVersion() + "/" + plan->object->Kind(), plan->object->Namespace()}]
          .push_back(plan);
    }
    ErrorList errors;
    std::vector<std::vector<Plan*>*> group_list;
    for (auto& [key, members] : groups) group_list.push_back(&members);
    ForEachConcurrently(group_list.size(), options_.concurrency, [&](size_t index) {
      std::vector<Plan*>& members = *group_list[index];
      const Object& first = *members.front()->object;
      if (members.size() > kListThreshold) {
        auto list = client_.List(first.Gvk(), first.Namespace());
        if (!list.ok()) {
          if (!IsNotFoundError(list.status()) &&
              list.status().code() != absl::StatusCode::kNotFound) {
            errors.Add(list.status());
          }
          return;
        }
        std::map<std::string, Object*> by_name;
        for (Object& item : list->items) by_name[item.Name()] = &item;
        for (Plan* plan : members) {
          auto found = by_name.find(plan->object->Name());
          if (found != by_name.end()) plan->live = std::move(*found->second);
        }
        if (IsCoreSecret(first.Gvk())) {
          for (Object& item : list->items) manifest::WipeJson(item.json());
        }
        return;
      }
      for (Plan* plan : members) {
        auto live =
            client_.Get(plan->object->Gvk(), plan->object->Namespace(), plan->object->Name());
        if (live.ok()) {
          plan->live = std::move(*live);
        } else if (live.status().code() != absl::StatusCode::kNotFound) {
          errors.Add(live.status());
        }
      }
    });
    return errors.Combined("reading the live objects");
  }

  bool NamespaceExists(const std::string& name) {
    {
      std::lock_guard lock(mutex_);
      if (auto found = namespace_exists_.find(name); found != namespace_exists_.end()) {
        return found->second;
      }
    }
    bool exists = client_.Get({"", "v1", "Namespace"}, "", name).ok();
    std::lock_guard lock(mutex_);
    namespace_exists_[name] = exists;
    return exists;
  }

  // True when the object cannot be dry-run yet because this set creates its kind or namespace.
  bool DependsOnEarlierStage(const Object& object) {
    GroupVersionKind gvk = object.Gvk();
    auto served = client_.Resolve(gvk);
    if (!served.ok()) return kinds_in_set_.contains(gvk.group + "/" + gvk.kind);
    if (!served->namespaced || object.Namespace().empty()) return false;
    return namespaces_in_set_.contains(object.Namespace()) && !NamespaceExists(object.Namespace());
  }

  absl::Status DryRun(Plan& plan) {
    const Object& object = *plan.object;
    auto result = client_.Apply(
        object, {.field_manager = options_.field_manager, .force = true, .dry_run = true});
    if (result.ok()) {
      plan.dry_run = std::move(*result);
      return absl::OkStatus();
    }
    if (IsImmutableFieldError(result.status()) && WantsForce(object, options_)) {
      plan.recreate = true;
      return absl::OkStatus();
    }
    if (IsImmutableFieldError(result.status())) {
      return WithContext(result.status(),
                         "an immutable field changed; set force (or the " + std::string(kForceKey) +
                             ": enabled annotation) to delete and recreate the object");
    }
    return result.status();
  }

  bool Cancelled() const { return options_.cancel != nullptr && options_.cancel->load(); }

  absl::Status CancelledStatus() const {
    int handled = 0;
    for (const Plan& plan : plans_) handled += plan.handled ? 1 : 0;
    return absl::CancelledError("apply cancelled with " + std::to_string(handled) + " of " +
                                std::to_string(plans_.size()) + " objects applied");
  }

  absl::Status Validate() {
    std::vector<Plan*> all;
    for (Plan& plan : plans_) all.push_back(&plan);
    ErrorList errors;
    ForEachConcurrently(all.size(), options_.concurrency, [&](size_t index) {
      if (Cancelled()) return;  // reported once below, not per object
      Plan& plan = *all[index];
      if (plan.object->Name().empty()) {
        errors.Add(absl::InvalidArgumentError(plan.object->Kind() + " from " +
                                              plan.object->source().Describe() + " has no name"));
        return;
      }
      if (plan.skipped) return;
      plan.deferred = DependsOnEarlierStage(*plan.object);
      if (plan.deferred) return;
      if (absl::Status status = DryRun(plan); !status.ok()) errors.Add(status);
    });
    if (!errors.empty()) return errors.Combined("validation failed, nothing was applied");
    if (Cancelled()) return CancelledStatus();
    std::vector<Plan*> ready;
    for (Plan* plan : all) {
      if (!plan->deferred && !plan->skipped) ready.push_back(plan);
    }
    return LoadLiveObjects(ready);
  }

  // Objects whose dry run says they do not exist yet need no look-up: they are created.
  static std::vector<Plan*> WithLiveState(const std::vector<Plan*>& plans) {
    std::vector<Plan*> existing;
    for (Plan* plan : plans) {
      if (!plan->dry_run || DryRunFoundObject(*plan->dry_run)) existing.push_back(plan);
    }
    return existing;
  }

  absl::Status RecreateObject(Plan& plan) {
    const Object& object = *plan.object;
    absl::Status deleted = client_.Delete(object.Gvk(), object.Namespace(), object.Name(),
                                          {.propagation_policy = "Foreground"});
    if (!deleted.ok() && !IsNotFoundError(deleted)) return deleted;
    auto deadline = std::chrono::steady_clock::now() + options_.stage_timeout;
    for (auto still = client_.Get(object.Gvk(), object.Namespace(), object.Name()); still.ok();
         still = client_.Get(object.Gvk(), object.Namespace(), object.Name())) {
      if (IsCoreSecret(still->Gvk())) manifest::WipeJson(still->json());
      if (Cancelled()) {
        return absl::CancelledError(object.Describe() + ": cancelled while it terminates");
      }
      if (std::chrono::steady_clock::now() > deadline) {
        return absl::DeadlineExceededError(object.Describe() +
                                           ": still terminating; cannot recreate it yet");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    plan.WipeSecretCopies();
    plan.live.reset();
    return absl::OkStatus();
  }

  absl::Status ApplyStage(std::vector<Plan*>& members, ChangeSet& change_set) {
    // Objects that waited for this stage are validated now, before any of the stage is applied.
    std::vector<Plan*> deferred;
    for (Plan* plan : members) {
      if (plan->deferred) deferred.push_back(plan);
    }
    if (!deferred.empty()) {
      ErrorList errors;
      ForEachConcurrently(deferred.size(), options_.concurrency, [&](size_t index) {
        if (absl::Status status = DryRun(*deferred[index]); !status.ok()) errors.Add(status);
      });
      if (!errors.empty()) {
        return errors.Combined("validation failed; the stages before it were applied");
      }
      absl::Status loaded = LoadLiveObjects(deferred);
      if (!loaded.ok()) return loaded;
    }
    std::vector<std::optional<Change>> changes(members.size());
    ErrorList errors;
    ForEachConcurrently(members.size(), options_.concurrency, [&](size_t index) {
      if (Cancelled()) return;  // what was applied so far is in the change set
      Plan& plan = *members[index];
      const Object& object = *plan.object;
      Change change{object.Describe(), object.Identity(), VersionOf(object), Action::kUnchanged};
      if (plan.skipped || (plan.create_only && plan.live)) {
        change.action = Action::kSkipped;
        changes[index] = change;
        return;
      }
      if (plan.recreate) {
        if (absl::Status status = RecreateObject(plan); !status.ok()) return errors.Add(status);
      } else if (plan.live && plan.dry_run &&
                 SameContent(Comparable(*plan.dry_run), Comparable(*plan.live))) {
        changes[index] = change;
        return;
      }
      auto applied =
          client_.Apply(object, {.field_manager = options_.field_manager, .force = true});
      if (!applied.ok()) return errors.Add(applied.status());
      if (IsCoreSecret(applied->Gvk())) manifest::WipeJson(applied->json());
      change.action = plan.live ? Action::kConfigured : Action::kCreated;
      changes[index] = change;
    });
    bool complete = true;
    for (size_t i = 0; i < members.size(); ++i) {
      if (changes[i]) {
        members[i]->handled = true;
        change_set.changes.push_back(std::move(*changes[i]));
      } else {
        complete = false;
      }
    }
    // Cancelled first: an object cut short reports its own cancel as an error.
    if (!complete && Cancelled()) return CancelledStatus();
    return errors.Combined("apply failed");
  }

  // CRDs must be Established (and Namespaces Active) before objects that need them are applied.
  absl::Status WaitForFirstStage(const std::vector<Plan*>& members) {
    std::vector<Object> awaited;
    for (const Plan* plan : members) {
      if (plan->object->Kind() != "ClusterRole" && !plan->skipped) {
        awaited.push_back(*plan->object);
      }
    }
    if (awaited.empty()) return absl::OkStatus();
    absl::Status ready = WaitForSet(client_, awaited,
                                    {.timeout = options_.stage_timeout,
                                     .interval = std::chrono::milliseconds(200),
                                     .cancel = options_.cancel});
    if (!ready.ok()) return ready;
    client_.ResetDiscovery();
    return WaitForNewKinds();
  }

  // An Established CRD can still be missing from discovery for a moment; objects of its kind are
  // dry-run only once the server lists the kind.
  absl::Status WaitForNewKinds() {
    std::set<std::string> waited;
    auto deadline = std::chrono::steady_clock::now() + options_.stage_timeout;
    for (const Plan& plan : plans_) {
      GroupVersionKind gvk = plan.object->Gvk();
      if (!plan.deferred || !kinds_in_set_.contains(gvk.group + "/" + gvk.kind)) continue;
      if (!waited.insert(gvk.Describe()).second) continue;
      for (auto served = client_.Resolve(gvk); !served.ok(); served = client_.Resolve(gvk)) {
        if (std::chrono::steady_clock::now() > deadline) return served.status();
        if (Cancelled()) return CancelledStatus();
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    }
    return absl::OkStatus();
  }

  Client& client_;
  const ApplyAllOptions& options_;
  std::vector<Plan> plans_;
  std::set<std::string> namespaces_in_set_;
  std::set<std::string> kinds_in_set_;  // "group/Kind" of the CRDs in the set
  std::mutex mutex_;
  std::map<std::string, bool> namespace_exists_;
};

}  // namespace

ApplyResult ApplyAll(Client& client, const std::vector<Object>& objects,
                     const ApplyAllOptions& options) {
  return SetApplier(client, objects, options).Run();
}

}  // namespace fluxcpp::kube
