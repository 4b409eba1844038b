// Private to provider/flux: bootstrap's option errors ("log_level: must be one of …") as
// diagnostics on the attribute they concern.
#pragma once

#include <map>
#include <string>

#include "absl/status/status.h"
#include "provider/protocol/diagnostics.h"

namespace fluxcpp::provider::flux {

// `status` (not OK) from InstallOptions/SyncOptions::Validate or the generators, as an error on
// the attribute its field prefix names. `attributes` maps option fields to attribute names where
// they differ ("secret_name" → "secret"); a field not in the schema leaves the path empty.
protocol::Diagnostic OptionsDiagnostic(const absl::Status& status,
                                       const std::map<std::string, std::string>& attributes);

// "<target path>/<namespace>/<file>" with "./" and trailing "/" of the target path removed.
std::string RepositoryPath(const std::string& target_path, const std::string& namespace_name,
                           const std::string& file);

// The Go provider's interval: a bare number is minutes ("5" → "5m0s"); other text is returned as it
// is, a Go duration for the options to check.
std::string GoProviderInterval(const std::string& text);

}  // namespace fluxcpp::provider::flux
