// The gRPC services of the plugin, private to provider/protocol: tfplugin6.Provider, which adapts
// the wire messages to the resource framework (provider.h), and go-plugin's GRPCController and
// GRPCStdio. User-facing problems become diagnostics in responses; a gRPC error is returned only
// when the request itself cannot be understood.
//
// Thread-safety: the services are called from gRPC's thread pool; they keep no mutable state of
// their own beyond atomics, and the Provider contract (provider.h) covers the rest.
#pragma once

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "go_plugin.grpc.pb.h"
#include "provider/protocol/provider.h"
#include "tfplugin6.grpc.pb.h"

namespace fluxcpp::provider::protocol {

// A one-way latch: set once by whoever asks for shutdown (the Shutdown RPC, a signal), awaited by
// the serving thread and by streams that must end. Request may be called any number of times from
// any thread.
class ShutdownSignal {
 public:
  void Request() {
    absl::MutexLock lock(&mutex_);
    requested_ = true;
  }
  bool requested() const {
    absl::MutexLock lock(&mutex_);
    return requested_;
  }
  // Whether shutdown was requested within `timeout`.
  bool WaitFor(absl::Duration timeout) const {
    absl::MutexLock lock(&mutex_);
    return mutex_.AwaitWithTimeout(absl::Condition(&requested_), timeout);
  }

 private:
  mutable absl::Mutex mutex_;
  bool requested_ ABSL_GUARDED_BY(mutex_) = false;
};

class ProviderService final : public tfplugin6::Provider::Service {
 public:
  // `provider` must outlive the service.
  explicit ProviderService(Provider& provider) : provider_(provider) {}

  grpc::Status GetMetadata(grpc::ServerContext* context,
                           const tfplugin6::Metadata::Request* request,
                           tfplugin6::Metadata::Response* response) override;
  grpc::Status GetProviderSchema(grpc::ServerContext* context,
                                 const tfplugin6::GetProviderSchema::Request* request,
                                 tfplugin6::GetProviderSchema::Response* response) override;
  grpc::Status ValidateProviderConfig(
      grpc::ServerContext* context, const tfplugin6::ValidateProviderConfig::Request* request,
      tfplugin6::ValidateProviderConfig::Response* response) override;
  grpc::Status ValidateResourceConfig(
      grpc::ServerContext* context, const tfplugin6::ValidateResourceConfig::Request* request,
      tfplugin6::ValidateResourceConfig::Response* response) override;
  grpc::Status ValidateDataResourceConfig(
      grpc::ServerContext* context, const tfplugin6::ValidateDataResourceConfig::Request* request,
      tfplugin6::ValidateDataResourceConfig::Response* response) override;
  grpc::Status UpgradeResourceState(grpc::ServerContext* context,
                                    const tfplugin6::UpgradeResourceState::Request* request,
                                    tfplugin6::UpgradeResourceState::Response* response) override;
  grpc::Status ConfigureProvider(grpc::ServerContext* context,
                                 const tfplugin6::ConfigureProvider::Request* request,
                                 tfplugin6::ConfigureProvider::Response* response) override;
  grpc::Status ReadResource(grpc::ServerContext* context,
                            const tfplugin6::ReadResource::Request* request,
                            tfplugin6::ReadResource::Response* response) override;
  grpc::Status PlanResourceChange(grpc::ServerContext* context,
                                  const tfplugin6::PlanResourceChange::Request* request,
                                  tfplugin6::PlanResourceChange::Response* response) override;
  grpc::Status ApplyResourceChange(grpc::ServerContext* context,
                                   const tfplugin6::ApplyResourceChange::Request* request,
                                   tfplugin6::ApplyResourceChange::Response* response) override;
  grpc::Status ImportResourceState(grpc::ServerContext* context,
                                   const tfplugin6::ImportResourceState::Request* request,
                                   tfplugin6::ImportResourceState::Response* response) override;
  grpc::Status MoveResourceState(grpc::ServerContext* context,
                                 const tfplugin6::MoveResourceState::Request* request,
                                 tfplugin6::MoveResourceState::Response* response) override;
  grpc::Status ReadDataSource(grpc::ServerContext* context,
                              const tfplugin6::ReadDataSource::Request* request,
                              tfplugin6::ReadDataSource::Response* response) override;
  grpc::Status ValidateEphemeralResourceConfig(
      grpc::ServerContext* context,
      const tfplugin6::ValidateEphemeralResourceConfig::Request* request,
      tfplugin6::ValidateEphemeralResourceConfig::Response* response) override;
  grpc::Status OpenEphemeralResource(grpc::ServerContext* context,
                                     const tfplugin6::OpenEphemeralResource::Request* request,
                                     tfplugin6::OpenEphemeralResource::Response* response) override;
  grpc::Status RenewEphemeralResource(
      grpc::ServerContext* context, const tfplugin6::RenewEphemeralResource::Request* request,
      tfplugin6::RenewEphemeralResource::Response* response) override;
  grpc::Status CloseEphemeralResource(
      grpc::ServerContext* context, const tfplugin6::CloseEphemeralResource::Request* request,
      tfplugin6::CloseEphemeralResource::Response* response) override;
  grpc::Status GetFunctions(grpc::ServerContext* context,
                            const tfplugin6::GetFunctions::Request* request,
                            tfplugin6::GetFunctions::Response* response) override;
  grpc::Status CallFunction(grpc::ServerContext* context,
                            const tfplugin6::CallFunction::Request* request,
                            tfplugin6::CallFunction::Response* response) override;
  grpc::Status StopProvider(grpc::ServerContext* context,
                            const tfplugin6::StopProvider::Request* request,
                            tfplugin6::StopProvider::Response* response) override;

 private:
  // The answer to every ephemeral-resource call: a diagnostic naming the unknown type.
  template <typename Request, typename Response>
  grpc::Status UnknownEphemeralResource(const Request& request, Response* response);

  Provider& provider_;
};

// GRPCController.Shutdown: notifies `shutdown`, on which the serving thread stops the server.
class ControllerService final : public plugin::GRPCController::Service {
 public:
  explicit ControllerService(ShutdownSignal& shutdown) : shutdown_(shutdown) {}
  grpc::Status Shutdown(grpc::ServerContext* context, const plugin::Empty* request,
                        plugin::Empty* response) override;

 private:
  ShutdownSignal& shutdown_;
};

// GRPCStdio.StreamStdio: the provider never writes to stdout/stderr through the stream (logs go
// to stderr directly), so the stream stays open and empty until shutdown or cancellation.
class StdioService final : public plugin::GRPCStdio::Service {
 public:
  explicit StdioService(ShutdownSignal& shutdown) : shutdown_(shutdown) {}
  grpc::Status StreamStdio(grpc::ServerContext* context, const google::protobuf::Empty* request,
                           grpc::ServerWriter<plugin::StdioData>* writer) override;

 private:
  ShutdownSignal& shutdown_;
};

}  // namespace fluxcpp::provider::protocol
