// How one container of a Pod becomes a local process on the test ground, as a kubelet would run it
// but on the host: the image's repository name picks a local binary, the container's environment is
// resolved (values, $(VAR) references, the downward API fields a fieldRef names), emptyDir mounts
// become per-pod folders and every argument or environment value that points into a mount path is
// rewritten onto its folder, and default flags (free 127.0.0.1 ports, since processes share the
// host network unlike pods) are appended when the arguments do not set them. The projected
// ServiceAccount volume maps onto the pod's serviceaccount folder (token, ca.crt, namespace).
//
// Pure functions of their inputs (the free-port source is injected): thread-safe.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/manifest/object.h"

namespace fluxcpp::pod_runner {

using manifest::Json;

// The repository's last path segment, without registry, tag or digest:
// "ghcr.io/org/flux-reconciler:v1.2@sha256:ab" → "flux-reconciler".
std::string ImageBasename(const std::string& image);

// A flag appended when the container's arguments do not set it. `value` may point into a mount path
// (rewritten like the arguments) and may hold "{port:NAME}", replaced by a free port on 127.0.0.1;
// the same NAME gives the same port within one process (an address and its advertised twin).
struct DefaultArg {
  std::string flag;  // without dashes: "health-addr"
  std::string value;
};

// The flags flux-reconciler (and the Flux controllers) listen and store with; a Deployment's pods
// would clash on a shared host network, and /data outside a mount would be the host's /data.
std::vector<DefaultArg> ReconcilerDefaultArgs();

// Parses "FLAG=VALUE" (leading dashes allowed) for --default-arg.
absl::StatusOr<DefaultArg> ParseDefaultArg(const std::string& text);

struct LaunchPlanOptions {
  std::string binary;           // absolute path of the local binary for the image
  std::string pod_directory;    // the pod's own folder; emptyDir volumes live in volumes/<name>
  std::string kubeconfig_path;  // the pod's ServiceAccount as a kubeconfig, passed as KUBECONFIG
  std::string path_env;         // PATH for the process
  std::vector<DefaultArg> default_args;
  std::function<absl::StatusOr<int>()> free_port;  // a free TCP port on 127.0.0.1
};

struct LaunchPlan {
  std::string binary;
  std::vector<std::string> args;                            // without argv[0]
  std::vector<std::pair<std::string, std::string>> env;     // in order, names unique
  std::vector<std::string> directories;                     // folders to create before the start
  std::vector<std::pair<std::string, std::string>> mounts;  // mount path → host folder
  std::string working_directory;
  std::vector<std::string>
      warnings;  // what the emulation leaves out (non-emptyDir volumes, command)
};

// The process for `container` (an element of pod.spec.containers). Errors name the pod, the
// container and the field that cannot be emulated (secretKeyRef, envFrom, an unknown fieldPath).
absl::StatusOr<LaunchPlan> PlanContainer(const Json& pod, const Json& container,
                                         const LaunchPlanOptions& options);

// Kubernetes' $(NAME) expansion: defined names are replaced, "$$" escapes a "$", undefined
// references stay as written.
std::string ExpandReferences(const std::string& text,
                             const std::vector<std::pair<std::string, std::string>>& env);

// Whether `args` sets `flag` ("--flag", "--flag=v", "-flag", "-flag=v").
bool ArgsSetFlag(const std::vector<std::string>& args, const std::string& flag);

// Rewrites a path (or the value of "-flag=path") that lies in one of `mounts` (mount path → host
// folder; the longest mount path wins) onto the host folder; other text is returned as is.
std::string RewriteIntoMounts(const std::string& text,
                              const std::vector<std::pair<std::string, std::string>>& mounts);

}  // namespace fluxcpp::pod_runner
