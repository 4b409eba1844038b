// Check: is an install there and healthy?
#include "absl/strings/str_cat.h"
#include "bootstrap/bootstrap.h"
#include "bootstrap/workflow.h"
#include "lib/kube/errors.h"
#include "lib/kube/health.h"

namespace fluxcpp::bootstrap {
namespace {

void Add(CheckResult& result, bool ok, absl::string_view line) {
  result.lines.push_back(absl::StrCat(ok ? "✔ " : "✗ ", line));
  if (!ok) result.ok = false;
}

}  // namespace

absl::StatusOr<CheckResult> Check(const CheckOptions& options, kube::Client& client) {
  CheckResult result;
  absl::StatusOr<kube::Json> version = client.Call("GET", "/version");
  if (!version.ok()) {
    return absl::Status(version.status().code(),
                        absl::StrCat("cluster: the API server does not answer (check the "
                                     "kubeconfig and its context): ",
                                     version.status().message()));
  }
  Add(result, true,
      absl::StrCat("cluster reachable: Kubernetes ", version->value("gitVersion", "?")));

  for (const char* name : kCrdNames) {
    absl::StatusOr<kube::Object> crd = client.Get(kCrdKind, "", name);
    if (!crd.ok()) {
      Add(result, false,
          kube::IsNotFoundError(crd.status())
              ? absl::StrCat("CustomResourceDefinition/", name, " is not installed")
              : std::string(crd.status().message()));
      continue;
    }
    kube::Health health = kube::ComputeHealth(crd->json());
    Add(result, health.status == kube::HealthStatus::kCurrent,
        health.status == kube::HealthStatus::kCurrent
            ? absl::StrCat("CustomResourceDefinition/", name, " is Established")
            : health.message);
  }

  std::string deployment_name =
      kube::DescribeObject(kDeploymentKind, options.namespace_name, kReconcilerDeployment);
  absl::StatusOr<kube::Object> deployment =
      client.Get(kDeploymentKind, options.namespace_name, kReconcilerDeployment);
  if (!deployment.ok()) {
    Add(result, false,
        kube::IsNotFoundError(deployment.status())
            ? absl::StrCat(deployment_name, " is not installed")
            : std::string(deployment.status().message()));
    return result;
  }
  kube::Health health = kube::ComputeHealth(deployment->json());
  Add(result, health.status == kube::HealthStatus::kCurrent,
      health.status == kube::HealthStatus::kCurrent
          ? absl::StrCat(deployment_name, " is Available")
          : absl::StrCat(health.message, " (", std::string(kube::ToString(health.status)), ")"));
  return result;
}

}  // namespace fluxcpp::bootstrap
