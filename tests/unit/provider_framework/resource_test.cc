// framework::Resource around a resource that misbehaves in each of the ways the core punishes: the
// framework refuses or repairs instead of sending the core a value it would reject.
#include "provider/framework/resource.h"

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <memory>
#include <thread>
#include <utility>

#include "provider/framework/object.h"
#include "tests/unit/provider_framework/schemas.h"

namespace fluxcpp::provider::framework {
namespace {

using namespace testing;  // NOLINT: the test schema

struct Behaviour {
  bool nondeterministic_plan = false;
  bool change_value_on_apply = false;
  bool leave_digest_unknown = false;
};

class Misbehaving final : public Resource {
 public:
  explicit Misbehaving(Behaviour behaviour)
      : Resource({.version = 1, .block = TestBlock()}, {{"create", absl::Minutes(5)}}),
        behaviour_(behaviour) {}

 protected:
  void ModifyPlan(PlanContext& context) const override {
    if (behaviour_.nondeterministic_plan) {
      context.planned =
          WithAttribute(context.planned, "digest", Value::String(std::to_string(calls_++)));
    }
  }
  void Create(ApplyContext& context) const override {
    CHECK(context.cancellation.deadline() < absl::Now() + absl::Minutes(6));
    context.state = WithAttribute(context.state, "id", Value::String("id-1"));
    if (!behaviour_.leave_digest_unknown) {
      context.state = WithAttribute(context.state, "digest", Value::String("d"));
    }
    if (behaviour_.change_value_on_apply) {
      context.state = WithAttribute(context.state, "value", Value::String("surprise"));
    }
  }
  void Update(ApplyContext& context) const override { Create(context); }
  void Delete(ApplyContext&) const override {}
  void ImportState(ImportContext& context) const override {
    context.state = WithAttribute(context.state, "name", Value::String(context.id));
  }
  std::map<int64_t, StateUpgrader> StateUpgraders() const override {
    protocol::Block version0{
        .attributes = {Attribute{.name = "title", .type = Type::String(), .required = true}}};
    return {{0, StateUpgrader{.prior_block = version0, .upgrade = [](const Value& prior) {
                                auto state = Value::ObjectOf(
                                    protocol::ImpliedType(Misbehaving({}).schema().block),
                                    {{"name", AttributeOf(prior, "title")},
                                     {"size", Value::Int(3)},
                                     {"id", Value::String("upgraded")},
                                     {"digest", Value::String("d")},
                                     {"rule", Value::List(RuleType(), {})}});
                                return state;
                              }}}};
  }

 private:
  Behaviour behaviour_;
  mutable std::atomic<int> calls_ = 0;
};

Value FullConfig(const Resource& resource, Value value) {
  return *Value::ObjectOf(protocol::ImpliedType(resource.schema().block),
                          {{"name", Value::String("a")},
                           {"value", std::move(value)},
                           {"rule", Value::List(RuleType(), {})}});
}

protocol::ResourcePlanResult Plan(const Resource& resource, const Value& config) {
  const Value prior = Value::Null(protocol::ImpliedType(resource.schema().block));
  return resource.Plan({.prior_state = prior, .proposed_new_state = config, .config = config});
}

TEST_CASE("the timeouts attribute joins the schema as a single nested object") {
  Misbehaving resource({});
  const protocol::Attribute& timeouts = resource.schema().block.attributes.back();
  CHECK(timeouts.name == "timeouts");
  CHECK(timeouts.nesting == protocol::Nesting::kSingle);
  CHECK(timeouts.optional);
  REQUIRE(timeouts.nested_attributes.size() == 1);
  CHECK(timeouts.nested_attributes[0].name == "create");
}

TEST_CASE("a plan that differs when made twice is refused") {
  Misbehaving resource({.nondeterministic_plan = true});
  protocol::ResourcePlanResult result = Plan(resource, FullConfig(resource, Value::String("x")));
  REQUIRE(result.diagnostics.size() == 1);
  CHECK(result.diagnostics[0].summary == "Provider produced a non-deterministic plan");
}

TEST_CASE("create: the result keeps the plan's known values and is wholly known") {
  for (bool misbehave : {false, true}) {
    Misbehaving resource({.change_value_on_apply = misbehave, .leave_digest_unknown = misbehave});
    const Value config = FullConfig(resource, Value::String("x"));
    protocol::ResourcePlanResult plan = Plan(resource, config);
    REQUIRE(plan.diagnostics.empty());
    const Value prior = Value::Null(plan.planned_state.type());
    protocol::ResourceApplyResult applied = resource.Apply(
        {.prior_state = prior, .planned_state = plan.planned_state, .config = config});
    CHECK(applied.new_state.IsWhollyKnown());
    CHECK(AttributeOf(applied.new_state, "value") == Value::String("x"));
    CHECK(applied.diagnostics.size() == (misbehave ? 2u : 0u));
  }
}

TEST_CASE("delete returns null") {
  Misbehaving resource({});
  const Value config = FullConfig(resource, Value::String("x"));
  const Value none = Value::Null(protocol::ImpliedType(resource.schema().block));
  protocol::ResourceApplyResult applied =
      resource.Apply({.prior_state = config, .planned_state = none, .config = none});
  CHECK(applied.new_state.IsNull());
}

TEST_CASE("import starts from an all-null object") {
  Misbehaving resource({});
  protocol::ResourceImportResult imported = resource.Import("abc");
  REQUIRE(imported.diagnostics.empty());
  CHECK(AttributeOf(imported.state, "name") == Value::String("abc"));
  CHECK(AttributeOf(imported.state, "value").IsNull());
}

TEST_CASE("state of an older version goes through its upgrader; extra keys are tolerated") {
  Misbehaving resource({});
  protocol::ResourceUpgradeResult upgraded =
      resource.UpgradeState(0, R"({"title":"old","dropped":"x"})");
  REQUIRE(upgraded.diagnostics.empty());
  CHECK(AttributeOf(upgraded.upgraded_state, "name") == Value::String("old"));
  CHECK(upgraded.upgraded_state.IsWhollyKnown());
  CHECK_FALSE(resource.UpgradeState(5, "{}").diagnostics.empty());  // no upgrader from 5
}

// A resource whose create and update wait `wait` as a long remote operation would, giving up
// when its cancellation says so.
class Waiting final : public Resource {
 public:
  Waiting(absl::Duration wait, absl::Duration timeout)
      : Resource({.version = 1, .block = TestBlock()},
                 {{"create", timeout}, {"update", timeout}, {"read", timeout}}),
        wait_(wait) {}

 protected:
  void Create(ApplyContext& context) const override {
    if (!context.cancellation.Sleep(wait_)) {
      context.diagnostics.push_back(
          protocol::ErrorDiagnostic("Stopped waiting", context.cancellation.Status()));
      return;
    }
    context.state = WithAttribute(context.state, "id", Value::String("id-1"));
    context.state = WithAttribute(context.state, "digest", Value::String("d"));
  }
  void Update(ApplyContext& context) const override { Create(context); }
  void Delete(ApplyContext&) const override {}
  void Refresh(RefreshContext& context) const override {
    if (!context.cancellation.Sleep(wait_)) {
      context.diagnostics.push_back(
          protocol::ErrorDiagnostic("Stopped waiting", context.cancellation.Status()));
    }
  }

 private:
  absl::Duration wait_;
};

// Plans and applies a create of `resource`; the result and how long the apply took.
std::pair<protocol::ResourceApplyResult, absl::Duration> Create(const Resource& resource,
                                                                const Value& config) {
  protocol::ResourcePlanResult plan = Plan(resource, config);
  REQUIRE(plan.diagnostics.empty());
  const absl::Time start = absl::Now();
  protocol::ResourceApplyResult applied =
      resource.Apply({.prior_state = Value::Null(plan.planned_state.type()),
                      .planned_state = plan.planned_state,
                      .config = config});
  return {std::move(applied), absl::Now() - start};
}

bool HasSummary(const protocol::Diagnostics& diagnostics, const std::string& summary) {
  return std::any_of(diagnostics.begin(), diagnostics.end(),
                     [&](const protocol::Diagnostic& d) { return d.summary == summary; });
}

TEST_CASE("an operation that outlasts its timeout is cancelled and named in a diagnostic") {
  Waiting resource(absl::Minutes(10), absl::Milliseconds(200));
  auto [applied, took] = Create(resource, FullConfig(resource, Value::String("x")));
  CHECK(took < absl::Seconds(5));
  CHECK(took >= absl::Milliseconds(200));
  CHECK(applied.new_state.IsNull());  // a failed create stores nothing
  REQUIRE(HasSummary(applied.diagnostics, "The create timed out"));
  const protocol::Diagnostic& timeout = applied.diagnostics.back();
  CHECK(timeout.detail.find("within its timeout of 200ms") != std::string::npos);
  CHECK(timeout.attribute == values::Path().Attribute("timeouts").Attribute("create"));
  CHECK(applied.diagnostics.front().detail == "the create timed out after 200ms");
}

TEST_CASE("the timeouts attribute of the configuration sets the deadline") {
  Waiting resource(absl::Minutes(10), absl::Minutes(30));
  Value config = FullConfig(resource, Value::String("x"));
  const Value timeouts =
      *Value::ObjectOf(protocol::ImpliedType(resource.schema().block.attributes.back()),
                       {{"create", Value::String("300ms")}});
  config = WithAttribute(config, "timeouts", timeouts);
  auto [applied, took] = Create(resource, config);
  CHECK(took < absl::Seconds(5));
  CHECK(HasSummary(applied.diagnostics, "The create timed out"));
}

TEST_CASE("an operation within its timeout is not disturbed") {
  Waiting resource(absl::Milliseconds(100), absl::Seconds(30));
  auto [applied, took] = Create(resource, FullConfig(resource, Value::String("x")));
  CHECK(applied.diagnostics.empty());
  CHECK(AttributeOf(applied.new_state, "id") == Value::String("id-1"));
}

TEST_CASE("StopProvider cancels the operation in flight and later ones") {
  auto resource = std::make_unique<Waiting>(absl::Minutes(10), absl::Minutes(30));
  const Waiting* waiting = resource.get();
  protocol::Provider provider("test", protocol::Schema{});
  provider.AddResource("test_waiting", std::move(resource));
  const Value config = FullConfig(*waiting, Value::String("x"));
  std::pair<protocol::ResourceApplyResult, absl::Duration> outcome;
  std::thread apply([&] { outcome = Create(*waiting, config); });
  absl::SleepFor(absl::Milliseconds(300));
  provider.Stop();  // what the StopProvider RPC calls
  apply.join();
  CHECK(outcome.second < absl::Seconds(5));
  CHECK(outcome.first.new_state.IsNull());
  CHECK(HasSummary(outcome.first.diagnostics, "The create was cancelled"));
  CHECK(outcome.first.diagnostics.back().detail.find("asked the provider to stop") !=
        std::string::npos);
  // A refresh after the stop ends at once too.
  protocol::ResourceReadResult read = waiting->Read(FullConfig(*waiting, Value::String("x")), "");
  CHECK(HasSummary(read.diagnostics, "The read was cancelled"));
}

TEST_CASE("a refresh is bounded by the read timeout") {
  Waiting resource(absl::Minutes(10), absl::Milliseconds(100));
  const absl::Time start = absl::Now();
  protocol::ResourceReadResult read = resource.Read(FullConfig(resource, Value::String("x")), "");
  CHECK(absl::Now() - start < absl::Seconds(5));
  CHECK(HasSummary(read.diagnostics, "The read timed out"));
}

TEST_CASE("Cancellation: sleeps through when nothing cancels, wakes early otherwise") {
  std::atomic<bool> stop{false};
  Cancellation none;
  CHECK_FALSE(none.Cancelled());
  CHECK(none.Sleep(absl::Milliseconds(10)));
  CHECK(none.Status().ok());
  Cancellation expiring("update", absl::Milliseconds(50), absl::Now() + absl::Milliseconds(50),
                        &stop);
  const absl::Time start = absl::Now();
  CHECK_FALSE(expiring.Sleep(absl::Minutes(1)));
  CHECK(absl::Now() - start < absl::Seconds(2));
  CHECK(expiring.Status().code() == absl::StatusCode::kDeadlineExceeded);
  Cancellation stopped("delete", absl::Hours(1), absl::Now() + absl::Hours(1), &stop);
  stop = true;
  CHECK_FALSE(stopped.Sleep(absl::Minutes(1)));
  CHECK(stopped.Status().code() == absl::StatusCode::kCancelled);
  CHECK(stopped.stop_flag() == &stop);
}

}  // namespace
}  // namespace fluxcpp::provider::framework
