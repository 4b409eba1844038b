// Resources and data sources as provider authors write them: a schema plus a few operations on
// cty values. The framework implements the protocol-level interfaces of provider/protocol around
// them and enforces the core's rules (rules.h) on everything they return, so an author cannot
// send an invalid plan or an apply result inconsistent with its plan:
//
//   - configuration: validators of each attribute, then the author's Validate;
//   - plan: defaults, unknown computed values, use-state-for-unknown, requires-replace, then the
//     author's ModifyPlan; the plan is checked and must come out the same when made twice;
//   - apply: Create / Update / Delete see the plan; values known in the plan are kept, unknowns
//     the author leaves are filled from state (use_state_for_unknown) or reported;
//   - refresh, import and state upgrade results are made wholly known and of the schema's type;
//   - refresh, create, update and delete are bounded by the `timeouts` attribute and by
//     StopProvider (Cancellation);
//   - sets of nested objects are correlated with their prior elements by value, as the core does,
//     and checked element by element, diagnostics naming the element by its value.
//
// Thread-safety: as for protocol::Resource, operations may run concurrently; the contexts are
// per call.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "provider/protocol/provider.h"

namespace fluxcpp::provider::framework {

// When an operation must give up: the duration of its `timeouts` entry ran out, or Terraform asked
// the provider to stop (StopProvider, which the core sends on Ctrl-C). Operations look at it in
// their long waits and return an error diagnostic; when an operation fails once cancelled, the
// framework adds a diagnostic that names the operation and the timeout (or the stop). One that
// finishes anyway keeps its result: the work is done. A default-constructed value is never
// cancelled.
class Cancellation {
 public:
  Cancellation() = default;
  // `operation` ("create") and `timeout` are for the messages; `stop` may be null.
  Cancellation(std::string operation, absl::Duration timeout, absl::Time deadline,
               const std::atomic<bool>* stop)
      : operation_(std::move(operation)), timeout_(timeout), deadline_(deadline), stop_(stop) {}

  const std::string& operation() const { return operation_; }
  absl::Duration timeout() const { return timeout_; }
  absl::Time deadline() const { return deadline_; }
  bool StopRequested() const { return stop_ != nullptr && stop_->load(); }
  bool Expired() const { return absl::Now() >= deadline_; }
  bool Cancelled() const { return StopRequested() || Expired(); }
  // Sleeps for `duration`, waking within 50 ms of a cancellation; false when cancelled.
  bool Sleep(absl::Duration duration) const;
  // For libraries that poll a flag of their own (kube::WaitOptions::cancel): true once a stop is
  // requested; null when no stop can come. The deadline is passed to them as a timeout.
  const std::atomic<bool>* stop_flag() const { return stop_; }
  // Why the operation is cancelled: DeadlineExceeded or Cancelled with a message naming the
  // operation; OK while it may go on.
  absl::Status Status() const;

 private:
  std::string operation_;
  absl::Duration timeout_ = absl::InfiniteDuration();
  absl::Time deadline_ = absl::InfiniteFuture();
  const std::atomic<bool>* stop_ = nullptr;
};

struct PlanContext {
  const values::Value& prior;   // null on create
  const values::Value& config;  // may hold unknowns
  // The framework's plan (see ProposePlan); set computed attributes here.
  values::Value planned;
  // Replacement paths besides those of requires_replace attributes.
  std::vector<values::Path> requires_replace;
  std::string planned_private;
  protocol::Diagnostics diagnostics;
  bool IsCreate() const { return prior.IsNull(); }
};

struct ApplyContext {
  const values::Value& prior;    // null on create
  const values::Value& planned;  // null on delete
  const values::Value& config;   // null on delete
  // Starts as the plan: replace its unknowns with what the operation produced.
  values::Value state;
  std::string private_data;
  // The deadline from the `timeouts` attribute when the resource has one (otherwise none), and
  // StopProvider.
  Cancellation cancellation;
  protocol::Diagnostics diagnostics;
  // On failure a create returns no object and an update the prior state, unless this is set:
  // then `state` is stored (partial progress).
  bool keep_state_on_error = false;
};

struct RefreshContext {
  // The stored state; update what changed remotely.
  values::Value state;
  std::string private_data;
  // Set when the remote object is gone: it leaves the state, and the next plan creates it.
  bool removed = false;
  // The `read` entry of the `timeouts` attribute, when the resource has one, and StopProvider.
  Cancellation cancellation;
  protocol::Diagnostics diagnostics;
};

struct ImportContext {
  std::string id;
  // An object of the schema's type, all null: set the identifying attributes. The core then
  // refreshes it.
  values::Value state;
  std::string private_data;
  protocol::Diagnostics diagnostics;
};

// Turns state stored at an older schema version into the current one, in one step.
struct StateUpgrader {
  // The block of that version: the stored JSON is decoded with it.
  protocol::Block prior_block;
  std::function<absl::StatusOr<values::Value>(const values::Value& prior_state)> upgrade;
};

// Default durations of the `timeouts` attribute, by operation ("create", "read", "update",
// "delete").
using TimeoutDefaults = std::map<std::string, absl::Duration>;

class Resource : public protocol::Resource {
 public:
  // `schema` must pass CheckSchema (a failure aborts: it is a programming error). With timeouts,
  // a `timeouts` attribute with those operations is added to the schema.
  explicit Resource(protocol::Schema schema, TimeoutDefaults timeouts = {});

  const protocol::Schema& schema() const final { return schema_; }
  protocol::Diagnostics ValidateConfig(const values::Value& config) const final;
  protocol::ResourceUpgradeResult UpgradeState(int64_t version,
                                               std::string_view raw_json) const final;
  protocol::ResourceReadResult Read(const values::Value& current_state,
                                    std::string_view private_data) const final;
  protocol::ResourcePlanResult Plan(const protocol::ResourcePlanRequest& request) const final;
  protocol::ResourceApplyResult Apply(const protocol::ResourceApplyRequest& request) const final;
  protocol::ResourceImportResult Import(std::string_view id) const final;
  // Cancels the operations in flight and every later one: Terraform stops the provider only to
  // end the run.
  void Stop() final { stop_requested_.store(true); }

 protected:
  // Checks across attributes, after the validators passed; `config` may hold unknowns.
  virtual protocol::Diagnostics Validate(const values::Value& /*config*/) const { return {}; }
  // Sets computed values the plan can know. Must be deterministic: the framework plans twice
  // and refuses a plan that differs.
  virtual void ModifyPlan(PlanContext& /*context*/) const {}
  virtual void Create(ApplyContext& context) const = 0;
  virtual void Update(ApplyContext& context) const = 0;
  virtual void Delete(ApplyContext& context) const = 0;
  // The default keeps the state as it is.
  virtual void Refresh(RefreshContext& /*context*/) const {}
  // The default refuses import.
  virtual void ImportState(ImportContext& context) const;
  // Upgraders by the version they start from.
  virtual std::map<int64_t, StateUpgrader> StateUpgraders() const { return {}; }

 private:
  // The cancellation of `operation`, bounded by its entry in `timeouts_` read from `values`.
  Cancellation CancellationOf(const std::string& operation, const values::Value& values) const;

  protocol::Schema schema_;
  TimeoutDefaults timeouts_;
  std::atomic<bool> stop_requested_{false};
};

// A data source: Read fills the computed attributes from the configuration.
class DataSource : public protocol::DataSource {
 public:
  struct ReadContext {
    // Wholly known; defaults applied.
    const values::Value& config;
    // Starts as `config`: set the computed attributes.
    values::Value state;
    protocol::Diagnostics diagnostics;
  };

  // `schema` must pass CheckSchema (a failure aborts).
  explicit DataSource(protocol::Schema schema);

  const protocol::Schema& schema() const final { return schema_; }
  protocol::Diagnostics ValidateConfig(const values::Value& config) const final;
  protocol::DataSourceReadResult Read(const values::Value& config) const final;

 protected:
  // Checks across attributes, after the validators passed; `config` may hold unknowns (defaults
  // are applied).
  virtual protocol::Diagnostics Validate(const values::Value& /*config*/) const { return {}; }
  virtual void Fill(ReadContext& context) const = 0;

 private:
  protocol::Schema schema_;
};

// The `timeouts` attribute, a single nested object as terraform-plugin-framework-timeouts makes it
// (`timeouts = { create = "20m" }`, so configurations written for Go providers work unchanged): one
// optional duration attribute per operation, documented with its default.
protocol::Attribute TimeoutsAttribute(const TimeoutDefaults& defaults);
// The duration configured for `operation` in the `timeouts` attribute of `config`, or `fallback`.
absl::Duration TimeoutOf(const values::Value& config, const std::string& operation,
                         absl::Duration fallback);

}  // namespace fluxcpp::provider::framework
