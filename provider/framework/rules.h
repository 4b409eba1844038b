// Terraform's rules for plans and apply results, applied by the provider to itself so that a
// resource can never send the core a value it would reject ("Provider produced invalid plan",
// "Provider produced inconsistent result after apply"). Every problem becomes a diagnostic that
// names the attribute path. Reference: terraform-plugin-protocol.md §3, "Plan checks" and "Apply
// checks" (the core's objchange.AssertPlanValid and AssertObjectCompatible).
//
// The functions are pure and thread-safe. `block` is the schema the values were decoded with; the
// values are objects of its implied type (or null where noted).
#pragma once

#include <vector>

#include "absl/status/status.h"
#include "provider/protocol/diagnostics.h"
#include "provider/protocol/schema.h"
#include "provider/values/path.h"
#include "provider/values/value.h"

namespace fluxcpp::provider::framework {

// A well-formed schema: names of lowercase letters, digits and '_', unique within a block; each
// attribute exactly one of required / optional / optional+computed / computed; defaults only on
// optional+computed attributes and of the attribute's type; use_state_for_unknown only on
// computed attributes; requires_replace not on computed-only attributes; no kGroup nesting for
// attributes. Errors name the attribute path.
[[nodiscard]] absl::Status CheckSchema(const protocol::Schema& schema);

// Runs the validators of every attribute on the known, non-null values of `config` (which may
// hold unknowns), refuses computed-only attributes that are set (the core refuses only top-level
// ones), and warns about deprecated attributes that are set. Set elements are named by their value
// in the path; as the core cannot point at one, the message spells the path too.
protocol::Diagnostics ValidateConfig(const protocol::Block& block, const values::Value& config);

// `config` with each null optional+computed attribute that has a default set to it (nested
// attributes and blocks included). What data sources read and resources start their plan from.
values::Value ApplyDefaults(const protocol::Block& block, const values::Value& config);

// The plan the framework proposes before the resource adds its own computed values:
// - attributes set in the configuration are planned as configured (unknowns included);
// - optional+computed attributes left out get their default;
// - other computed attributes left out are unknown on create; on update they keep their prior
//   value when nothing else changes (a no-op plan), and otherwise become unknown unless they use
//   the state for unknown.
// `prior` is null on create.
values::Value ProposePlan(const protocol::Block& block, const values::Value& prior,
                          const values::Value& config);

// Computed attributes that are unknown in `planned` and use the state for unknown take their prior
// value, when it is known and not null.
values::Value UseStateForUnknown(const protocol::Block& block, const values::Value& prior,
                                 values::Value planned);

// The core's plan checks: the plan is a known object of the block's type; non-computed
// attributes are planned as configured (or as prior when both are set); unknown only where the
// configuration is unknown or the attribute is computed; blocks as many as configured and never
// unknown. One error diagnostic per attribute at fault, naming its path. Unlike the core, which
// trusts the provider there, elements of sets of nested objects are checked too: each configured
// element against the planned element that corresponds to it (walk.h's Corresponds), named by its
// value in the path.
protocol::Diagnostics CheckPlan(const protocol::Block& block, const values::Value& prior,
                                const values::Value& config, const values::Value& planned);

// Paths of requires_replace attributes whose planned value differs from the prior one (or may
// differ, being unknown), nested ones included: by index or key in lists and maps, and the set
// itself when the replacing values of its elements changed. Empty on create.
std::vector<values::Path> RequiresReplace(const protocol::Block& block, const values::Value& prior,
                                          const values::Value& planned);

// Makes an apply result acceptable to the core: every value known in `planned` is kept (a
// resource that changed one gets an error diagnostic naming the path), unknowns left by the
// resource become the prior value for use_state_for_unknown attributes, and any other unknown
// becomes null with an error diagnostic. A set planned with unknowns is checked as the core does:
// each planned element has a compatible element in the result and the other way round, the
// element named in the diagnostic. The result is wholly known.
values::Value CompleteApplyResult(const protocol::Block& block, const values::Value& prior,
                                  const values::Value& planned, const values::Value& result,
                                  protocol::Diagnostics& diagnostics);

// Replaces every unknown within `value` by null, with an error diagnostic per unknown naming its
// path; `what` says which value ("state after refresh").
values::Value RequireWhollyKnown(const values::Path& path, const values::Value& value,
                                 std::string_view what, protocol::Diagnostics& diagnostics);

}  // namespace fluxcpp::provider::framework
