// The flux provider's configuration, as the Go provider takes it: `kubernetes = {...}` (how to
// reach the cluster) and `git = {...}` (the repository the bootstrap writes to and its
// credentials), plus `git.ssh.known_hosts` so no host key is scanned live.
//
// The configuration is held as given (it may hold values only known later in the apply) and
// turned into a cluster client and Git settings when a resource first needs them, so a cluster
// created in the same run works.
//
// Thread-safety: ProviderState may be used from any number of threads.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/git/auth.h"
#include "lib/git/repository.h"
#include "lib/kube/client.h"
#include "lib/kube/config.h"
#include "provider/protocol/diagnostics.h"
#include "provider/protocol/schema.h"
#include "provider/values/value.h"

namespace fluxcpp::provider::flux {

// The `kubernetes` and `git` nested attributes of the provider block.
protocol::Schema ProviderConfigSchema();

// The Go provider's rules: both blocks or neither; the URL scheme fits the ssh/http block;
// http:// needs allow_insecure_http; ssh:// needs a private key; a GPG key id is 16 hex digits.
// Settings fluxcpp does not use yet get a warning naming them. `config` may hold unknowns.
protocol::Diagnostics ValidateProviderConfig(const values::Value& config);

// The `git` block, resolved.
struct GitSettings {
  std::string url;  // with the ssh user inserted when the URL has none
  std::string branch = "main";
  std::string author_name = "Flux";
  std::string author_email;  // empty: bootstrap's default
  std::string commit_message_appendix;
  git::AuthOptions auth;
  // gpg_key_ring / gpg_passphrase / gpg_key_id: the commits are signed when a key ring is given.
  git::SigningOptions signing;
};

// The `kubernetes` block (wholly known) as a cluster configuration: a kubeconfig (config_path,
// config_paths, KUBE_CONFIG_PATH(S)) with its context, overridden by the explicit settings (host,
// certificates, token, basic auth, exec, proxy).
[[nodiscard]] absl::StatusOr<kube::ClusterConfig> ClusterConfigFrom(
    const values::Value& kubernetes);

// The `git` block (wholly known), defaults applied. InvalidArgument naming the attribute at fault.
[[nodiscard]] absl::StatusOr<GitSettings> GitSettingsFrom(const values::Value& git);

// What the provider was configured with, shared by its resources.
class ProviderState {
 public:
  void Configure(values::Value config);

  // The `git` block as configured; null before Configure, possibly holding unknowns at plan time.
  values::Value GitConfig() const;
  // The resolved Git settings; FailedPrecondition when the provider has no `git` block or it is
  // not known yet.
  [[nodiscard]] absl::StatusOr<GitSettings> Git() const;
  // The cluster client, built on first use; the same client afterwards.
  [[nodiscard]] absl::StatusOr<kube::Client*> Client();

 private:
  mutable std::mutex mutex_;
  values::Value config_ = values::Value::Null(values::Type::Dynamic());
  std::unique_ptr<kube::Client> client_;
};

}  // namespace fluxcpp::provider::flux
