// ProposePlan, UseStateForUnknown, CheckPlan and RequiresReplace.
#include <catch2/catch.hpp>

#include "provider/framework/object.h"
#include "provider/framework/rules.h"
#include "tests/unit/provider_framework/schemas.h"

namespace fluxcpp::provider::framework {
namespace {

using namespace testing;  // NOLINT: the test schema

const Value kNoPrior = Value::Null(TestType());

Value Created(const std::string& name, const std::string& value) {
  Value state = Config(name, Value::String(value));
  state = WithAttribute(state, "size", Value::Int(3));
  state = WithAttribute(state, "id", Value::String("id-1"));
  state = WithAttribute(state, "digest", Value::String("d-1"));
  return state;
}

TEST_CASE("on create, computed attributes are unknown and defaults applied") {
  const Value planned = ProposePlan(TestBlock(), kNoPrior, Config("a", Value::String("x")));
  CHECK(AttributeOf(planned, "name") == Value::String("a"));
  CHECK(AttributeOf(planned, "value") == Value::String("x"));
  CHECK(AttributeOf(planned, "size") == Value::Int(3));
  CHECK_FALSE(AttributeOf(planned, "id").IsKnown());
  CHECK_FALSE(AttributeOf(planned, "digest").IsKnown());
  CHECK(AttributeOf(planned, "secret").IsNull());
  CHECK(AttributeOf(planned, "settings").IsNull());
  CHECK(CheckPlan(TestBlock(), kNoPrior, Config("a", Value::String("x")), planned).empty());
}

TEST_CASE("an unchanged configuration plans the prior state (no-op)") {
  const Value prior = Created("a", "x");
  const Value planned = ProposePlan(TestBlock(), prior, Config("a", Value::String("x")));
  CHECK(planned == prior);
  CHECK(RequiresReplace(TestBlock(), prior, planned).empty());
}

TEST_CASE("an update makes computed attributes unknown unless they use the state") {
  const Value prior = Created("a", "x");
  const Value config = Config("a", Value::String("y"));
  const Value planned = ProposePlan(TestBlock(), prior, config);
  CHECK(AttributeOf(planned, "value") == Value::String("y"));
  CHECK(AttributeOf(planned, "id") == Value::String("id-1"));
  CHECK_FALSE(AttributeOf(planned, "digest").IsKnown());
  CHECK(AttributeOf(planned, "size") == Value::Int(3));
  CHECK(CheckPlan(TestBlock(), prior, config, planned).empty());
  CHECK(RequiresReplace(TestBlock(), prior, planned).empty());
}

TEST_CASE("an unknown configuration value stays unknown in the plan") {
  const Value config = Config("a", Value::Unknown(Type::String()));
  const Value planned = ProposePlan(TestBlock(), kNoPrior, config);
  CHECK_FALSE(AttributeOf(planned, "value").IsKnown());
  CHECK(CheckPlan(TestBlock(), kNoPrior, config, planned).empty());
}

TEST_CASE("use_state_for_unknown restores the prior value of an unknown computed attribute") {
  const Value prior = Created("a", "x");
  Value planned = ProposePlan(TestBlock(), prior, Config("a", Value::String("y")));
  planned = WithAttribute(planned, "id", Value::Unknown(Type::String()));
  planned = UseStateForUnknown(TestBlock(), prior, planned);
  CHECK(AttributeOf(planned, "id") == Value::String("id-1"));
  CHECK_FALSE(AttributeOf(planned, "digest").IsKnown());  // not marked
}

TEST_CASE("defaults inside nested attributes") {
  Value config = Config("a");
  config = WithAttribute(config, "settings",
                         *Value::ObjectOf(SettingsType(), {{"label", Value::String("blue")}}));
  const Value planned = ProposePlan(TestBlock(), kNoPrior, config);
  CHECK(AttributeOf(AttributeOf(planned, "settings"), "mode") == Value::String("fast"));
  CHECK(CheckPlan(TestBlock(), kNoPrior, config, planned).empty());
}

TEST_CASE("a requires_replace attribute that changes is reported") {
  const Value prior = Created("a", "x");
  const Value planned = ProposePlan(TestBlock(), prior, Config("b", Value::String("x")));
  const std::vector<values::Path> paths = RequiresReplace(TestBlock(), prior, planned);
  REQUIRE(paths.size() == 1);
  CHECK(paths[0] == values::Path().Attribute("name"));
  CHECK(RequiresReplace(TestBlock(), kNoPrior, planned).empty());  // never on create
}

TEST_CASE("CheckPlan refuses what the core would refuse, naming the path") {
  const Value config = Config("a", Value::String("x"));
  const Value good = ProposePlan(TestBlock(), kNoPrior, config);

  SECTION("a non-computed attribute planned other than configured") {
    const auto diagnostics =
        CheckPlan(TestBlock(), kNoPrior, config, WithAttribute(good, "value", Value::String("z")));
    REQUIRE(diagnostics.size() == 1);
    CHECK(diagnostics[0].attribute == values::Path().Attribute("value"));
    CHECK_THAT(diagnostics[0].detail, Catch::Contains("does not match config value"));
  }
  SECTION("a non-computed attribute left out of the configuration but planned") {
    const auto diagnostics = CheckPlan(TestBlock(), kNoPrior, config,
                                       WithAttribute(good, "secret", Value::String("s3cr3t")));
    REQUIRE(diagnostics.size() == 1);
    CHECK(diagnostics[0].attribute == values::Path().Attribute("secret"));
    CHECK_THAT(diagnostics[0].detail, Catch::Contains("non-computed"));
    // Sensitive values are never written into the message.
    CHECK_THAT(diagnostics[0].detail, !Catch::Contains("s3cr3t"));
  }
  SECTION("unknown where the configuration is known") {
    const auto diagnostics =
        CheckPlan(TestBlock(), kNoPrior, config,
                  WithAttribute(good, "value", Value::Unknown(Type::String())));
    REQUIRE(diagnostics.size() == 1);
    CHECK(diagnostics[0].attribute == values::Path().Attribute("value"));
  }
  SECTION("a block count that differs from the configuration") {
    const Value rules = Value::List(RuleType(), {Value::Object({{"key", Value::String("k")}})});
    const auto diagnostics =
        CheckPlan(TestBlock(), kNoPrior, config, WithAttribute(good, "rule", rules));
    REQUIRE(diagnostics.size() == 1);
    CHECK(diagnostics[0].attribute == values::Path().Attribute("rule"));
  }
  SECTION("a wrongly typed value") {
    const auto diagnostics =
        CheckPlan(TestBlock(), kNoPrior, config, WithAttribute(good, "size", Value::String("3")));
    REQUIRE(diagnostics.size() == 1);
    CHECK(diagnostics[0].attribute == values::Path().Attribute("size"));
  }
  SECTION("computed attributes may be anything") {
    CHECK(
        CheckPlan(TestBlock(), kNoPrior, config, WithAttribute(good, "digest", Value::String("d")))
            .empty());
  }
}

}  // namespace
}  // namespace fluxcpp::provider::framework
