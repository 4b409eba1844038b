// Flux's own CLI (the ground's `flux` peer, $FLUX) for tests that check what it reads from the
// objects our reconciler writes.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "tests/e2e/support/ground.h"

namespace fluxcpp::testing {

// Runs `$FLUX ARGS` (shell syntax) with standard error merged into the output; fails the test
// when no ground's FLUX is set.
CommandRun RunFlux(const std::string& args);

// The tab-separated table `flux get` prints: one map of column name → cell per row, in order.
// Lines of a single cell (warnings, "no objects found") are not rows.
std::vector<std::map<std::string, std::string>> ParseFluxTable(const std::string& output);

}  // namespace fluxcpp::testing
