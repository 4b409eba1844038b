// Reference documentation generated from a provider's schemas, in the layout the Terraform and
// OpenTofu registries read: `index.md`, `resources/<name>.md`, `data-sources/<name>.md` and
// `functions/<name>.md` (names without the provider prefix), each with YAML front matter and a
// "Schema" section grouped into Required, Optional and Read-Only, nested schemas after it.
//
// Pure and deterministic: the same provider gives byte-identical pages.
#pragma once

#include <map>
#include <string>

#include "provider/protocol/provider.h"

namespace fluxcpp::provider::framework {

struct ProviderDocs {
  // The heading of the index page ("Flux").
  std::string title;
  // Markdown for the index page, after the heading.
  std::string description;
  // Example configurations (HCL) by resource, data source or function name, and "" for the
  // provider itself; shown under "Example Usage".
  std::map<std::string, std::string> examples;
};

// Pages by path relative to the docs folder ("data-sources/install.md" → content).
std::map<std::string, std::string> GenerateDocs(const protocol::Provider& provider,
                                                const ProviderDocs& docs);

}  // namespace fluxcpp::provider::framework
