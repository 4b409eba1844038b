#include "tests/env/pod_runner/launch_plan.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "lib/manifest/yaml.h"

namespace fluxcpp::pod_runner {
namespace {

Json ReconcilerPod() {
  std::ifstream stream(std::string(TESTDATA_DIR) + "/reconciler-pod.yaml");
  REQUIRE(stream.good());
  std::ostringstream text;
  text << stream.rdbuf();
  auto documents = manifest::ParseYamlDocuments(text.str(), "reconciler-pod.yaml");
  REQUIRE(documents.ok());
  return (*documents)[0].json;
}

LaunchPlanOptions Options() {
  LaunchPlanOptions options;
  options.binary = "/build/bin/flux-reconciler";
  options.pod_directory = "/state/pods/flux-system_rec-1_u1";
  options.kubeconfig_path = "/state/pods/flux-system_rec-1_u1/kubeconfig";
  options.path_env = "/usr/bin:/bin";
  options.default_args = ReconcilerDefaultArgs();
  int next_port = 40000;
  options.free_port = [next_port]() mutable -> absl::StatusOr<int> { return next_port++; };
  return options;
}

std::string EnvValue(const LaunchPlan& plan, const std::string& name) {
  for (const auto& [defined, value] : plan.env) {
    if (defined == name) return value;
  }
  return "<unset>";
}

TEST_CASE("ImageBasename drops registry, path, tag and digest") {
  CHECK(ImageBasename("ghcr.io/fluxcpp/flux-reconciler:v0.1.0") == "flux-reconciler");
  CHECK(ImageBasename("flux-reconciler") == "flux-reconciler");
  CHECK(ImageBasename("localhost:5000/flux-reconciler@sha256:abc") == "flux-reconciler");
  CHECK(ImageBasename("localhost:5000/a/b/stand-in:latest@sha256:abc") == "stand-in");
}

TEST_CASE("ExpandReferences follows Kubernetes' $(VAR) rules") {
  const std::vector<std::pair<std::string, std::string>> env = {{"NS", "flux-system"},
                                                                {"EMPTY", ""}};
  CHECK(ExpandReferences("$(NS).svc", env) == "flux-system.svc");
  CHECK(ExpandReferences("a$(EMPTY)b", env) == "ab");
  CHECK(ExpandReferences("$(MISSING)/x", env) == "$(MISSING)/x");
  CHECK(ExpandReferences("$$(NS)", env) == "$(NS)");
  CHECK(ExpandReferences("cost: 5$", env) == "cost: 5$");
  CHECK(ExpandReferences("$(NS", env) == "$(NS");
}

TEST_CASE("RewriteIntoMounts maps paths and flag values into the longest mount") {
  const std::vector<std::pair<std::string, std::string>> mounts = {{"/data", "/host/data"},
                                                                   {"/data/cache", "/host/cache"}};
  CHECK(RewriteIntoMounts("/data", mounts) == "/host/data");
  CHECK(RewriteIntoMounts("/data/x/y", mounts) == "/host/data/x/y");
  CHECK(RewriteIntoMounts("/data/cache/z", mounts) == "/host/cache/z");
  CHECK(RewriteIntoMounts("--storage-path=/data/store", mounts) ==
        "--storage-path=/host/data/store");
  CHECK(RewriteIntoMounts("/database", mounts) == "/database");
  CHECK(RewriteIntoMounts("--path=relative/data", mounts) == "--path=relative/data");
  CHECK(RewriteIntoMounts("key=/data", mounts) == "key=/data");  // not a flag: a value as is
}

TEST_CASE("ArgsSetFlag sees both spellings with and without a value") {
  const std::vector<std::string> args = {"--health-addr=:9440", "-metrics-addr", ":8080",
                                         "--storage-addresses=x"};
  CHECK(ArgsSetFlag(args, "health-addr"));
  CHECK(ArgsSetFlag(args, "metrics-addr"));
  CHECK_FALSE(ArgsSetFlag(args, "storage-addr"));
}

TEST_CASE("PlanContainer runs the reconciler's pod as the kubelet would, on the host") {
  const Json pod = ReconcilerPod();
  auto plan = PlanContainer(pod, pod["spec"]["containers"][0], Options());
  INFO(plan.status().ToString());
  REQUIRE(plan.ok());
  CHECK(plan->binary == "/build/bin/flux-reconciler");
  CHECK(plan->working_directory == "/state/pods/flux-system_rec-1_u1");
  const std::string volumes = "/state/pods/flux-system_rec-1_u1/volumes";
  CHECK(plan->args == std::vector<std::string>{
                          "--log-level=info",
                          "--watch-all-namespaces=true",
                          "--artifact-url=http://flux-reconciler.flux-system.svc/",
                          "--cache-dir=" + volumes + "/tmp/cache",
                          "--metrics-addr=:8080",  // given: kept, and no default for it
                          "--health-addr=127.0.0.1:40000",
                          "--storage-addr=127.0.0.1:40001",
                          "--storage-adv-addr=127.0.0.1:40001",
                          "--storage-path=" + volumes + "/data",
                      });
  CHECK(EnvValue(*plan, "RUNTIME_NAMESPACE") == "flux-system");
  CHECK(EnvValue(*plan, "POD_NAME") == "rec-1");
  CHECK(EnvValue(*plan, "SA") == "flux-reconciler");
  CHECK(EnvValue(*plan, "POD_IP") == "10.0.0.7");
  CHECK(EnvValue(*plan, "APP") == "flux-reconciler");
  CHECK(EnvValue(*plan, "CACHE") == volumes + "/tmp/cache");
  CHECK(EnvValue(*plan, "TMPDIR") == volumes + "/tmp");
  CHECK(EnvValue(*plan, "KUBECONFIG") == "/state/pods/flux-system_rec-1_u1/kubeconfig");
  CHECK(EnvValue(*plan, "HOSTNAME") == "rec-1");
  CHECK(EnvValue(*plan, "PATH") == "/usr/bin:/bin");
  CHECK(plan->mounts == std::vector<std::pair<std::string, std::string>>{
                            {"/data", volumes + "/data"},
                            {"/tmp", volumes + "/tmp"},
                            {"/var/run/secrets/kubernetes.io/serviceaccount",
                             "/state/pods/flux-system_rec-1_u1/serviceaccount"}});
  CHECK(plan->warnings == std::vector<std::string>{
                              "volume certs at /etc/certs is not an emptyDir; it is not emulated"});
}

TEST_CASE("PlanContainer names what it cannot emulate") {
  Json pod = ReconcilerPod();
  Json container = pod["spec"]["containers"][0];
  container["env"].push_back(
      {{"name", "TOKEN"}, {"valueFrom", {{"secretKeyRef", {{"name", "s"}, {"key", "k"}}}}}});
  auto plan = PlanContainer(pod, container, Options());
  REQUIRE_FALSE(plan.ok());
  CHECK(std::string(plan.status().message()) ==
        "Pod/flux-system/rec-1 container manager: env TOKEN: only valueFrom.fieldRef is "
        "supported");

  container = pod["spec"]["containers"][0];
  container["env"].push_back(
      {{"name", "LIMIT"}, {"valueFrom", {{"fieldRef", {{"fieldPath", "spec.hostname"}}}}}});
  plan = PlanContainer(pod, container, Options());
  REQUIRE_FALSE(plan.ok());
  CHECK(std::string(plan.status().message()).find("fieldPath spec.hostname is not supported") !=
        std::string::npos);
}

TEST_CASE("ParseDefaultArg accepts FLAG=VALUE with or without dashes") {
  auto parsed = ParseDefaultArg("--storage-path=/data");
  REQUIRE(parsed.ok());
  CHECK(parsed->flag == "storage-path");
  CHECK(parsed->value == "/data");
  CHECK_FALSE(ParseDefaultArg("storage-path").ok());
  CHECK_FALSE(ParseDefaultArg("=x").ok());
}

}  // namespace
}  // namespace fluxcpp::pod_runner
