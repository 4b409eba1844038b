// Manifest generation for a Flux-compatible bootstrap: the install set (Namespace, the
// GitRepository and Kustomization CRDs, RBAC, the `flux-reconciler` Deployment and its Service,
// network policies, a quota for its priority class), the sync set (the GitRepository and
// Kustomization that point the cluster at its own repository), the Secret with the Git credentials,
// and the files that go into the repository under `<path>/<namespace>/`.
//
// Everything here is pure and deterministic: the same options give byte-identical output. All
// functions are thread-safe; the option structs are plain values.
#pragma once

#include <map>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "lib/manifest/object.h"

namespace fluxcpp::bootstrap {

// The release of fluxcpp these manifests belong to; the default image tag.
inline constexpr char kReleaseVersion[] = "v0.1.0";

// What to install, with the defaults of the Go provider's flux_bootstrap_git where fluxcpp has the
// same setting.
struct InstallOptions {
  // RFC 1123 label, at most 63 characters. Also the `app.kubernetes.io/instance` label and the
  // suffix of the cluster-scoped object names, so two installs in one cluster do not collide.
  std::string namespace_name = "flux-system";
  std::string cluster_domain = "cluster.local";
  // Flux's controller names. One `flux-reconciler` serves source-controller and
  // kustomize-controller, and both must be listed; helm-controller and notification-controller are
  // known to Flux but not served by fluxcpp yet, so asking for them fails rather than installing
  // something that would leave their objects unreconciled.
  std::set<std::string> components = {"source-controller", "kustomize-controller"};
  // At most 3 of image-reflector-controller, image-automation-controller, source-watcher (none of
  // which fluxcpp serves yet).
  std::set<std::string> components_extra;
  // Image registry (and optional path) the reconciler image is pulled from, without a trailing /.
  std::string registry = "ghcr.io/fluxcpp";
  // "latest" (the release these manifests belong to) or a tag starting with "v".
  std::string version = kReleaseVersion;
  // Name of a Secret in the namespace for pulling the image; empty for none. RFC 1123 subdomain.
  std::string image_pull_secret;
  // "user:password" for the registry of `registry`; requires image_pull_secret. The bootstrap then
  // creates that Secret (kubernetes.io/dockerconfigjson) in the cluster before the reconciler
  // starts; it is never written to Git. Sensitive: never part of a message.
  std::string registry_credentials;
  std::string log_level = "info";  // info, debug or error
  bool network_policy = true;
  bool watch_all_namespaces = true;
  // Taint keys the reconciler tolerates (operator Exists, any effect).
  std::set<std::string> toleration_keys;

  // OK, or InvalidArgument naming the first field at fault ("log_level: must be one of info,
  // debug, error; got \"trace\""); Unimplemented for Flux components fluxcpp does not serve.
  [[nodiscard]] absl::Status Validate() const;
  // The version written into image tags and labels: `version`, with "latest" resolved.
  std::string ResolvedVersion() const;
};

// Where the cluster syncs from. The defaults are those of `flux bootstrap`.
struct SyncOptions {
  // ssh://, https:// or http://. scp-like `git@host:org/repo` is not accepted by Flux.
  std::string url;
  // The reference to follow. Branch is used unless a tag or semver range is given; a commit may be
  // combined with the branch. Tag and semver exclude each other.
  std::string branch = "main";
  std::string tag;
  std::string semver;
  std::string commit;  // full hexadecimal SHA-1 or SHA-256
  // Names of the GitRepository and Kustomization, and their namespace.
  std::string name = "flux-system";
  std::string namespace_name = "flux-system";
  // The Secret with the Git credentials; empty for a public repository (no secretRef).
  std::string secret_name = "flux-system";
  // GitRepository and Kustomization intervals (Go durations, e.g. "1m0s").
  std::string interval = "1m0s";
  std::string kustomization_interval = "10m0s";
  // Folder of the repository for this cluster, relative to its root ("clusters/dev"); empty for
  // the root. The Kustomization builds "./<path>"; the bootstrap files go to
  // "<path>/<namespace>/".
  std::string path;
  bool recurse_submodules = false;
  // Replaces the generated `<path>/<namespace>/kustomization.yaml` verbatim (the Go provider's
  // kustomization_override): a kustomization whose resources list gotk-components.yaml and
  // gotk-sync.yaml, typically with patches for them. Empty for the generated file.
  std::string kustomization_override;

  // OK, or InvalidArgument naming the first field at fault. Messages never repeat credentials
  // embedded in the URL.
  [[nodiscard]] absl::Status Validate() const;
  // `path` without a leading "./" or trailing "/", "" for the root.
  std::string CleanPath() const;
};

// Credentials for an ssh:// repository: the private key, its public half, the known_hosts lines
// for the server and the private key's passphrase (empty for an unencrypted key), which Flux's
// Secret holds as `password`.
struct SshCredentials {
  std::string identity;
  std::string identity_pub;
  std::string known_hosts;
  std::string password;
};

// Credentials for an http(s):// repository: basic auth and, optionally, the PEM CA bundle that
// signs the server's certificate.
struct HttpsCredentials {
  std::string username;
  std::string password;
  std::string ca_crt;
};

using GitCredentials = std::variant<SshCredentials, HttpsCredentials>;

// Common labels of every install object.
inline constexpr char kPartOfLabel[] = "app.kubernetes.io/part-of";
inline constexpr char kInstanceLabel[] = "app.kubernetes.io/instance";
inline constexpr char kVersionLabel[] = "app.kubernetes.io/version";

// The install set, in the order it is written to gotk-components.yaml. Fails when the options do
// not validate.
[[nodiscard]] absl::StatusOr<std::vector<manifest::Object>> GenerateInstall(
    const InstallOptions& options);

// The GitRepository and the Kustomization (prune: true) that sync the cluster from the repository.
[[nodiscard]] absl::StatusOr<std::vector<manifest::Object>> GenerateSync(
    const SyncOptions& options);

// The Secret `secret_name` in the sync namespace: `identity`, `identity.pub`, `known_hosts` for
// SSH; `username`, `password` and (when given) `ca.crt` for HTTPS. The credentials must fit the
// URL's scheme. The Secret never goes to Git. Errors name fields, never their values.
[[nodiscard]] absl::StatusOr<manifest::Object> GenerateSyncSecret(
    const SyncOptions& options, const GitCredentials& credentials);

// The Secret `image_pull_secret` (type kubernetes.io/dockerconfigjson) with
// `registry_credentials` for the host of `registry`, labelled as part of the install. Fails when
// either is empty or the credentials are not "user:password"; errors never repeat them.
[[nodiscard]] absl::StatusOr<manifest::Object> GenerateImagePullSecret(
    const InstallOptions& options);

// The text of `kustomization.yaml`, listing gotk-components.yaml and gotk-sync.yaml.
std::string GenerateKustomizationFile();

// The files of the bootstrap in the repository, path → content:
// `<path>/<namespace>/gotk-components.yaml`, `gotk-sync.yaml` and `kustomization.yaml` (the
// generated one, or sync.kustomization_override). The namespaces of both option sets must agree.
[[nodiscard]] absl::StatusOr<std::map<std::string, std::string>> RepositoryFiles(
    const InstallOptions& install, const SyncOptions& sync);

}  // namespace fluxcpp::bootstrap
