// The reconciler's part in the bootstrap workflow's own tests, which check the toolkit's steps and
// waits in isolation (the takeover tests, tests/e2e/reconciler_takeover, run the real
// flux-reconciler): for the Kustomization <ns>/<ns>, report the head of its GitRepository's branch
// as applied (Ready=True, lastAppliedRevision "<branch>@sha1:<sha>", observedGeneration).
//
// Thread-safe when each caller uses its own arguments; the Client is thread-safe.
#pragma once

#include <string>

#include "lib/git/auth.h"
#include "lib/kube/client.h"

namespace fluxcpp::testing {

// One pass: reads the GitRepository and Kustomization <namespace_name>/<namespace_name> and the
// branch head at `url` (with `auth`), and writes the Kustomization's status when it does not report
// that head yet. Returns whether it wrote; objects or heads that are missing are not errors.
bool ReportAppliedRevision(kube::Client& client, const std::string& namespace_name,
                           const std::string& url, const git::AuthOptions& auth);

}  // namespace fluxcpp::testing
