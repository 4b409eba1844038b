// The fluxcpp command line: help and usage errors with their exit codes, install --export on
// stdout, and bootstrap git / check / uninstall against the ground.
#include <sys/wait.h>

#include <array>
#include <catch2/catch.hpp>
#include <cstdio>
#include <string>

#include "absl/strings/match.h"
#include "lib/manifest/yaml.h"
#include "tests/e2e/bootstrap_workflow/workflow_ground.h"
#include "tests/e2e/support/ground.h"

namespace fluxcpp::bootstrap {
namespace {

struct Outcome {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs fluxcpp with `arguments` (shell syntax) and collects stdout and stderr apart.
Outcome RunFluxcpp(const std::string& arguments, const std::string& environment = "") {
  testing::ScratchDirectory scratch;
  std::string command =
      environment + " " + FLUXCPP_BIN + " " + arguments + " 2>" + scratch.path() + "/stderr";
  testing::CommandRun run = testing::RunCommand(command);
  Outcome outcome;
  outcome.exit_code = run.exit_code;
  outcome.out = std::move(run.output);
  outcome.err = testing::ReadTextFile(scratch.path() + "/stderr");
  return outcome;
}

TEST_CASE("fluxcpp --help explains the commands and flags; usage errors exit with 2") {
  Outcome help = RunFluxcpp("--help");
  CHECK(help.exit_code == 0);
  for (const char* command : {"bootstrap", "install", "uninstall", "check"}) {
    CHECK(absl::StrContains(help.out, command));
  }
  Outcome git_help = RunFluxcpp("bootstrap git --help");
  CHECK(git_help.exit_code == 0);
  for (const char* flag : {"--url",
                           "--branch",
                           "--path",
                           "--namespace",
                           "--private-key-file",
                           "--known-hosts-file",
                           "--password",
                           "--username",
                           "--ca-file",
                           "--allow-insecure-http",
                           "--author-name",
                           "--author-email",
                           "--interval",
                           "--components",
                           "--registry",
                           "--version",
                           "--registry-creds",
                           "--timeout",
                           "--kubeconfig",
                           "--context",
                           "never scanned"}) {
    INFO(flag);
    CHECK(absl::StrContains(git_help.out, flag));
  }
  Outcome uninstall_help = RunFluxcpp("uninstall --help");
  CHECK(absl::StrContains(uninstall_help.out, "--keep-namespace"));
  CHECK(absl::StrContains(uninstall_help.out, "--delete-git-manifests"));

  CHECK(RunFluxcpp("").exit_code == 2);
  CHECK(RunFluxcpp("frobnicate").exit_code == 2);
  Outcome no_url = RunFluxcpp("bootstrap git");
  CHECK(no_url.exit_code == 2);
  CHECK(absl::StrContains(no_url.err, "--url"));
  Outcome ssh_without_key = RunFluxcpp("bootstrap git --url ssh://git@127.0.0.1:1/x.git");
  CHECK(ssh_without_key.exit_code == 2);
  CHECK(absl::StrContains(ssh_without_key.err, "--known-hosts-file"));
  Outcome bad_timeout = RunFluxcpp("install --timeout soon");
  CHECK(bad_timeout.exit_code == 2);
  CHECK(absl::StrContains(bad_timeout.err, "--timeout"));
  Outcome unserved = RunFluxcpp(
      "install --export --components source-controller,kustomize-controller,helm-controller");
  CHECK(unserved.exit_code == 2);
  CHECK(absl::StrContains(unserved.err, "helm-controller"));
}

TEST_CASE("fluxcpp install --export prints the install set on stdout and nothing else") {
  Outcome exported = RunFluxcpp("install --export --namespace gitops");
  INFO(exported.err);
  REQUIRE(exported.exit_code == 0);
  CHECK(exported.err.empty());
  auto objects = manifest::ReadObjects(exported.out, "stdout");
  INFO(objects.status().ToString());
  REQUIRE(objects.ok());
  int crds = 0;
  bool deployment = false;
  for (const auto& object : *objects) {
    if (object.Kind() == "CustomResourceDefinition") ++crds;
    if (object.Kind() == "Deployment" && object.Namespace() == "gitops") deployment = true;
  }
  CHECK(crds == 2);
  CHECK(deployment);
}

TEST_CASE("fluxcpp bootstrap git, check and uninstall against the ground") {
  auto client = testing::AdminClient();
  auto repository = testing::NewGroundRepository("cli");
  std::string ns = testing::UniqueName("bw-cli");
  testing::InstallCleanup cleanup(*client, ns);
  std::string key = testing::GroundEnv("GIT_SSH_KEY");
  std::string known_hosts = testing::GroundEnv("GIT_KNOWN_HOSTS");
  std::string bootstrap = "bootstrap git --url " + repository.ssh_url + " --namespace " + ns +
                          " --path clusters/cli --private-key-file " + key +
                          " --known-hosts-file " + known_hosts + " --timeout 2m";
  {
    testing::FakeReconciler reconciler(ns, repository.ssh_url, testing::GroundSshAuth());
    Outcome first = RunFluxcpp(bootstrap);
    INFO(first.err);
    REQUIRE(first.exit_code == 0);
    CHECK(first.out.empty());
    CHECK(absl::StrContains(first.err, "pushed main@sha1:"));
    CHECK(absl::StrContains(first.err, "✔ bootstrapped " + ns));

    Outcome second = RunFluxcpp(bootstrap);
    INFO(second.err);
    REQUIRE(second.exit_code == 0);
    // No commit; "nothing changed" at the end unless a concurrent test relabelled the shared CRDs.
    CHECK(absl::StrContains(second.err, "are up to date at"));
    CHECK_FALSE(absl::StrContains(second.err, "pushed"));
    CHECK(absl::StrContains(second.err, "the sync set: 2 unchanged"));

    // --registry-creds (flux bootstrap's flag): the pull Secret in the cluster, never echoed.
    Outcome without_secret = RunFluxcpp(bootstrap + " --registry-creds robot:cli-s3cret");
    CHECK(without_secret.exit_code == 2);
    CHECK(absl::StrContains(without_secret.err, "image_pull_secret"));
    CHECK_FALSE(absl::StrContains(without_secret.err, "cli-s3cret"));
    Outcome with_credentials = RunFluxcpp(
        bootstrap + " --image-pull-secret registry-pull --registry-creds robot:cli-s3cret");
    INFO(with_credentials.err);
    REQUIRE(with_credentials.exit_code == 0);
    CHECK_FALSE(absl::StrContains(with_credentials.err, "cli-s3cret"));
    auto pull_secret = client->Get({"", "v1", "Secret"}, ns, "registry-pull");
    REQUIRE(pull_secret.ok());
    CHECK(pull_secret->json()["type"] == "kubernetes.io/dockerconfigjson");
    auto deployment = client->Get({"apps", "v1", "Deployment"}, ns, "flux-reconciler");
    REQUIRE(deployment.ok());
    CHECK(deployment->json()["spec"]["template"]["spec"]["imagePullSecrets"][0]["name"] ==
          "registry-pull");
  }
  CHECK(!testing::RunGround(
             {"read", repository.name, "main", "clusters/cli/" + ns + "/gotk-sync.yaml"})
             .empty());

  Outcome check = RunFluxcpp("check --namespace " + ns);
  INFO(check.err);
  CHECK(check.exit_code == 0);
  CHECK(absl::StrContains(check.err, "is Available"));

  Outcome wrong_password =
      RunFluxcpp("bootstrap git --url " + repository.https_url + " --namespace " + ns +
                     " --ca-file " + testing::GroundEnv("GIT_CA_FILE"),
                 "GIT_USERNAME=fluxcpp GIT_PASSWORD=wrong-password");
  INFO(wrong_password.err);
  CHECK(wrong_password.exit_code == 1);
  CHECK(absl::StrContains(wrong_password.err, "127.0.0.1"));
  CHECK_FALSE(absl::StrContains(wrong_password.err, "wrong-password"));

  Outcome uninstall = RunFluxcpp("uninstall --keep-crds --namespace " + ns);
  INFO(uninstall.err);
  CHECK(uninstall.exit_code == 0);
  Outcome check_after = RunFluxcpp("check --namespace " + ns);
  CHECK(check_after.exit_code == 1);
  CHECK(absl::StrContains(check_after.err, "not installed"));
}

}  // namespace
}  // namespace fluxcpp::bootstrap
