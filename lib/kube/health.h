// Health of a Kubernetes object as read back from the API server, computed the way kstatus
// (sigs.k8s.io/cli-utils/pkg/kstatus/status, the library Flux's health checks use) computes it, so
// that a Kustomization waits for, and fails on, the same objects as it does under Flux.
//
// The rules, in order:
//   1. a null object does not exist: NotFound;
//   2. metadata.deletionTimestamp set: Terminating;
//   3. status.observedGeneration differs from metadata.generation: InProgress (the controller has
//      not acted on the latest spec, so nothing else in status can be trusted);
//   4. the standard conditions: Reconciling=True is InProgress, Stalled=True is Failed;
//   5. the rules of the built-in kind (Deployment, StatefulSet, DaemonSet, ReplicaSet, Pod, Job,
//      PersistentVolumeClaim, Service, CustomResourceDefinition, Namespace, PodDisruptionBudget);
//   6. any other kind with a `Ready` condition follows it (Flux's own kinds and most operators);
//   7. everything else is Current once it exists (ConfigMap, Secret, RBAC, ...).
//
// All functions are pure and thread-safe.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "lib/manifest/object.h"

namespace fluxcpp::kube {

enum class HealthStatus { kInProgress, kFailed, kCurrent, kTerminating, kNotFound, kUnknown };

// kstatus's spelling: "InProgress", "Failed", "Current", "Terminating", "NotFound", "Unknown".
std::string_view ToString(HealthStatus status);

struct Health {
  HealthStatus status = HealthStatus::kUnknown;
  // Names the object and says why it has this status, e.g.
  // "Deployment/apps/web: 1 of 2 replicas ready".
  std::string message;
};

// Health of `object` as read from the API server: the full object, metadata and status included.
// A null JSON value means the object does not exist and is NotFound; a value that is not an object
// with a kind, or a state no rule knows (an unknown Pod phase), is Unknown.
Health ComputeHealth(const manifest::Json& object);

// As above, at the time `now`. Time matters in one place: a Pod that cannot be scheduled is given
// a grace period after its creation before it counts as Failed, because the scheduler often reports
// Unschedulable for a moment while nodes or volumes come up.
Health ComputeHealth(const manifest::Json& object, std::chrono::system_clock::time_point now);

// How long a Pod may be Unschedulable after its creation before it is Failed (kstatus's value).
inline constexpr std::chrono::seconds kPodScheduleGracePeriod{15};

}  // namespace fluxcpp::kube
