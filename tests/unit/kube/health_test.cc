#include "lib/kube/health.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <string>

#include "lib/manifest/yaml.h"
#include "tests/unit/testdata.h"

namespace fluxcpp::kube {
namespace {

using namespace std::chrono_literals;

// The fixtures were recorded as if read at noon on 2024-05-01; their timestamps are relative to it.
const std::chrono::system_clock::time_point kNow =
    std::chrono::sys_days{std::chrono::year{2024} / 5 / 1} + 12h;

manifest::Json ReadFixture(const std::string& name) {
  std::string path = "health/" + name;
  auto objects = manifest::ReadObjects(testing::ReadTestdata(path), path);
  REQUIRE(objects.ok());
  REQUIRE(objects->size() == 1);
  return objects->front().json();
}

struct Case {
  const char* fixture;
  HealthStatus status;
  const char* message;  // a substring of the message
};

// Each fixture is one object as the API server returned it, status included.
const Case kCases[] = {
    // Deployment
    {"deployment-current.yaml", HealthStatus::kCurrent,
     "Deployment/apps/web: 2 replicas available"},
    {"deployment-rolling-out.yaml", HealthStatus::kInProgress, "1 of 2 replicas updated"},
    {"deployment-updated-not-available.yaml", HealthStatus::kInProgress,
     "Deployment/apps/web: 1 of 2 updated replicas available"},
    {"deployment-progress-deadline-exceeded.yaml", HealthStatus::kFailed,
     "progress deadline exceeded: ReplicaSet \"web-6f4d9b8c7\" has timed out progressing"},
    {"deployment-generation-not-observed.yaml", HealthStatus::kInProgress,
     "generation 5 not yet observed (observed generation 4)"},
    {"deployment-scaling-down.yaml", HealthStatus::kInProgress,
     "1 old replicas pending termination"},
    {"deployment-terminating.yaml", HealthStatus::kTerminating,
     "Deployment/apps/web: scheduled for deletion"},
    // StatefulSet
    {"statefulset-current.yaml", HealthStatus::kCurrent,
     "StatefulSet/data/db: rollout complete, 3 replicas updated"},
    {"statefulset-not-ready.yaml", HealthStatus::kInProgress, "1 of 3 replicas ready"},
    {"statefulset-rolling-out.yaml", HealthStatus::kInProgress, "1 of 3 replicas updated"},
    {"statefulset-partition-complete.yaml", HealthStatus::kCurrent,
     "rollout complete, 1 replicas updated"},
    {"statefulset-partition-rolling.yaml", HealthStatus::kInProgress,
     "1 of 2 replicas at or above the partition updated"},
    {"statefulset-revision-not-current.yaml", HealthStatus::kInProgress,
     "revision db-7d4c9f8b6 not yet current"},
    {"statefulset-on-delete.yaml", HealthStatus::kCurrent, "OnDelete"},
    // DaemonSet
    {"daemonset-current.yaml", HealthStatus::kCurrent,
     "DaemonSet/monitoring/node-exporter: 3 scheduled and ready"},
    {"daemonset-rolling-out.yaml", HealthStatus::kInProgress, "2 of 3 updated"},
    {"daemonset-not-observed.yaml", HealthStatus::kInProgress, "status.observedGeneration not set"},
    // ReplicaSet
    {"replicaset-current.yaml", HealthStatus::kCurrent, "2 replicas available"},
    {"replicaset-replica-failure.yaml", HealthStatus::kInProgress,
     "replica failure: FailedCreate: pods \"worker-6d5f8c7b9-x2kqp\" is forbidden"},
    {"replicaset-scaling-up.yaml", HealthStatus::kInProgress, "2 of 3 replicas available"},
    // Pod
    {"pod-ready.yaml", HealthStatus::kCurrent, "Pod/apps/web-7c9d8f6b5-abcde: ready"},
    {"pod-running-not-ready.yaml", HealthStatus::kInProgress, "running but not ready"},
    {"pod-crash-looping.yaml", HealthStatus::kFailed, "containers in CrashLoopBackOff: api"},
    {"pod-succeeded.yaml", HealthStatus::kCurrent, "completed successfully"},
    {"pod-failed.yaml", HealthStatus::kCurrent, "completed, but not successfully"},
    {"pod-unschedulable.yaml", HealthStatus::kFailed,
     "unschedulable: 0/3 nodes are available: 3 Insufficient cpu"},
    {"pod-unschedulable-just-created.yaml", HealthStatus::kInProgress, "not yet scheduled"},
    {"pod-pending.yaml", HealthStatus::kInProgress, "pending"},
    // Job and CronJob
    {"job-complete.yaml", HealthStatus::kCurrent, "complete, 1 of 1 completions succeeded"},
    {"job-failed.yaml", HealthStatus::kFailed,
     "failed (3 failed pods): BackoffLimitExceeded: Job has reached the specified backoff limit"},
    {"job-running.yaml", HealthStatus::kCurrent, "running: 1 succeeded, 2 active, 0 failed"},
    {"job-not-started.yaml", HealthStatus::kInProgress, "Job/apps/reindex: not started"},
    {"job-suspended.yaml", HealthStatus::kCurrent, "suspended"},
    {"cronjob.yaml", HealthStatus::kCurrent, "exists"},
    // PersistentVolumeClaim
    {"pvc-bound.yaml", HealthStatus::kCurrent, "PersistentVolumeClaim/data/data-db-0: bound"},
    {"pvc-pending.yaml", HealthStatus::kInProgress, "not bound (phase Pending)"},
    // Service
    {"service-cluster-ip.yaml", HealthStatus::kCurrent, "Service/apps/web: ready"},
    {"service-load-balancer-pending.yaml", HealthStatus::kInProgress,
     "load balancer has no ingress address yet"},
    {"service-load-balancer-ready.yaml", HealthStatus::kCurrent, "ready"},
    // CustomResourceDefinition
    {"crd-established.yaml", HealthStatus::kCurrent,
     "CustomResourceDefinition/gitrepositories.source.toolkit.fluxcd.io: established"},
    {"crd-installing.yaml", HealthStatus::kInProgress, "not yet established"},
    {"crd-no-status.yaml", HealthStatus::kInProgress, "not yet established"},
    {"crd-names-not-accepted.yaml", HealthStatus::kFailed,
     "names not accepted: ShortNamesConflict: \"gadget\" is already in use"},
    // Namespace
    {"namespace-active.yaml", HealthStatus::kCurrent, "Namespace/apps: active"},
    {"namespace-terminating.yaml", HealthStatus::kTerminating, "scheduled for deletion"},
    // PodDisruptionBudget
    {"pdb-current.yaml", HealthStatus::kCurrent, "allowed disruptions computed"},
    {"pdb-generation-not-observed.yaml", HealthStatus::kInProgress,
     "generation 2 not yet observed"},
    // Custom resources
    {"kustomization-ready.yaml", HealthStatus::kCurrent,
     "Kustomization/flux-system/apps: Applied revision: main@sha1:5e2c1f0a"},
    {"kustomization-reconciling.yaml", HealthStatus::kInProgress,
     "reconciling: Progressing: Detecting drift"},
    {"kustomization-stalled.yaml", HealthStatus::kFailed, "stalled: BuildFailed: kustomize build"},
    {"gitrepository-fetch-failed.yaml", HealthStatus::kInProgress,
     "not ready: GitOperationFailed: failed to checkout"},
    {"gitrepository-generation-not-observed.yaml", HealthStatus::kInProgress,
     "generation 2 not yet observed"},
    {"certificate-ready.yaml", HealthStatus::kCurrent,
     "Certificate is up to date and has not expired"},
    {"certificate-stale-ready.yaml", HealthStatus::kInProgress,
     "Ready condition is for generation 1, not 2"},
    {"certificate-issuing.yaml", HealthStatus::kInProgress, "not ready: DoesNotExist"},
    {"custom-resource-without-status.yaml", HealthStatus::kCurrent,
     "ServiceMonitor/apps/web: exists"},
    // Kinds without status
    {"configmap.yaml", HealthStatus::kCurrent, "ConfigMap/apps/web-config: exists"},
    {"secret.yaml", HealthStatus::kCurrent, "exists"},
    {"serviceaccount.yaml", HealthStatus::kCurrent, "exists"},
    {"clusterrole.yaml", HealthStatus::kCurrent, "ClusterRole/flux-reader: exists"},
    {"configmap-terminating.yaml", HealthStatus::kTerminating, "scheduled for deletion"},
};

TEST_CASE("recorded objects have the health kstatus gives them") {
  for (const Case& test : kCases) {
    DYNAMIC_SECTION(test.fixture) {
      Health health = ComputeHealth(ReadFixture(test.fixture), kNow);
      INFO(health.message);
      CHECK(ToString(health.status) == ToString(test.status));
      CHECK_THAT(health.message, Catch::Contains(test.message));
    }
  }
}

TEST_CASE("an unschedulable Pod gets a grace period from its creation") {
  manifest::Json pod = ReadFixture("pod-unschedulable-just-created.yaml");
  CHECK(ComputeHealth(pod, kNow).status == HealthStatus::kInProgress);
  CHECK(ComputeHealth(pod, kNow + kPodScheduleGracePeriod).status == HealthStatus::kFailed);
}

TEST_CASE("a null object does not exist") {
  Health health = ComputeHealth(manifest::Json());
  CHECK(health.status == HealthStatus::kNotFound);
  CHECK(health.message == "not found");
}

TEST_CASE("values that are not Kubernetes objects are Unknown") {
  CHECK(ComputeHealth(manifest::Json::array()).status == HealthStatus::kUnknown);
  CHECK(ComputeHealth(manifest::Json::object()).status == HealthStatus::kUnknown);
  CHECK(ComputeHealth(manifest::Json::parse(R"({"apiVersion": "v1", "kind": 3})")).status ==
        HealthStatus::kUnknown);
}

TEST_CASE("a Pod in a phase no rule knows is Unknown") {
  auto pod = manifest::Json::parse(R"({"apiVersion": "v1", "kind": "Pod",
      "metadata": {"name": "odd", "namespace": "apps"}, "status": {"phase": "Unknown"}})");
  Health health = ComputeHealth(pod, kNow);
  CHECK(health.status == HealthStatus::kUnknown);
  CHECK(health.message == "Pod/apps/odd: unknown phase Unknown");
}

TEST_CASE("statuses print as kstatus spells them") {
  CHECK(ToString(HealthStatus::kInProgress) == "InProgress");
  CHECK(ToString(HealthStatus::kFailed) == "Failed");
  CHECK(ToString(HealthStatus::kCurrent) == "Current");
  CHECK(ToString(HealthStatus::kTerminating) == "Terminating");
  CHECK(ToString(HealthStatus::kNotFound) == "NotFound");
  CHECK(ToString(HealthStatus::kUnknown) == "Unknown");
}

TEST_CASE("every fixture is covered by the table") {
  // A fixture added without a row would silently test nothing.
  std::size_t fixtures = 0;
  for ([[maybe_unused]] const auto& entry :
       std::filesystem::directory_iterator(testing::TestdataPath("health"))) {
    ++fixtures;
  }
  CHECK(fixtures == std::size(kCases));
}

}  // namespace
}  // namespace fluxcpp::kube
