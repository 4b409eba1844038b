#include "provider/flux/provider.h"

#include <memory>

#include "provider/flux/parse_revision.h"

namespace fluxcpp::provider::flux {

std::unique_ptr<protocol::Provider> MakeProvider() {
  auto provider = std::make_unique<protocol::Provider>("flux", protocol::Schema{});
  provider->AddFunction(MakeParseRevisionFunction());
  return provider;
}

}  // namespace fluxcpp::provider::flux
