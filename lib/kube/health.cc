#include "lib/kube/health.h"

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/time/time.h"

namespace fluxcpp::kube {
namespace {

using manifest::Json;
using Clock = std::chrono::system_clock;

// Message building. (Debian's abseil has its own string_view, which absl::StrCat will not take
// from a std::string_view.)
void Append(std::string& out, std::string_view text) { out += text; }
template <typename Integer>
requires std::is_integral_v<Integer>
void Append(std::string& out, Integer number) { out += std::to_string(number); }
template <typename... Parts>
std::string Cat(const Parts&... parts) {
  std::string out;
  (Append(out, parts), ...);
  return out;
}

// The value at a path of object keys, or null when any step is missing or not an object.
const Json* Find(const Json& json, std::initializer_list<std::string_view> path) {
  const Json* node = &json;
  for (std::string_view key : path) {
    if (!node->is_object()) return nullptr;
    auto found = node->find(key);
    if (found == node->end()) return nullptr;
    node = &*found;
  }
  return node;
}

std::optional<int64_t> IntAt(const Json& json, std::initializer_list<std::string_view> path) {
  const Json* value = Find(json, path);
  if (value == nullptr || !value->is_number_integer()) return std::nullopt;
  return value->get<int64_t>();
}

int64_t IntAt(const Json& json, std::initializer_list<std::string_view> path, int64_t fallback) {
  return IntAt(json, path).value_or(fallback);
}

std::string StringAt(const Json& json, std::initializer_list<std::string_view> path) {
  const Json* value = Find(json, path);
  return value != nullptr && value->is_string() ? value->get<std::string>() : "";
}

// One entry of status.conditions. Kubernetes kinds and CRDs all share this shape, though only
// metav1.Condition carries observedGeneration.
struct Condition {
  std::string type;
  std::string status;  // "True", "False" or "Unknown"
  std::string reason;
  std::string message;
  std::optional<int64_t> observed_generation;

  bool IsTrue() const { return status == "True"; }
  bool IsFalse() const { return status == "False"; }
};

std::vector<Condition> ReadConditions(const Json& object) {
  std::vector<Condition> conditions;
  const Json* list = Find(object, {"status", "conditions"});
  if (list == nullptr || !list->is_array()) return conditions;
  for (const Json& entry : *list) {
    if (!entry.is_object()) continue;
    conditions.push_back(Condition{.type = StringAt(entry, {"type"}),
                                   .status = StringAt(entry, {"status"}),
                                   .reason = StringAt(entry, {"reason"}),
                                   .message = StringAt(entry, {"message"}),
                                   .observed_generation = IntAt(entry, {"observedGeneration"})});
  }
  return conditions;
}

// What the rules look at: the object, its name for messages, and its parsed conditions.
struct Subject {
  const Json& json;
  std::string description;  // "Deployment/apps/web"
  std::vector<Condition> conditions;
  Clock::time_point now;

  const Condition* FindCondition(std::string_view type) const {
    for (const Condition& condition : conditions) {
      if (condition.type == type) return &condition;
    }
    return nullptr;
  }

  Health Make(HealthStatus status, std::string_view why) const {
    return Health{.status = status, .message = Cat(description, ": ", why)};
  }
  Health Current(std::string_view why) const { return Make(HealthStatus::kCurrent, why); }
  Health InProgress(std::string_view why) const { return Make(HealthStatus::kInProgress, why); }
  Health Failed(std::string_view why) const { return Make(HealthStatus::kFailed, why); }
};

// "reason: message", leaving out what a controller did not fill in.
std::string Explain(const Condition& condition) {
  if (condition.reason.empty()) return condition.message;
  if (condition.message.empty()) return condition.reason;
  return Cat(condition.reason, ": ", condition.message);
}

std::string CountOf(int64_t count, int64_t wanted, std::string_view what) {
  return Cat(count, " of ", wanted, " ", what);
}

// Rules that hold for every kind; nullopt when they leave the decision to the kind's own rules.
std::optional<Health> GenericHealth(const Subject& subject) {
  if (!StringAt(subject.json, {"metadata", "deletionTimestamp"}).empty()) {
    return subject.Make(HealthStatus::kTerminating, "scheduled for deletion");
  }
  // Kinds without status.observedGeneration give no way to tell, so the check is skipped for them.
  auto generation = IntAt(subject.json, {"metadata", "generation"});
  auto observed = IntAt(subject.json, {"status", "observedGeneration"});
  if (generation && observed && *generation != *observed) {
    return subject.InProgress(
        Cat("generation ", *generation, " not yet observed (observed generation ", *observed, ")"));
  }
  // Controllers that set the kstatus conditions have said all there is to say.
  for (const Condition& condition : subject.conditions) {
    if (condition.type == "Reconciling" && condition.IsTrue()) {
      return subject.InProgress(Cat("reconciling: ", Explain(condition)));
    }
    if (condition.type == "Stalled" && condition.IsTrue()) {
      return subject.Failed(Cat("stalled: ", Explain(condition)));
    }
  }
  return std::nullopt;
}

Health DeploymentHealth(const Subject& subject) {
  const Json& json = subject.json;
  // Without a progress deadline the controller never sets Progressing, so it cannot be waited
  // for; INT32_MAX is how the controller spells "no deadline".
  bool progressing = IntAt(json, {"spec", "progressDeadlineSeconds"}, INT32_MAX) == INT32_MAX;
  bool available = false;
  for (const Condition& condition : subject.conditions) {
    if (condition.type == "Progressing") {
      if (condition.reason == "ProgressDeadlineExceeded") {
        return subject.Failed(Cat("progress deadline exceeded: ", condition.message));
      }
      if (condition.IsTrue() && condition.reason == "NewReplicaSetAvailable") progressing = true;
    } else if (condition.type == "Available" && condition.IsTrue()) {
      available = true;
    }
  }
  // The controller defaults spec.replicas to 1.
  int64_t wanted = IntAt(json, {"spec", "replicas"}, 1);
  int64_t replicas = IntAt(json, {"status", "replicas"}, 0);
  int64_t updated = IntAt(json, {"status", "updatedReplicas"}, 0);
  int64_t ready = IntAt(json, {"status", "readyReplicas"}, 0);
  int64_t available_replicas = IntAt(json, {"status", "availableReplicas"}, 0);
  if (wanted > replicas) return subject.InProgress(CountOf(replicas, wanted, "replicas created"));
  if (wanted > updated) return subject.InProgress(CountOf(updated, wanted, "replicas updated"));
  if (replicas > wanted) {
    return subject.InProgress(Cat(replicas - wanted, " old replicas pending termination"));
  }
  if (updated > available_replicas) {
    return subject.InProgress(CountOf(available_replicas, updated, "updated replicas available"));
  }
  if (wanted > ready) return subject.InProgress(CountOf(ready, wanted, "replicas ready"));
  if (!progressing) return subject.InProgress("new ReplicaSet not yet available");
  if (!available) return subject.InProgress("Available condition is not True");
  return subject.Current(Cat(replicas, " replicas available"));
}

Health StatefulSetHealth(const Subject& subject) {
  const Json& json = subject.json;
  // With OnDelete the user replaces Pods by hand; there is no rollout to wait for.
  if (StringAt(json, {"spec", "updateStrategy", "type"}) == "OnDelete") {
    return subject.Current("OnDelete update strategy, rollout is manual");
  }
  int64_t wanted = IntAt(json, {"spec", "replicas"}, 1);
  int64_t replicas = IntAt(json, {"status", "replicas"}, 0);
  int64_t ready = IntAt(json, {"status", "readyReplicas"}, 0);
  int64_t current = IntAt(json, {"status", "currentReplicas"}, 0);
  int64_t updated = IntAt(json, {"status", "updatedReplicas"}, 0);
  if (wanted > replicas) return subject.InProgress(CountOf(replicas, wanted, "replicas created"));
  if (wanted > ready) return subject.InProgress(CountOf(ready, wanted, "replicas ready"));
  if (replicas > wanted) {
    return subject.InProgress(Cat(replicas - wanted, " old replicas pending termination"));
  }
  // A partitioned rollout only updates the ordinals at or above the partition. The API server
  // defaults the partition to 0, so this is the path of every RollingUpdate StatefulSet it
  // returns; the revision checks below only serve objects read without defaults.
  if (auto partition = IntAt(json, {"spec", "updateStrategy", "rollingUpdate", "partition"})) {
    int64_t to_update = wanted - *partition;
    if (updated < to_update) {
      return subject.InProgress(CountOf(
          updated, to_update,
          *partition == 0 ? "replicas updated" : "replicas at or above the partition updated"));
    }
    return subject.Current(Cat("rollout complete, ", updated, " replicas updated"));
  }
  if (wanted > current) {
    return subject.InProgress(CountOf(current, wanted, "replicas current"));
  }
  std::string update_revision = StringAt(json, {"status", "updateRevision"});
  if (StringAt(json, {"status", "currentRevision"}) != update_revision) {
    return subject.InProgress(Cat("revision ", update_revision, " not yet current"));
  }
  return subject.Current(Cat(replicas, " replicas ready"));
}

Health DaemonSetHealth(const Subject& subject) {
  const Json& json = subject.json;
  // The generic check is lenient about missing generations; a DaemonSet the controller has seen
  // always has both, so their absence means it has not acted yet.
  if (!IntAt(json, {"metadata", "generation"})) {
    return subject.InProgress("metadata.generation not set");
  }
  if (!IntAt(json, {"status", "observedGeneration"})) {
    return subject.InProgress("status.observedGeneration not set");
  }
  auto desired = IntAt(json, {"status", "desiredNumberScheduled"});
  if (!desired) return subject.InProgress("status.desiredNumberScheduled not set");
  int64_t scheduled = IntAt(json, {"status", "currentNumberScheduled"}, 0);
  int64_t updated = IntAt(json, {"status", "updatedNumberScheduled"}, 0);
  int64_t available = IntAt(json, {"status", "numberAvailable"}, 0);
  int64_t ready = IntAt(json, {"status", "numberReady"}, 0);
  if (*desired > scheduled) return subject.InProgress(CountOf(scheduled, *desired, "scheduled"));
  if (*desired > updated) return subject.InProgress(CountOf(updated, *desired, "updated"));
  if (*desired > available) return subject.InProgress(CountOf(available, *desired, "available"));
  if (*desired > ready) return subject.InProgress(CountOf(ready, *desired, "ready"));
  return subject.Current(Cat(*desired, " scheduled and ready"));
}

Health ReplicaSetHealth(const Subject& subject) {
  const Json& json = subject.json;
  // ReplicaFailure (quota, admission) may clear on its own, so kstatus keeps waiting.
  if (const Condition* failure = subject.FindCondition("ReplicaFailure");
      failure != nullptr && failure->IsTrue()) {
    return subject.InProgress(Cat("replica failure: ", Explain(*failure)));
  }
  int64_t wanted = IntAt(json, {"spec", "replicas"}, 1);
  int64_t replicas = IntAt(json, {"status", "replicas"}, 0);
  int64_t labelled = IntAt(json, {"status", "fullyLabeledReplicas"}, 0);
  int64_t available = IntAt(json, {"status", "availableReplicas"}, 0);
  int64_t ready = IntAt(json, {"status", "readyReplicas"}, 0);
  if (wanted > labelled) return subject.InProgress(CountOf(labelled, wanted, "replicas labelled"));
  if (wanted > available) {
    return subject.InProgress(CountOf(available, wanted, "replicas available"));
  }
  if (wanted > ready) return subject.InProgress(CountOf(ready, wanted, "replicas ready"));
  if (replicas > wanted) {
    return subject.InProgress(Cat(replicas - wanted, " replicas pending termination"));
  }
  return subject.Current(Cat(replicas, " replicas available"));
}

std::string Join(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) out += out.empty() ? name : Cat(", ", name);
  return out;
}

std::optional<Clock::time_point> ParseTimestamp(const std::string& text) {
  absl::Time time;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, text, &time, &error)) return std::nullopt;
  return absl::ToChronoTime(time);
}

Health PodHealth(const Subject& subject) {
  const Json& json = subject.json;
  std::string phase = StringAt(json, {"status", "phase"});
  // A Pod that ran to completion, even unsuccessfully, has done all it will do; a failed Job is
  // what reports the failure.
  if (phase == "Succeeded") return subject.Current("completed successfully");
  if (phase == "Failed") return subject.Current("completed, but not successfully");
  if (phase == "Running") {
    if (const Condition* ready = subject.FindCondition("Ready"); ready && ready->IsTrue()) {
      return subject.Current("ready");
    }
    std::vector<std::string> crash_looping;
    if (const Json* statuses = Find(json, {"status", "containerStatuses"});
        statuses != nullptr && statuses->is_array()) {
      for (const Json& container : *statuses) {
        if (StringAt(container, {"state", "waiting", "reason"}) == "CrashLoopBackOff") {
          crash_looping.push_back(StringAt(container, {"name"}));
        }
      }
    }
    if (!crash_looping.empty()) {
      return subject.Failed(Cat("containers in CrashLoopBackOff: ", Join(crash_looping)));
    }
    return subject.InProgress("running but not ready");
  }
  if (phase == "Pending") {
    if (const Condition* scheduled = subject.FindCondition("PodScheduled");
        scheduled != nullptr && scheduled->IsFalse() && scheduled->reason == "Unschedulable") {
      auto created = ParseTimestamp(StringAt(json, {"metadata", "creationTimestamp"}));
      if (created && subject.now - *created < kPodScheduleGracePeriod) {
        return subject.InProgress("not yet scheduled");
      }
      return subject.Failed(Cat("unschedulable: ", scheduled->message));
    }
    return subject.InProgress("pending");
  }
  // The kubelet has not reported yet.
  if (phase.empty()) return subject.InProgress("phase not yet reported");
  return subject.Make(HealthStatus::kUnknown, Cat("unknown phase ", phase));
}

Health JobHealth(const Subject& subject) {
  const Json& json = subject.json;
  int64_t parallelism = IntAt(json, {"spec", "parallelism"}, 1);
  int64_t completions = IntAt(json, {"spec", "completions"}, parallelism);
  int64_t succeeded = IntAt(json, {"status", "succeeded"}, 0);
  int64_t active = IntAt(json, {"status", "active"}, 0);
  int64_t failed = IntAt(json, {"status", "failed"}, 0);
  for (const Condition& condition : subject.conditions) {
    if (!condition.IsTrue()) continue;
    if (condition.type == "Complete") {
      return subject.Current(
          Cat("complete, ", succeeded, " of ", completions, " completions succeeded"));
    }
    if (condition.type == "Failed") {
      return subject.Failed(Cat("failed (", failed, " failed pods): ", Explain(condition)));
    }
    // A suspended Job does nothing until resumed; waiting for it would never end.
    if (condition.type == "Suspended") return subject.Current("suspended");
  }
  if (StringAt(json, {"status", "startTime"}).empty()) return subject.InProgress("not started");
  // A running Job counts as Current: its outcome may be hours away, and kstatus does not wait.
  return subject.Current(
      Cat("running: ", succeeded, " succeeded, ", active, " active, ", failed, " failed"));
}

Health PersistentVolumeClaimHealth(const Subject& subject) {
  std::string phase = StringAt(subject.json, {"status", "phase"});
  if (phase != "Bound") {
    return subject.InProgress(Cat("not bound (phase ", phase.empty() ? "unknown" : phase, ")"));
  }
  return subject.Current("bound");
}

Health ServiceHealth(const Subject& subject) {
  const Json& json = subject.json;
  if (StringAt(json, {"spec", "type"}) == "LoadBalancer") {
    if (StringAt(json, {"spec", "clusterIP"}).empty()) {
      return subject.InProgress("cluster IP not yet assigned");
    }
    bool has_address = false;
    if (const Json* ingress = Find(json, {"status", "loadBalancer", "ingress"});
        ingress != nullptr && ingress->is_array()) {
      for (const Json& entry : *ingress) {
        if (!StringAt(entry, {"ip"}).empty() || !StringAt(entry, {"hostname"}).empty()) {
          has_address = true;
        }
      }
    }
    if (!has_address) return subject.InProgress("load balancer has no ingress address yet");
  }
  return subject.Current("ready");
}

Health CustomResourceDefinitionHealth(const Subject& subject) {
  // A name conflict keeps the CRD from ever being served.
  if (const Condition* names = subject.FindCondition("NamesAccepted");
      names != nullptr && names->IsFalse()) {
    return subject.Failed(Cat("names not accepted: ", Explain(*names)));
  }
  if (const Condition* established = subject.FindCondition("Established")) {
    if (established->IsTrue()) return subject.Current("established");
    if (established->IsFalse() && established->reason != "Installing") {
      return subject.Failed(Cat("not established: ", Explain(*established)));
    }
  }
  return subject.InProgress("not yet established");
}

Health NamespaceHealth(const Subject& subject) {
  // Normally caught by deletionTimestamp already; the phase says the same thing.
  if (StringAt(subject.json, {"status", "phase"}) == "Terminating") {
    return subject.Make(HealthStatus::kTerminating, "terminating");
  }
  return subject.Current("active");
}

Health PodDisruptionBudgetHealth(const Subject& subject) {
  // The generic check has already made sure the disruption controller saw this generation; it
  // sets no condition that says more.
  return subject.Current("allowed disruptions computed");
}

Health AlwaysCurrent(const Subject& subject) { return subject.Current("exists"); }

using Rule = Health (*)(const Subject&);

// Keyed by "<group>/<kind>", or the kind alone for the core group; versions do not matter.
Rule FindRule(std::string_view group_kind) {
  static constexpr std::pair<std::string_view, Rule> kRules[] = {
      {"apps/Deployment", DeploymentHealth},
      {"extensions/Deployment", DeploymentHealth},
      {"apps/StatefulSet", StatefulSetHealth},
      {"apps/DaemonSet", DaemonSetHealth},
      {"extensions/DaemonSet", DaemonSetHealth},
      {"apps/ReplicaSet", ReplicaSetHealth},
      {"extensions/ReplicaSet", ReplicaSetHealth},
      {"Pod", PodHealth},
      {"batch/Job", JobHealth},
      {"batch/CronJob", AlwaysCurrent},
      {"PersistentVolumeClaim", PersistentVolumeClaimHealth},
      {"Service", ServiceHealth},
      {"ConfigMap", AlwaysCurrent},
      {"Secret", AlwaysCurrent},
      {"Namespace", NamespaceHealth},
      {"policy/PodDisruptionBudget", PodDisruptionBudgetHealth},
      {"apiextensions.k8s.io/CustomResourceDefinition", CustomResourceDefinitionHealth},
  };
  for (const auto& [key, rule] : kRules) {
    if (key == group_kind) return rule;
  }
  return nullptr;
}

// Kinds without rules of their own. Flux's kinds, and most operators', report a Ready condition;
// kinds without one (RBAC, ServiceAccount, ...) have nothing to wait for.
Health ReadyConditionHealth(const Subject& subject) {
  const Condition* ready = subject.FindCondition("Ready");
  if (ready == nullptr) return subject.Current("exists");
  // A Ready condition written for an older generation says nothing about the current spec.
  auto generation = IntAt(subject.json, {"metadata", "generation"});
  if (generation && ready->observed_generation && *ready->observed_generation < *generation) {
    return subject.InProgress(Cat("Ready condition is for generation ", *ready->observed_generation,
                                  ", not ", *generation));
  }
  if (ready->IsTrue()) {
    return subject.Current(ready->message.empty() ? "ready" : ready->message);
  }
  // Not ready but not Stalled (that was Failed above): the controller is still retrying.
  std::string why = Explain(*ready);
  return subject.InProgress(why.empty() ? "not ready" : Cat("not ready: ", why));
}

}  // namespace

std::string_view ToString(HealthStatus status) {
  switch (status) {
    case HealthStatus::kInProgress:
      return "InProgress";
    case HealthStatus::kFailed:
      return "Failed";
    case HealthStatus::kCurrent:
      return "Current";
    case HealthStatus::kTerminating:
      return "Terminating";
    case HealthStatus::kNotFound:
      return "NotFound";
    case HealthStatus::kUnknown:
      return "Unknown";
  }
  return "Unknown";
}

Health ComputeHealth(const manifest::Json& object) { return ComputeHealth(object, Clock::now()); }

Health ComputeHealth(const manifest::Json& object, Clock::time_point now) {
  if (object.is_null()) return Health{.status = HealthStatus::kNotFound, .message = "not found"};
  std::string kind = StringAt(object, {"kind"});
  if (kind.empty()) {
    return Health{.status = HealthStatus::kUnknown, .message = "not a Kubernetes object"};
  }
  // Same spelling as manifest::Object::Describe, without copying the object into one.
  std::string description = kind;
  for (std::string_view field : {"namespace", "name"}) {
    std::string value = StringAt(object, {"metadata", field});
    if (!value.empty()) description += Cat("/", value);
  }
  Subject subject{.json = object,
                  .description = std::move(description),
                  .conditions = ReadConditions(object),
                  .now = now};
  if (auto generic = GenericHealth(subject)) return *std::move(generic);
  auto gvk = manifest::GroupVersionKind::FromApiVersion(StringAt(object, {"apiVersion"}), kind);
  std::string group_kind = gvk.group.empty() ? gvk.kind : Cat(gvk.group, "/", gvk.kind);
  if (Rule rule = FindRule(group_kind)) return rule(subject);
  return ReadyConditionHealth(subject);
}

}  // namespace fluxcpp::kube
