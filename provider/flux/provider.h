// The flux provider (source address fluxcd/flux): its configuration schema and everything it
// registers with the resource framework. The configuration takes the Go provider's `kubernetes`
// and `git` blocks (provider_config.h); flux_bootstrap_git builds its clients from them.
#pragma once

#include <memory>

#include "provider/framework/docs.h"
#include "provider/protocol/provider.h"

namespace fluxcpp::provider::flux {

// Provider addresses the flux provider answers to, in OpenTofu's and Terraform's registries.
inline constexpr const char* kProviderAddresses[] = {"registry.opentofu.org/fluxcd/flux",
                                                     "registry.terraform.io/fluxcd/flux"};

struct ProviderOptions {
  // Also register flux_test_object (test_object.h), for the framework's end-to-end tests.
  bool test_resources = false;
};

std::unique_ptr<protocol::Provider> MakeProvider(const ProviderOptions& options = {});

// The text of the generated reference documentation besides the schemas: the index page and the
// examples.
framework::ProviderDocs Docs();

}  // namespace fluxcpp::provider::flux
