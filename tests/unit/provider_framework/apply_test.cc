// CompleteApplyResult and RequireWhollyKnown: results the core accepts, whatever the resource did.
#include <catch2/catch.hpp>

#include "provider/framework/object.h"
#include "provider/framework/rules.h"
#include "tests/unit/provider_framework/schemas.h"

namespace fluxcpp::provider::framework {
namespace {

using namespace testing;  // NOLINT: the test schema

const Value kNoPrior = Value::Null(TestType());

Value Plan() { return ProposePlan(TestBlock(), kNoPrior, Config("a", Value::String("x"))); }

TEST_CASE("the resource's values fill the plan's unknowns") {
  Value result = WithAttribute(Plan(), "id", Value::String("id-1"));
  result = WithAttribute(result, "digest", Value::String("d"));
  protocol::Diagnostics diagnostics;
  const Value completed = CompleteApplyResult(TestBlock(), kNoPrior, Plan(), result, diagnostics);
  CHECK(diagnostics.empty());
  CHECK(completed == result);
  CHECK(completed.IsWhollyKnown());
}

TEST_CASE("a changed planned value is reported and the plan's value kept") {
  Value result = WithAttribute(Plan(), "id", Value::String("id-1"));
  result = WithAttribute(result, "digest", Value::String("d"));
  result = WithAttribute(result, "value", Value::String("changed"));
  protocol::Diagnostics diagnostics;
  const Value completed = CompleteApplyResult(TestBlock(), kNoPrior, Plan(), result, diagnostics);
  REQUIRE(diagnostics.size() == 1);
  CHECK(diagnostics[0].summary == "Provider produced inconsistent result after apply");
  CHECK(diagnostics[0].attribute == values::Path().Attribute("value"));
  CHECK(AttributeOf(completed, "value") == Value::String("x"));
}

TEST_CASE("a changed sensitive value is reported without the value") {
  const Value config = WithAttribute(Config("a"), "secret", Value::String("planned-secret"));
  const Value planned = ProposePlan(TestBlock(), kNoPrior, config);
  Value result = WithAttribute(planned, "secret", Value::String("other-secret"));
  result = WithAttribute(result, "id", Value::String("i"));
  result = WithAttribute(result, "digest", Value::String("d"));
  protocol::Diagnostics diagnostics;
  CompleteApplyResult(TestBlock(), kNoPrior, planned, result, diagnostics);
  REQUIRE(diagnostics.size() == 1);
  CHECK_THAT(diagnostics[0].detail, !Catch::Contains("planned-secret"));
  CHECK_THAT(diagnostics[0].detail, !Catch::Contains("other-secret"));
}

TEST_CASE("unknowns left by the resource become null, or the prior value where marked") {
  Value prior = Plan();
  prior = WithAttribute(prior, "id", Value::String("id-1"));
  prior = WithAttribute(prior, "digest", Value::String("d-1"));
  Value planned = WithAttribute(prior, "value", Value::String("y"));
  planned = WithAttribute(planned, "id", Value::Unknown(Type::String()));
  planned = WithAttribute(planned, "digest", Value::Unknown(Type::String()));
  protocol::Diagnostics diagnostics;
  const Value completed = CompleteApplyResult(TestBlock(), prior, planned, planned, diagnostics);
  CHECK(completed.IsWhollyKnown());
  CHECK(AttributeOf(completed, "id") == Value::String("id-1"));  // use_state_for_unknown
  CHECK(AttributeOf(completed, "digest").IsNull());
  REQUIRE(diagnostics.size() == 1);
  CHECK(diagnostics[0].attribute == values::Path().Attribute("digest"));
}

TEST_CASE("RequireWhollyKnown nulls unknowns deep inside collections") {
  const Value value =
      Value::List(Type::String(), {Value::String("a"), Value::Unknown(Type::String())});
  protocol::Diagnostics diagnostics;
  const Value known =
      RequireWhollyKnown(values::Path().Attribute("l"), value, "after refresh", diagnostics);
  CHECK(known == Value::List(Type::String(), {Value::String("a"), Value::Null(Type::String())}));
  REQUIRE(diagnostics.size() == 1);
  CHECK(diagnostics[0].attribute == values::Path().Attribute("l").Index(1));
}

}  // namespace
}  // namespace fluxcpp::provider::framework
