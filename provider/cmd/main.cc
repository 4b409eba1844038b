// terraform-provider-flux: the plugin tofu and terraform start for fluxcd/flux.
//
//   terraform-provider-flux           serve, when started by tofu or terraform
//   terraform-provider-flux --debug   serve for a debugger; prints TF_REATTACH_PROVIDERS to export
//   ... --tcp                         listen on 127.0.0.1 instead of a unix socket (also when
//                                     FLUXCPP_PLUGIN_NETWORK=tcp is in the environment tofu or
//                                     terraform runs in, since they start the provider themselves)
//
// FLUXCPP_PROVIDER_TEST_RESOURCES=1 also registers flux_test_object, for the framework's tests.
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "provider/flux/provider.h"
#include "provider/flux/test_object.h"
#include "provider/protocol/server.h"

int main(int argc, char** argv) {
  namespace protocol = fluxcpp::provider::protocol;
  protocol::ServeOptions options;
  for (int i = 1; i < argc; ++i) {
    const std::string_view argument = argv[i];
    if (argument == "--debug" || argument == "-debug") {
      options.debug = true;
    } else if (argument == "--tcp") {
      options.tcp = true;
    } else if (argument == "--help" || argument == "-h") {
      std::fputs("usage: terraform-provider-flux [--debug] [--tcp]\n", stderr);
      return 0;
    }
    // go-plugin ignores other arguments, and so do we.
  }
  const char* network = std::getenv("FLUXCPP_PLUGIN_NETWORK");
  if (network != nullptr && std::string_view(network) == "tcp") options.tcp = true;
  for (const char* address : fluxcpp::provider::flux::kProviderAddresses) {
    options.provider_addresses.emplace_back(address);
  }
  // The framework's end-to-end tests add a resource that no configuration outside them uses.
  const char* test_resources = std::getenv(fluxcpp::provider::flux::kTestResourcesVariable);
  std::unique_ptr<protocol::Provider> provider = fluxcpp::provider::flux::MakeProvider(
      {.test_resources = test_resources != nullptr && std::string_view(test_resources) == "1"});
  return protocol::Serve(*provider, options);
}
