// The flux_install and flux_sync data sources: the install manifests and the sync manifests that
// `bootstrap/` generates, for configurations that commit and apply them with other providers.
// Attribute names and defaults follow the Go provider's data sources of the same names; where
// fluxcpp differs (the reconciler image, the components it serves) the description says so.
#pragma once

#include <memory>

#include "provider/protocol/provider.h"

namespace fluxcpp::provider::flux {

std::unique_ptr<protocol::DataSource> MakeInstallDataSource();
std::unique_ptr<protocol::DataSource> MakeSyncDataSource();

}  // namespace fluxcpp::provider::flux
