// terraform-provider-flux: the plugin tofu and terraform start for fluxcd/flux.
//
//   terraform-provider-flux           serve, when started by tofu or terraform
//   terraform-provider-flux --debug   serve for a debugger; prints TF_REATTACH_PROVIDERS to export
#include <cstdio>
#include <string_view>

#include "provider/flux/provider.h"
#include "provider/protocol/server.h"

int main(int argc, char** argv) {
  namespace protocol = fluxcpp::provider::protocol;
  protocol::ServeOptions options;
  for (int i = 1; i < argc; ++i) {
    const std::string_view argument = argv[i];
    if (argument == "--debug" || argument == "-debug") {
      options.debug = true;
    } else if (argument == "--help" || argument == "-h") {
      std::fputs("usage: terraform-provider-flux [--debug]\n", stderr);
      return 0;
    }
    // go-plugin ignores other arguments, and so do we.
  }
  for (const char* address : fluxcpp::provider::flux::kProviderAddresses) {
    options.provider_addresses.emplace_back(address);
  }
  std::unique_ptr<protocol::Provider> provider = fluxcpp::provider::flux::MakeProvider();
  return protocol::Serve(*provider, options);
}
