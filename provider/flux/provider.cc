#include "provider/flux/provider.h"

#include <memory>
#include <string_view>
#include <utility>

#include "provider/flux/bootstrap_git.h"
#include "provider/flux/data_sources.h"
#include "provider/flux/parse_revision.h"
#include "provider/flux/provider_config.h"
#include "provider/flux/test_object.h"
#include "provider/framework/rules.h"

namespace fluxcpp::provider::flux {
namespace {

// Keeps the configuration for the resources, which build their clients from it when first needed.
class FluxProvider final : public protocol::Provider {
 public:
  FluxProvider()
      : Provider("flux", ProviderConfigSchema()), state_(std::make_shared<ProviderState>()) {}

  protocol::Diagnostics ValidateConfig(const values::Value& config) const override {
    protocol::Diagnostics diagnostics = framework::ValidateConfig(config_schema().block, config);
    for (protocol::Diagnostic& diagnostic : ValidateProviderConfig(config)) {
      diagnostics.push_back(std::move(diagnostic));
    }
    return diagnostics;
  }

  protocol::Diagnostics Configure(std::string_view /*terraform_version*/,
                                  const values::Value& config) override {
    state_->Configure(config);
    return {};
  }

  const std::shared_ptr<ProviderState>& state() const { return state_; }

 private:
  std::shared_ptr<ProviderState> state_;
};

}  // namespace

std::unique_ptr<protocol::Provider> MakeProvider(const ProviderOptions& options) {
  auto provider = std::make_unique<FluxProvider>();
  provider->AddResource("flux_bootstrap_git", MakeBootstrapGitResource(provider->state()));
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
               "provider \"flux\" {\n"
               "  kubernetes = {\n"
               "    config_path = \"~/.kube/config\"\n"
               "  }\n"
               "  git = {\n"
               "    url = \"ssh://git@github.com/example/fleet.git\"\n"
               "    ssh = {\n"
               "      username    = \"git\"\n"
               "      private_key = file(\"~/.ssh/fleet\")\n"
               "      known_hosts = file(\"~/.ssh/known_hosts\")\n"
               "    }\n"
               "  }\n"
               "}\n"},
              {"flux_bootstrap_git",
               "resource \"flux_bootstrap_git\" \"this\" {\n"
               "  path = \"clusters/production\"\n"
               "}\n"},
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
