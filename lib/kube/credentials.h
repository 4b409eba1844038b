// The credentials each request carries: a static token, a token file re-read when it changes
// (projected ServiceAccount tokens rotate), basic auth, or an exec credential plugin whose result
// is cached until it expires. Client certificates come from the configuration or from the plugin.
//
// Thread-safe: one CredentialSource serves all requests of a client.
#pragma once

#include <chrono>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "lib/kube/config.h"

namespace fluxcpp::kube {

struct Credentials {
  std::string authorization;  // the Authorization header value, or empty
  std::string client_certificate_pem;
  std::string client_key_pem;
};

class CredentialSource {
 public:
  explicit CredentialSource(ClusterConfig config);

  [[nodiscard]] absl::StatusOr<Credentials> Get();
  // After a 401: the next Get runs the plugin again and re-reads the token file.
  void Invalidate();
  // True when Invalidate can give different credentials (plugin or token file), so a retry makes
  // sense.
  bool CanRefresh() const;

 private:
  absl::StatusOr<Credentials> RunExecPlugin();
  absl::StatusOr<std::string> TokenFromFile();

  const ClusterConfig config_;
  std::mutex mutex_;
  std::optional<Credentials> exec_result_;
  std::chrono::system_clock::time_point exec_expiry_;
  std::string file_token_;
  std::filesystem::file_time_type file_token_time_;
};

}  // namespace fluxcpp::kube
