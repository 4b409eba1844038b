// framework::Resource around a resource that misbehaves in each of the ways the core punishes: the
// framework refuses or repairs instead of sending the core a value it would reject.
#include "provider/framework/resource.h"

#include <atomic>
#include <catch2/catch.hpp>

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
    CHECK(context.deadline < absl::Now() + absl::Minutes(6));
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

}  // namespace
}  // namespace fluxcpp::provider::framework
