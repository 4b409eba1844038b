// flux_test_object: a resource that exists only for the framework's end-to-end tests, registered
// when FLUXCPP_PROVIDER_TEST_RESOURCES=1. It manages no remote object (its state is the object)
// but uses every framework feature: requires-replace, use-state-for-unknown, defaults, a
// sensitive attribute, a nested attribute, a set of nested objects (`rules`, with a computed
// `rule_id` per element) and a set block (`tag`), timeouts (with `delay`, a wait in create and
// update that the timeout or StopProvider cancels), import, and an upgrade from schema version 0
// (where `value` was called `content`).
#pragma once

#include <memory>

#include "provider/protocol/provider.h"

namespace fluxcpp::provider::flux {

inline constexpr char kTestResourcesVariable[] = "FLUXCPP_PROVIDER_TEST_RESOURCES";

std::unique_ptr<protocol::Resource> MakeTestObjectResource();

}  // namespace fluxcpp::provider::flux
