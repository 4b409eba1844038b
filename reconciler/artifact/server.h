// The artifact server: the storage root published read-only over HTTP, so Kustomizations (here
// or in another cluster) fetch `status.artifact.url` as they would from Flux's source-controller.
//
// Thread-safety: Start and Stop from one owning thread; requests are served on the server's own
// threads. Files are renamed into place by Storage, so a request never sees half an archive.
#pragma once

#include <memory>
#include <string>

#include "absl/status/status.h"

namespace fluxcpp::reconciler::artifact {

class ArtifactServer {
 public:
  // `root`: the storage root; `address`: "host:port", ":port" for every interface, port 0 for
  // any free port.
  ArtifactServer(std::string root, std::string address);
  ~ArtifactServer();  // stops the server
  ArtifactServer(const ArtifactServer&) = delete;
  ArtifactServer& operator=(const ArtifactServer&) = delete;

  // Binds and starts serving on a background thread; the error names the address.
  [[nodiscard]] absl::Status Start();
  // The port bound by Start (useful with port 0), 0 before.
  int port() const;
  // Stops serving and waits for the thread; idempotent.
  void Stop();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace fluxcpp::reconciler::artifact
