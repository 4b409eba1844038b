// flux_bootstrap_git: the Go provider's resource of the same name. Create commits the bootstrap
// files and applies them (bootstrap::BootstrapGit), Read notices files changed or removed in Git,
// Update runs the bootstrap again, Delete uninstalls (and removes the files from Git when
// delete_git_manifests). The id is the namespace, which is also what `import` takes.
//
// Thread-safety: as for every framework::Resource; the provider state is shared and thread-safe.
#pragma once

#include <memory>

#include "provider/flux/provider_config.h"
#include "provider/protocol/provider.h"

namespace fluxcpp::provider::flux {

std::unique_ptr<protocol::Resource> MakeBootstrapGitResource(
    std::shared_ptr<ProviderState> provider);

}  // namespace fluxcpp::provider::flux
