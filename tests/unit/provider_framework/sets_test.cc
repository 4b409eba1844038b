// Sets of nested objects (a set nested attribute and a set block): elements correlated with prior
// ones by value, and every rule checked element by element with the element named in the path.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "provider/framework/object.h"
#include "provider/framework/rules.h"
#include "provider/framework/walk.h"

namespace fluxcpp::provider::framework {
namespace {

using protocol::Attribute;
using values::Path;
using values::Type;
using values::Value;

protocol::Validator PortRange() {
  return {.description = "1 to 65535", .check = [](const Value& value) {
            const int64_t port = value.AsInt64().value_or(0);
            return port >= 1 && port <= 65535 ? absl::OkStatus()
                                              : absl::InvalidArgumentError("must be 1 to 65535");
          }};
}

protocol::Validator NotZero() {
  return {.description = "not \"0\"", .check = [](const Value& value) {
            return value.AsString().value_or("") != "0"
                       ? absl::OkStatus()
                       : absl::InvalidArgumentError("must not be 0");
          }};
}

std::vector<Attribute> RuleAttributes() {
  return {
      Attribute{.name = "name", .type = Type::String(), .required = true},
      Attribute{
          .name = "port", .type = Type::Number(), .optional = true, .validators = {PortRange()}},
      Attribute{.name = "protocol",
                .type = Type::String(),
                .optional = true,
                .computed = true,
                .default_value = Value::String("tcp")},
      Attribute{.name = "token", .type = Type::String(), .optional = true, .sensitive = true},
      Attribute{.name = "rule_id", .type = Type::String(), .computed = true},
  };
}

protocol::Block SetBlock() {
  protocol::Block block;
  block.attributes = {
      Attribute{.name = "name", .type = Type::String(), .required = true},
      Attribute{.name = "value", .type = Type::String(), .optional = true},
      Attribute{.name = "digest", .type = Type::String(), .computed = true},
      Attribute{.name = "rules",
                .nested_attributes = RuleAttributes(),
                .nesting = protocol::Nesting::kSet,
                .optional = true},
  };
  block.block_types = {protocol::NestedBlock{
      .type_name = "tag",
      .block =
          protocol::Block{
              .attributes = {Attribute{.name = "key",
                                       .type = Type::String(),
                                       .required = true,
                                       .validators = {NotZero()}},
                             Attribute{.name = "value", .type = Type::String(), .optional = true}}},
      .nesting = protocol::Nesting::kSet}};
  return block;
}

Type RuleType() { return protocol::ImpliedType(SetBlock().attributes[3]).ElementType(); }
Type TagType() { return Type::Object({{"key", Type::String()}, {"value", Type::String()}}); }

// A configured rule: protocol and rule_id left out unless given.
Value Rule(const std::string& name, Value port, Value protocol = Value::Null(Type::String()),
           Value rule_id = Value::Null(Type::String())) {
  return *Value::ObjectOf(RuleType(), {{"name", Value::String(name)},
                                       {"port", std::move(port)},
                                       {"protocol", std::move(protocol)},
                                       {"rule_id", std::move(rule_id)}});
}

Value Tag(const std::string& key, const std::string& value) {
  return *Value::ObjectOf(TagType(),
                          {{"key", Value::String(key)}, {"value", Value::String(value)}});
}

Value Config(std::vector<Value> rules, std::vector<Value> tags = {},
             Value value = Value::String("x")) {
  return *Value::ObjectOf(protocol::ImpliedType(SetBlock()),
                          {{"name", Value::String("a")},
                           {"value", std::move(value)},
                           {"rules", Value::Set(RuleType(), std::move(rules))},
                           {"tag", Value::Set(TagType(), std::move(tags))}});
}

// The state after an apply of `config`: defaults and computed values filled in.
Value Applied(std::vector<Value> rules, std::vector<Value> tags = {}) {
  std::vector<Value> stored;
  for (const Value& rule : rules) {
    const std::string name = *StringAttribute(rule, "name");
    stored.push_back(
        Rule(name, AttributeOf(rule, "port"), Value::String("tcp"), Value::String(name + "/tcp")));
  }
  Value state = Config(std::move(stored), std::move(tags));
  return WithAttribute(state, "digest", Value::String("d"));
}

const Value kWeb = Rule("web", Value::Int(80));
const Value kDns = Rule("dns", Value::Int(53));
// Fields refer to the schema they come from, which must outlive them.
const protocol::Block kSetBlock = SetBlock();
const internal::Fields kRuleFields = internal::FieldsOf(kSetBlock.attributes[3]);

bool HasPath(const protocol::Diagnostics& diagnostics, const Path& path) {
  for (const protocol::Diagnostic& diagnostic : diagnostics) {
    if (diagnostic.attribute == path) return true;
  }
  return false;
}

TEST_CASE("a set element is named by its value, secrets hidden and nulls left out") {
  Value rule = WithAttribute(kWeb, "token", Value::String("hunter2"));
  CHECK(internal::ElementKey(kRuleFields, rule) ==
        R"({name = "web", port = 80, token = (sensitive value)})");
  CHECK(internal::ElementKey(kRuleFields, Rule("web", Value::Unknown(Type::Number()))) ==
        R"({name = "web", port = (known after apply)})");
  CHECK(Path().Attribute("rules").Element("{name = \"web\"}").Attribute("port").ToString() ==
        R"(.rules[{name = "web"}].port)");
}

TEST_CASE("set elements correspond by their configured attributes, not computed ones") {
  const Value stored = Rule("web", Value::Int(80), Value::String("tcp"), Value::String("web/tcp"));
  CHECK(internal::Corresponds(kRuleFields, kWeb, stored));
  CHECK_FALSE(internal::Corresponds(kRuleFields, Rule("web", Value::Int(81)), stored));
  CHECK_FALSE(
      internal::Corresponds(kRuleFields, Rule("web", Value::Unknown(Type::Number())), stored));
  // An optional+computed attribute counts where the configuration sets it.
  CHECK(internal::Corresponds(kRuleFields, Rule("web", Value::Int(80), Value::String("tcp")),
                              stored));
  CHECK_FALSE(internal::Corresponds(kRuleFields, Rule("web", Value::Int(80), Value::String("udp")),
                                    stored));
  const std::vector<int> match = internal::MatchSetElements(
      kRuleFields, {kDns, Rule("new", Value::Int(1)), kWeb},
      {stored, Rule("dns", Value::Int(53), Value::String("tcp"), Value::String("dns/tcp"))});
  CHECK(match == std::vector<int>{1, -1, 0});
}

TEST_CASE("validators run on each set element and the path names the element") {
  const Value config = Config({kWeb, Rule("bad", Value::Int(70000))}, {Tag("0", "zero")});
  protocol::Diagnostics diagnostics = ValidateConfig(SetBlock(), config);
  REQUIRE(diagnostics.size() == 2);
  const Path port =
      Path().Attribute("rules").Element(R"({name = "bad", port = 70000})").Attribute("port");
  CHECK(HasPath(diagnostics, port));
  CHECK(
      HasPath(diagnostics,
              Path().Attribute("tag").Element(R"({key = "0", value = "zero"})").Attribute("key")));
  for (const protocol::Diagnostic& diagnostic : diagnostics) {
    if (diagnostic.attribute == port) {
      CHECK(
          diagnostic.detail ==
          R"(Attribute "port" must be 1 to 65535. At .rules[{name = "bad", port = 70000}].port.)");
    }
  }
  CHECK(ValidateConfig(SetBlock(), Config({kWeb, kDns}, {Tag("1", "one")})).empty());
}

TEST_CASE("a computed-only attribute of a set element cannot be configured") {
  const Value config =
      Config({Rule("web", Value::Int(80), Value::Null(Type::String()), Value::String("mine"))});
  protocol::Diagnostics diagnostics = ValidateConfig(SetBlock(), config);
  REQUIRE(diagnostics.size() == 1);
  CHECK(diagnostics[0].summary == "Invalid configuration for read-only attribute");
  CHECK(diagnostics[0].attribute.ToString() ==
        R"(.rules[{name = "web", port = 80, rule_id = "mine"}].rule_id)");
}

TEST_CASE("defaults apply inside each set element") {
  const Value defaulted = ApplyDefaults(SetBlock(), Config({kWeb}));
  REQUIRE(AttributeOf(defaulted, "rules").Length() == 1);
  CHECK(AttributeOf(AttributeOf(defaulted, "rules").Elements()[0], "protocol") ==
        Value::String("tcp"));
}

TEST_CASE("an unchanged set of nested objects plans the prior state, computed values kept") {
  const Value prior = Applied({kWeb, kDns}, {Tag("1", "one")});
  const Value config = Config({kDns, kWeb}, {Tag("1", "one")});
  const Value planned = ProposePlan(SetBlock(), prior, config);
  CHECK(planned == prior);
  CHECK(CheckPlan(SetBlock(), prior, config, planned).empty());
}

TEST_CASE("a changed set element plans its computed values unknown, checked element-wise") {
  const Value prior = Applied({kWeb, kDns});
  const Value config = Config({kWeb, Rule("dns", Value::Int(5353))});
  const Value planned = ProposePlan(SetBlock(), prior, config);
  const Value rules = AttributeOf(planned, "rules");
  REQUIRE(rules.Length() == 2);
  for (const Value& rule : rules.Elements()) {
    CHECK(AttributeOf(rule, "protocol") == Value::String("tcp"));
    CHECK_FALSE(AttributeOf(rule, "rule_id").IsKnown());
  }
  CHECK(CheckPlan(SetBlock(), prior, config, planned).empty());
}

TEST_CASE("a plan that changes a configured attribute of a set element is refused at the element") {
  const Value config = Config({kWeb, kDns});
  Value planned = ProposePlan(SetBlock(), Value::Null(config.type()), config);
  // The resource moved web's port.
  std::vector<Value> rules;
  for (const Value& rule : AttributeOf(planned, "rules").Elements()) {
    rules.push_back(StringAttribute(rule, "name") == "web"
                        ? WithAttribute(rule, "port", Value::Int(8080))
                        : rule);
  }
  planned = WithAttribute(planned, "rules", Value::Set(RuleType(), std::move(rules)));
  protocol::Diagnostics diagnostics =
      CheckPlan(SetBlock(), Value::Null(config.type()), config, planned);
  REQUIRE(diagnostics.size() == 1);
  CHECK(diagnostics[0].attribute ==
        Path().Attribute("rules").Element(R"({name = "web", port = 80})").Attribute("port"));
  CHECK(diagnostics[0].detail.find(R"(.rules[{name = "web", port = 80}].port: planned value 8080 )"
                                   "does not match config value 80") != std::string::npos);
}

TEST_CASE("an unknown is refused in a set element where the configuration is known") {
  const Value config = Config({kWeb});
  Value planned = ProposePlan(SetBlock(), Value::Null(config.type()), config);
  const Value rule = AttributeOf(planned, "rules").Elements()[0];
  planned = WithAttribute(
      planned, "rules",
      Value::Set(RuleType(), {WithAttribute(rule, "port", Value::Unknown(Type::Number()))}));
  protocol::Diagnostics diagnostics =
      CheckPlan(SetBlock(), Value::Null(config.type()), config, planned);
  REQUIRE(diagnostics.size() == 1);
  CHECK(
      HasPath(diagnostics,
              Path().Attribute("rules").Element(R"({name = "web", port = 80})").Attribute("port")));
}

TEST_CASE("a set block element whose planned value moved is named") {
  const Value config = Config({}, {Tag("1", "one")});
  Value planned = ProposePlan(SetBlock(), Value::Null(config.type()), config);
  planned = WithAttribute(planned, "tag", Value::Set(TagType(), {Tag("1", "uno")}));
  protocol::Diagnostics diagnostics =
      CheckPlan(SetBlock(), Value::Null(config.type()), config, planned);
  REQUIRE(diagnostics.size() == 1);
  CHECK(diagnostics[0].attribute ==
        Path().Attribute("tag").Element(R"({key = "1", value = "one"})").Attribute("value"));
}

TEST_CASE("apply: computed values of set elements are filled; known ones must stay") {
  const Value config = Config({kWeb, kDns});
  const Value none = Value::Null(config.type());
  const Value planned = ProposePlan(SetBlock(), none, config);
  const Value good = Applied({kWeb, kDns});
  protocol::Diagnostics diagnostics;
  CHECK(CompleteApplyResult(SetBlock(), none, planned, good, diagnostics) == good);
  CHECK(diagnostics.empty());

  // The resource changed a planned port: both the planned element and the new one are named.
  const Value moved = Applied({kWeb, Rule("dns", Value::Int(54))});
  const Value kept = CompleteApplyResult(SetBlock(), none, planned, moved, diagnostics);
  CHECK(kept.IsWhollyKnown());
  REQUIRE(diagnostics.size() == 2);
  CHECK(diagnostics[0].summary == "Provider produced inconsistent result after apply");
  CHECK(diagnostics[0].attribute.ToString() ==
        R"(.rules[{name = "dns", port = 53, protocol = "tcp", rule_id = (known after apply)}])");
  CHECK(diagnostics[1].attribute.ToString() ==
        R"(.rules[{name = "dns", port = 54, protocol = "tcp", rule_id = "dns/tcp"}])");

  // An element the plan did not have.
  diagnostics.clear();
  CompleteApplyResult(SetBlock(), none, planned, Applied({kWeb, kDns, Rule("x", Value::Int(1))}),
                      diagnostics);
  CHECK_FALSE(diagnostics.empty());
}

TEST_CASE("requires_replace inside set elements: the set is the path when such a value changes") {
  protocol::Block block = SetBlock();
  block.attributes[3].nested_attributes[0].requires_replace = true;  // rules[*].name
  const Value prior = Applied({kWeb, kDns});
  // Another port: in place.
  CHECK(RequiresReplace(block, prior,
                        ProposePlan(block, prior, Config({kWeb, Rule("dns", Value::Int(54))})))
            .empty());
  // The same names in another order: a set has no order.
  CHECK(RequiresReplace(block, prior, ProposePlan(block, prior, Config({kDns, kWeb}))).empty());
  // Only `value` changed: in place.
  CHECK(RequiresReplace(block, prior,
                        ProposePlan(block, prior, Config({kWeb, kDns}, {}, Value::String("y"))))
            .empty());
  // A renamed element, an added one, an unknown name: replace, at the set.
  const std::vector<Path> at_set{Path().Attribute("rules")};
  CHECK(RequiresReplace(block, prior,
                        ProposePlan(block, prior, Config({kWeb, Rule("dns2", Value::Int(53))}))) ==
        at_set);
  CHECK(RequiresReplace(
            block, prior,
            ProposePlan(block, prior, Config({kWeb, kDns, Rule("x", Value::Int(1))}))) == at_set);
  const Value unknown_name = ProposePlan(
      block, prior,
      Config({kWeb, *Value::ObjectOf(RuleType(), {{"name", Value::Unknown(Type::String())},
                                                  {"port", Value::Int(53)}})}));
  CHECK(RequiresReplace(block, prior, unknown_name) ==
        std::vector<Path>{Path().Attribute("rules")});
}

TEST_CASE("requires_replace inside list elements names the element") {
  protocol::Block block = SetBlock();
  block.attributes[3].nested_attributes[0].requires_replace = true;
  block.attributes[3].nesting = protocol::Nesting::kList;
  const Type rules = protocol::ImpliedType(block.attributes[3]);
  auto with_rules = [&](const Value& state, std::vector<Value> elements) {
    return WithAttribute(state, "rules", Value::List(rules.ElementType(), std::move(elements)));
  };
  const Value base = *Value::ObjectOf(protocol::ImpliedType(block), {{"name", Value::String("a")}});
  const Value prior = with_rules(base, {kWeb, kDns});
  CHECK(
      RequiresReplace(block, prior, with_rules(base, {kWeb, Rule("dns", Value::Int(5))})).empty());
  CHECK(RequiresReplace(block, prior, with_rules(base, {kWeb, Rule("dns2", Value::Int(53))})) ==
        std::vector<Path>{Path().Attribute("rules").Index(1).Attribute("name")});
  CHECK(RequiresReplace(block, prior, with_rules(base, {kWeb})) ==
        std::vector<Path>{Path().Attribute("rules")});
}

TEST_CASE("an unknown configuration value that turns out to be the prior value plans a no-op") {
  // Planned while the port came from another resource; planned again during apply once known.
  const Value prior = Applied({kWeb});
  const Value unknown_config =
      Config({Rule("web", Value::Unknown(Type::Number()))}, {}, Value::Unknown(Type::String()));
  const Value first = ProposePlan(SetBlock(), prior, unknown_config);
  CHECK(CheckPlan(SetBlock(), prior, unknown_config, first).empty());
  CHECK_FALSE(AttributeOf(first, "value").IsKnown());
  CHECK_FALSE(AttributeOf(first, "digest").IsKnown());
  const Value resolved = Config({kWeb});
  const Value second = ProposePlan(SetBlock(), prior, resolved);
  CHECK(second == prior);  // the core then skips the apply: nothing changed
  CHECK(CheckPlan(SetBlock(), prior, resolved, second).empty());
}

}  // namespace
}  // namespace fluxcpp::provider::framework
