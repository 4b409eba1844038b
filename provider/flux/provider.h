// The flux provider (source address fluxcd/flux): its configuration schema and everything it
// registers with the resource framework. The configuration block is empty for now; the
// `kubernetes` and `git` blocks of the Go provider arrive with the bootstrap resource.
#pragma once

#include <memory>

#include "provider/protocol/provider.h"

namespace fluxcpp::provider::flux {

// Provider addresses the flux provider answers to, in OpenTofu's and Terraform's registries.
inline constexpr const char* kProviderAddresses[] = {"registry.opentofu.org/fluxcd/flux",
                                                     "registry.terraform.io/fluxcd/flux"};

std::unique_ptr<protocol::Provider> MakeProvider();

}  // namespace fluxcpp::provider::flux
