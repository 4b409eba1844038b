#include "provider/flux/provider.h"

#include <memory>

#include "provider/flux/data_sources.h"
#include "provider/flux/parse_revision.h"
#include "provider/flux/test_object.h"

namespace fluxcpp::provider::flux {

std::unique_ptr<protocol::Provider> MakeProvider(const ProviderOptions& options) {
  auto provider = std::make_unique<protocol::Provider>("flux", protocol::Schema{});
  provider->AddFunction(MakeParseRevisionFunction());
  provider->AddDataSource("flux_install", MakeInstallDataSource());
  provider->AddDataSource("flux_sync", MakeSyncDataSource());
  if (options.test_resources) provider->AddResource("flux_test_object", MakeTestObjectResource());
  return provider;
}

framework::ProviderDocs Docs() {
  return framework::ProviderDocs{
      .title = "Flux",
      .description =
          "The Flux provider, built by fluxcpp, generates and applies the manifests of a "
          "Flux-compatible GitOps installation. It takes the HCL written for the Go provider "
          "`fluxcd/flux`.",
      .examples =
          {
              {"",
               "terraform {\n"
               "  required_providers {\n"
               "    flux = {\n"
               "      source = \"fluxcd/flux\"\n"
               "    }\n"
               "  }\n"
               "}\n\n"
               "provider \"flux\" {}\n"},
              {"flux_install",
               "data \"flux_install\" \"main\" {\n"
               "  target_path    = \"clusters/production\"\n"
               "  network_policy = false\n"
               "}\n"},
              {"flux_sync",
               "data \"flux_sync\" \"main\" {\n"
               "  target_path = \"clusters/production\"\n"
               "  url         = \"ssh://git@github.com/example/fleet.git\"\n"
               "  branch      = \"main\"\n"
               "}\n"},
              {"parse_revision",
               "output \"commit\" {\n"
               "  value = provider::flux::parse_revision(\"main@sha1:0123abcd\").sha\n"
               "}\n"},
          },
  };
}

}  // namespace fluxcpp::provider::flux
