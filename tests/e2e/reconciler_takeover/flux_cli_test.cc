// Flux's own CLI (the ground's `flux` peer, $FLUX) against flux-reconciler after a takeover: it
// lists our sources and Kustomizations as Ready at our revision, and `flux reconcile` finishes on
// the reconciler's answer.
#include "tests/e2e/support/flux_cli.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "tests/e2e/reconciler_takeover/takeover_ground.h"

namespace fluxcpp::testing {
namespace {

// `flux get`'s table by NAME.
std::map<std::string, std::map<std::string, std::string>> RowsByName(const std::string& output) {
  std::map<std::string, std::map<std::string, std::string>> rows;
  for (auto& row : ParseFluxTable(output)) rows[row["NAME"]] = row;
  return rows;
}

// "main@sha1:<hex>" as flux prints it: the hex cut to 8 characters.
std::string Short(const std::string& revision) {
  const size_t at = revision.find("sha1:");
  return revision.substr(0, at + 5 + 8);
}

TEST_CASE("the flux CLI reads our status and reconciles through flux-reconciler",
          "[takeover][flux_cli]") {
  TakeoverGround ground("takeover-flux");
  const std::string& ns = ground.namespace_name();
  // A long source interval: only `--with-source` fetches the pushes below in time.
  ground.Bootstrap("10m");
  WriteApps(ground, {"deployment.yaml", "configmap.yaml"}, "one", "10m");
  const std::string first = ground.Push("Add the web app");
  CommandRun reconcile =
      RunFlux("reconcile kustomization " + ns + " --with-source --timeout=60s -n " + ns);
  INFO(reconcile.output);
  REQUIRE(reconcile.exit_code == 0);
  CHECK(reconcile.output.find("applied revision " + first) != std::string::npos);
  ground.WaitUntil("apps is Ready at " + first,
                   [&] { return ground.KustomizationReadyAt("apps", first); });

  CommandRun sources = RunFlux("get sources git -n " + ns);
  INFO(sources.output);
  REQUIRE(sources.exit_code == 0);
  auto rows = RowsByName(sources.output);
  REQUIRE(rows.count(ns) == 1);
  CHECK(rows[ns]["READY"] == "True");
  CHECK(rows[ns]["REVISION"] == Short(first));
  CHECK(rows[ns]["SUSPENDED"] == "False");
  CHECK(rows[ns]["MESSAGE"] == "stored artifact for revision '" + Short(first) + "'");

  CommandRun kustomizations = RunFlux("get kustomizations -n " + ns);
  INFO(kustomizations.output);
  REQUIRE(kustomizations.exit_code == 0);
  rows = RowsByName(kustomizations.output);
  REQUIRE(rows.size() == 2);
  for (const std::string& name : {ns, std::string("apps")}) {
    CHECK(rows[name]["READY"] == "True");
    CHECK(rows[name]["REVISION"] == Short(first));
    CHECK(rows[name]["MESSAGE"] == "Applied revision: " + Short(first));
  }

  // A push, then `flux reconcile kustomization apps --with-source`: the source fetches it and the
  // Kustomization applies it before the command returns.
  WriteApps(ground, {"deployment.yaml", "configmap.yaml"}, "two", "10m");
  const std::string second = ground.Push("Change the greeting");
  reconcile = RunFlux("reconcile kustomization apps --with-source --timeout=60s -n " + ns);
  INFO(reconcile.output);
  REQUIRE(reconcile.exit_code == 0);
  CHECK(reconcile.output.find("fetched revision " + second) != std::string::npos);
  CHECK(reconcile.output.find("applied revision " + second) != std::string::npos);
  auto config = ground.Get(kConfigMapKind, "web-config");
  REQUIRE(config);
  CHECK((*config)["data"]["greeting"] == "two");

  CommandRun source = RunFlux("reconcile source git " + ns + " --timeout=60s -n " + ns);
  INFO(source.output);
  CHECK(source.exit_code == 0);
  CHECK(source.output.find("fetched revision " + second) != std::string::npos);

  // `flux check` finds the install: the reconciler Deployment ready, our CRDs, bootstrapped.
  CommandRun check = RunFlux("check -n " + ns);
  INFO(check.output);
  CHECK(check.exit_code == 0);
  CHECK(check.output.find("flux-reconciler: deployment ready") != std::string::npos);
  CHECK(check.output.find("bootstrapped: true") != std::string::npos);
  CHECK(check.output.find("all checks passed") != std::string::npos);
}

}  // namespace
}  // namespace fluxcpp::testing
