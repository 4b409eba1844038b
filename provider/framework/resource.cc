#include "provider/framework/resource.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <utility>

#include "provider/framework/object.h"
#include "provider/framework/rules.h"
#include "provider/protocol/text.h"
#include "provider/values/json.h"

namespace fluxcpp::provider::framework {
namespace {

using protocol::Cat;
using protocol::Diagnostics;
using values::Path;
using values::Value;

void RequireValidSchema(const protocol::Schema& schema, std::string_view what) {
  if (absl::Status status = CheckSchema(schema); !status.ok()) {
    std::fprintf(stderr, "invalid %.*s schema: %s\n", static_cast<int>(what.size()), what.data(),
                 std::string(status.message()).c_str());
    std::abort();
  }
}

void Append(Diagnostics& to, Diagnostics from) {
  for (protocol::Diagnostic& diagnostic : from) to.push_back(std::move(diagnostic));
}

// A value of `block`'s type, wholly known, or an error diagnostic saying what `what` is.
Value Conforming(const protocol::Block& block, const Value& value, std::string_view what,
                 Diagnostics& diagnostics) {
  if (!value.IsNull() && !values::Conforms(value.type(), protocol::ImpliedType(block))) {
    diagnostics.push_back(protocol::ErrorDiagnostic(
        "Provider produced invalid object",
        Cat("The ", what,
            " is not of the schema's type. This is a bug in the provider; please "
            "report it.")));
    return Value::Null(protocol::ImpliedType(block));
  }
  return RequireWhollyKnown(Path(), value, what, diagnostics);
}

// After an operation that failed: why, when it was cancelled, naming the operation and the
// timeout, so that the user knows which `timeouts` entry to raise or that Ctrl-C ended it.
void ExplainCancellation(const Cancellation& cancellation, Diagnostics& diagnostics) {
  if (!protocol::HasErrors(diagnostics) || !cancellation.Cancelled()) return;
  if (cancellation.StopRequested()) {
    diagnostics.push_back(protocol::ErrorDiagnostic(
        Cat("The ", cancellation.operation(), " was cancelled"),
        Cat("OpenTofu or Terraform asked the provider to stop (an interrupt such as Ctrl-C) "
            "during the ",
            cancellation.operation(),
            "; the work in flight was cancelled and the state records only what "
            "had finished.")));
    return;
  }
  diagnostics.push_back(protocol::ErrorDiagnostic(
      Cat("The ", cancellation.operation(), " timed out"),
      Cat("The ", cancellation.operation(), " did not finish within its timeout of ",
          absl::FormatDuration(cancellation.timeout()),
          " and the work in flight was cancelled; the state records only what had finished. "
          "Raise `timeouts.",
          cancellation.operation(), "` if the ", cancellation.operation(), " needs longer."),
      Path().Attribute("timeouts").Attribute(cancellation.operation())));
}

}  // namespace

bool Cancellation::Sleep(absl::Duration duration) const {
  const absl::Time until = absl::Now() + duration;
  while (true) {
    if (Cancelled()) return false;
    const absl::Time now = absl::Now();
    if (now >= until) return true;
    const absl::Duration step = std::min({until - now, deadline_ - now, absl::Milliseconds(50)});
    std::this_thread::sleep_for(absl::ToChronoNanoseconds(std::max(step, absl::ZeroDuration())));
  }
}

absl::Status Cancellation::Status() const {
  if (StopRequested()) {
    return absl::CancelledError(Cat("the ", operation_,
                                    " was cancelled: the provider was asked "
                                    "to stop"));
  }
  if (Expired()) {
    return absl::DeadlineExceededError(
        Cat("the ", operation_, " timed out after ", absl::FormatDuration(timeout_)));
  }
  return absl::OkStatus();
}

Resource::Resource(protocol::Schema schema, TimeoutDefaults timeouts)
    : schema_(std::move(schema)), timeouts_(std::move(timeouts)) {
  if (!timeouts_.empty()) schema_.block.attributes.push_back(TimeoutsAttribute(timeouts_));
  RequireValidSchema(schema_, "resource");
}

Diagnostics Resource::ValidateConfig(const Value& config) const {
  Diagnostics diagnostics = framework::ValidateConfig(schema_.block, config);
  if (protocol::HasErrors(diagnostics)) return diagnostics;
  Append(diagnostics, Validate(ApplyDefaults(schema_.block, config)));
  return diagnostics;
}

protocol::ResourceUpgradeResult Resource::UpgradeState(int64_t version,
                                                       std::string_view raw_json) const {
  std::map<int64_t, StateUpgrader> upgraders = StateUpgraders();
  auto it = upgraders.find(version);
  if (it == upgraders.end()) return protocol::Resource::UpgradeState(version, raw_json);
  const StateUpgrader& upgrader = it->second;
  protocol::ResourceUpgradeResult result;
  absl::StatusOr<Value> prior = values::DecodeRawState(raw_json.empty() ? "null" : raw_json,
                                                       protocol::ImpliedType(upgrader.prior_block));
  if (!prior.ok()) {
    result.diagnostics.push_back(protocol::ErrorDiagnostic(
        "Unreadable stored state",
        Cat("The state of schema version ", version,
            " does not match that version's schema: ", protocol::View(prior.status().message()))));
    return result;
  }
  absl::StatusOr<Value> upgraded = upgrader.upgrade(*prior);
  if (!upgraded.ok()) {
    result.diagnostics.push_back(protocol::ErrorDiagnostic(
        "State upgrade failed",
        Cat("Upgrading the state from schema version ", version, " to ", schema_.version, ": ",
            protocol::View(upgraded.status().message()))));
    return result;
  }
  result.upgraded_state =
      Conforming(schema_.block, *upgraded, "upgraded state", result.diagnostics);
  return result;
}

protocol::ResourceReadResult Resource::Read(const Value& current_state,
                                            std::string_view private_data) const {
  protocol::ResourceReadResult result;
  if (current_state.IsNull()) {
    result.new_state = current_state;
    return result;
  }
  RefreshContext context{.state = current_state,
                         .private_data = std::string(private_data),
                         .cancellation = CancellationOf("read", current_state)};
  Refresh(context);
  ExplainCancellation(context.cancellation, context.diagnostics);
  result.diagnostics = std::move(context.diagnostics);
  result.private_data = std::move(context.private_data);
  if (context.removed) {
    result.new_state = Value::Null(protocol::ImpliedType(schema_.block));
    return result;
  }
  result.new_state =
      Conforming(schema_.block, context.state, "state after refresh", result.diagnostics);
  return result;
}

protocol::ResourcePlanResult Resource::Plan(const protocol::ResourcePlanRequest& request) const {
  protocol::ResourcePlanResult result;
  if (request.config.IsNull()) {
    result.planned_state = request.config;
    return result;
  }
  auto plan = [&]() {
    PlanContext context{.prior = request.prior_state, .config = request.config};
    context.planned = ProposePlan(schema_.block, request.prior_state, request.config);
    ModifyPlan(context);
    context.planned = UseStateForUnknown(schema_.block, request.prior_state, context.planned);
    return context;
  };
  PlanContext first = plan();
  result.diagnostics = std::move(first.diagnostics);
  if (protocol::HasErrors(result.diagnostics)) return result;
  // The core plans again during apply and rejects any known value that moved: a plan that is not
  // a function of its inputs is caught here, on the first plan, instead.
  if (PlanContext second = plan();
      !(second.planned == first.planned) || second.requires_replace != first.requires_replace) {
    result.diagnostics.push_back(protocol::ErrorDiagnostic(
        "Provider produced a non-deterministic plan",
        "Planning the same change twice gave different values, which the core would reject "
        "when it plans again during apply. This is a bug in the provider; please report it."));
    return result;
  }
  Append(result.diagnostics,
         CheckPlan(schema_.block, request.prior_state, request.config, first.planned));
  if (protocol::HasErrors(result.diagnostics)) return result;
  if (!first.IsCreate()) {
    result.requires_replace = RequiresReplace(schema_.block, request.prior_state, first.planned);
    for (Path& path : first.requires_replace) result.requires_replace.push_back(std::move(path));
  }
  result.planned_state = std::move(first.planned);
  result.planned_private = std::move(first.planned_private);
  return result;
}

protocol::ResourceApplyResult Resource::Apply(const protocol::ResourceApplyRequest& request) const {
  ApplyContext context{.prior = request.prior_state,
                       .planned = request.planned_state,
                       .config = request.config,
                       .state = request.planned_state,
                       .private_data = request.planned_private};
  protocol::ResourceApplyResult result;
  const bool destroy = request.planned_state.IsNull();
  const bool create = !destroy && request.prior_state.IsNull();
  const std::string operation = destroy ? "delete" : create ? "create" : "update";
  context.cancellation = CancellationOf(operation, destroy ? request.prior_state : request.config);
  if (destroy) {
    Delete(context);
  } else if (create) {
    Create(context);
  } else {
    Update(context);
  }
  ExplainCancellation(context.cancellation, context.diagnostics);
  result.diagnostics = std::move(context.diagnostics);
  result.private_data = std::move(context.private_data);
  if (protocol::HasErrors(result.diagnostics) && !context.keep_state_on_error) {
    result.new_state =
        create ? Value::Null(protocol::ImpliedType(schema_.block)) : request.prior_state;
    return result;
  }
  if (destroy) {
    result.new_state = request.planned_state;
    return result;
  }
  result.new_state = CompleteApplyResult(schema_.block, request.prior_state, request.planned_state,
                                         context.state, result.diagnostics);
  return result;
}

Cancellation Resource::CancellationOf(const std::string& operation, const Value& values) const {
  auto it = timeouts_.find(operation);
  if (it == timeouts_.end()) {
    return Cancellation(operation, absl::InfiniteDuration(), absl::InfiniteFuture(),
                        &stop_requested_);
  }
  const absl::Duration timeout = TimeoutOf(values, operation, it->second);
  return Cancellation(operation, timeout, absl::Now() + timeout, &stop_requested_);
}

protocol::ResourceImportResult Resource::Import(std::string_view id) const {
  absl::StatusOr<Value> empty = Value::ObjectOf(protocol::ImpliedType(schema_.block), {});
  ImportContext context{.id = std::string(id), .state = *empty};
  ImportState(context);
  protocol::ResourceImportResult result;
  result.diagnostics = std::move(context.diagnostics);
  result.private_data = std::move(context.private_data);
  if (protocol::HasErrors(result.diagnostics)) return result;
  result.state = Conforming(schema_.block, context.state, "imported state", result.diagnostics);
  return result;
}

void Resource::ImportState(ImportContext& context) const {
  protocol::ResourceImportResult refused = protocol::Resource::Import(context.id);
  context.diagnostics = std::move(refused.diagnostics);
}

DataSource::DataSource(protocol::Schema schema) : schema_(std::move(schema)) {
  RequireValidSchema(schema_, "data source");
}

Diagnostics DataSource::ValidateConfig(const Value& config) const {
  Diagnostics diagnostics = framework::ValidateConfig(schema_.block, config);
  if (protocol::HasErrors(diagnostics)) return diagnostics;
  Append(diagnostics, Validate(ApplyDefaults(schema_.block, config)));
  return diagnostics;
}

protocol::DataSourceReadResult DataSource::Read(const Value& config) const {
  if (config.IsNull() || !config.IsWhollyKnown()) {
    // The core reads data sources only once their configuration is known.
    protocol::DataSourceReadResult refused;
    refused.diagnostics.push_back(protocol::ErrorDiagnostic(
        "Incomplete data source configuration",
        "The data source was asked to read a configuration that is null or not wholly known. "
        "This is a bug in the core or the provider; please report it."));
    return refused;
  }
  const Value defaulted = ApplyDefaults(schema_.block, config);
  ReadContext context{.config = defaulted, .state = defaulted};
  Fill(context);
  protocol::DataSourceReadResult result;
  result.diagnostics = std::move(context.diagnostics);
  if (protocol::HasErrors(result.diagnostics)) return result;
  if (context.state.IsNull()) {
    result.diagnostics.push_back(protocol::ErrorDiagnostic(
        "Provider produced null object",
        "The data source returned no object. This is a bug in the provider; please report it."));
    return result;
  }
  // What the configuration set stays as set: only computed attributes are the data source's.
  for (const protocol::Attribute& attribute : schema_.block.attributes) {
    if (attribute.computed) continue;
    const Value configured = AttributeOf(defaulted, attribute.name);
    if (!(AttributeOf(context.state, attribute.name) == configured)) {
      result.diagnostics.push_back(protocol::ErrorDiagnostic(
          "Provider produced inconsistent result",
          Cat("The data source changed the configured attribute \"", attribute.name,
              "\"; the framework kept the configured value. This is a bug in the provider."),
          Path().Attribute(attribute.name)));
      context.state = WithAttribute(context.state, attribute.name, configured);
    }
  }
  result.state = Conforming(schema_.block, context.state, "data source state", result.diagnostics);
  return result;
}

protocol::Attribute TimeoutsAttribute(const TimeoutDefaults& defaults) {
  protocol::Attribute timeouts{
      .name = "timeouts",
      .nesting = protocol::Nesting::kSingle,
      .description =
          "How long each operation may take: when the time runs out, the work in "
          "flight is cancelled and the operation fails.",
      .optional = true};
  for (const auto& [operation, duration] : defaults) {
    timeouts.nested_attributes.push_back(protocol::Attribute{
        .name = operation,
        .type = values::Type::String(),
        .description = Cat("How long the ", operation,
                           " may take: a duration such as `30s`, `10m` or `1h30m`. Defaults to `",
                           absl::FormatDuration(duration), "`."),
        .optional = true,
        .validators = {protocol::Validator{
            .description = "a positive duration",
            .check =
                [](const Value& value) {
                  absl::Duration duration;
                  absl::StatusOr<std::string> text = value.AsString();
                  if (!text.ok() || !absl::ParseDuration(*text, &duration) ||
                      duration <= absl::ZeroDuration()) {
                    return absl::InvalidArgumentError(
                        Cat("must be a positive duration such as 30s, 10m or 1h30m; got ",
                            value.DebugString()));
                  }
                  return absl::OkStatus();
                }}},
    });
  }
  return timeouts;
}

absl::Duration TimeoutOf(const Value& config, const std::string& operation,
                         absl::Duration fallback) {
  std::optional<std::string> text = StringAttribute(AttributeOf(config, "timeouts"), operation);
  absl::Duration duration;
  if (!text || !absl::ParseDuration(*text, &duration) || duration <= absl::ZeroDuration()) {
    return fallback;
  }
  return duration;
}

}  // namespace fluxcpp::provider::framework
