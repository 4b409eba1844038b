#include "provider/flux/test_object.h"

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "provider/framework/object.h"
#include "provider/framework/resource.h"
#include "provider/protocol/text.h"

namespace fluxcpp::provider::flux {
namespace {

using framework::AttributeOf;
using framework::StringAttribute;
using framework::WithAttribute;
using protocol::Attribute;
using protocol::Cat;
using values::Type;
using values::Value;

// FNV-1a, as 16 hex digits: a digest that is the same in every build.
std::string Digest(const Value& value) {
  const std::string text = value.IsNull() ? "" : value.AsString().value_or("");
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  char hex[17];
  std::snprintf(hex, sizeof(hex), "%016llx", static_cast<unsigned long long>(hash));
  return hex;
}

class TestObject final : public framework::Resource {
 public:
  TestObject() : Resource(MakeSchema(), Timeouts()) {}

 protected:
  protocol::Diagnostics Validate(const Value& config) const override {
    protocol::Diagnostics diagnostics;
    if (StringAttribute(config, "value") == "invalid") {
      diagnostics.push_back(protocol::ErrorDiagnostic(
          "Invalid attribute value", "Attribute \"value\" must not be \"invalid\".",
          values::Path().Attribute("value")));
    }
    return diagnostics;
  }

  void Create(framework::ApplyContext& context) const override {
    if (!Delay(context)) return;
    Value state = context.state;
    state = WithAttribute(state, "id", Value::String(*StringAttribute(state, "name")));
    state = WithAttribute(
        state, "created_at",
        Value::String(absl::FormatTime(absl::RFC3339_full, absl::Now(), absl::UTCTimeZone())));
    state = WithAttribute(state, "revision", Value::Int(1));
    state = WithAttribute(state, "digest", Value::String(Digest(AttributeOf(state, "value"))));
    state = WithAttribute(state, "rules", WithRuleIds(AttributeOf(state, "rules")));
    context.state = std::move(state);
  }

  void Update(framework::ApplyContext& context) const override {
    // id and created_at are left unknown or as planned: the framework keeps the prior values.
    if (!Delay(context)) return;
    const int64_t revision = AttributeOf(context.prior, "revision").AsInt64().value_or(0);
    Value state = context.state;
    state = WithAttribute(state, "revision", Value::Int(revision + 1));
    state = WithAttribute(state, "digest", Value::String(Digest(AttributeOf(state, "value"))));
    state = WithAttribute(state, "rules", WithRuleIds(AttributeOf(state, "rules")));
    context.state = std::move(state);
  }

  void Delete(framework::ApplyContext&) const override {}

  void Refresh(framework::RefreshContext& context) const override {
    // After an import or an upgrade, the computed values the object would have.
    Value state = context.state;
    if (AttributeOf(state, "digest").IsNull()) {
      state = WithAttribute(state, "digest", Value::String(Digest(AttributeOf(state, "value"))));
    }
    if (AttributeOf(state, "revision").IsNull()) {
      state = WithAttribute(state, "revision", Value::Int(1));
    }
    if (AttributeOf(state, "created_at").IsNull()) {
      state = WithAttribute(state, "created_at", Value::String("imported"));
    }
    if (AttributeOf(state, "size").IsNull()) state = WithAttribute(state, "size", Value::Int(3));
    context.state = std::move(state);
  }

  void ImportState(framework::ImportContext& context) const override {
    if (context.id.empty()) {
      context.diagnostics.push_back(
          protocol::ErrorDiagnostic("Invalid import ID", "The ID is the object's name."));
      return;
    }
    context.state = WithAttribute(context.state, "id", Value::String(context.id));
    context.state = WithAttribute(context.state, "name", Value::String(context.id));
  }

  std::map<int64_t, framework::StateUpgrader> StateUpgraders() const override {
    protocol::Block version0;
    version0.attributes = {
        Attribute{.name = "id", .type = Type::String(), .computed = true},
        Attribute{.name = "name", .type = Type::String(), .required = true},
        Attribute{.name = "content", .type = Type::String(), .optional = true},
    };
    return {{0, framework::StateUpgrader{
                    .prior_block = version0,
                    .upgrade = [](const Value& prior) -> absl::StatusOr<Value> {
                      const Type type = protocol::ImpliedType(MakeSchemaBlockWithTimeouts());
                      absl::StatusOr<Value> state = Value::ObjectOf(
                          type, {{"id", AttributeOf(prior, "id")},
                                 {"name", AttributeOf(prior, "name")},
                                 {"value", AttributeOf(prior, "content")},
                                 {"size", Value::Int(3)},
                                 {"digest", Value::String(Digest(AttributeOf(prior, "content")))},
                                 {"revision", Value::Int(1)},
                                 {"created_at", Value::String("upgraded from version 0")}});
                      return state;
                    }}}};
  }

 private:
  // The rules with each unknown rule_id set to `name/protocol/port`.
  static Value WithRuleIds(const Value& rules) {
    if (rules.IsNull() || !rules.IsKnown()) return rules;
    std::vector<Value> elements;
    for (const Value& rule : rules.Elements()) {
      if (AttributeOf(rule, "rule_id").IsKnown()) {
        elements.push_back(rule);
        continue;
      }
      const Value port = AttributeOf(rule, "port");
      elements.push_back(WithAttribute(
          rule, "rule_id",
          Value::String(Cat(StringAttribute(rule, "name").value_or(""), "/",
                            StringAttribute(rule, "protocol").value_or(""), "/",
                            port.IsNull() ? std::string("any") : port.DebugString()))));
    }
    return Value::Set(rules.type().ElementType(), std::move(elements));
  }

  static framework::TimeoutDefaults Timeouts() {
    return {{"create", absl::Minutes(2)}, {"update", absl::Minutes(2)}};
  }

  // Waits as long as `delay` says, as a long remote operation would; false (with an error
  // diagnostic) when the wait was cancelled by the timeout or a stop.
  static bool Delay(framework::ApplyContext& context) {
    const std::optional<std::string> text = StringAttribute(context.config, "delay");
    absl::Duration delay;
    if (!text || !absl::ParseDuration(*text, &delay)) return true;
    const absl::Time start = absl::Now();
    if (context.cancellation.Sleep(delay)) return true;
    context.diagnostics.push_back(protocol::ErrorDiagnostic(
        Cat("Stopped waiting after ",
            absl::FormatDuration(absl::Trunc(absl::Now() - start, absl::Milliseconds(100))), " of ",
            absl::FormatDuration(delay)),
        Cat(context.cancellation.Status().message()), values::Path().Attribute("delay")));
    return false;
  }

  static protocol::Block MakeSchemaBlockWithTimeouts() {
    protocol::Block block = MakeSchema().block;
    block.attributes.push_back(framework::TimeoutsAttribute(Timeouts()));
    return block;
  }

  static protocol::Schema MakeSchema() {
    protocol::Schema schema{.version = 1};
    schema.block.description = "A test object for the provider framework's end-to-end tests.";
    schema.block.attributes = {
        Attribute{.name = "id",
                  .type = Type::String(),
                  .description = "The name, kept across updates.",
                  .computed = true,
                  .use_state_for_unknown = true},
        Attribute{.name = "name",
                  .type = Type::String(),
                  .description = "The object's name; changing it replaces the object.",
                  .required = true,
                  .requires_replace = true},
        Attribute{
            .name = "value", .type = Type::String(), .description = "Any text.", .optional = true},
        Attribute{.name = "delay",
                  .type = Type::String(),
                  .description = "How long create and update wait before they finish, as a long "
                                 "remote operation would (a duration such as `30s`); the wait "
                                 "ends early when the operation's timeout runs out or the "
                                 "provider is asked to stop.",
                  .optional = true,
                  .validators = {protocol::Validator{
                      .description = "A duration.",
                      .check =
                          [](const Value& value) {
                            absl::Duration duration;
                            if (absl::ParseDuration(value.AsString().value_or(""), &duration) &&
                                duration >= absl::ZeroDuration()) {
                              return absl::OkStatus();
                            }
                            return absl::InvalidArgumentError(
                                Cat("must be a duration such as 30s; got ", value.DebugString()));
                          }}}},
        Attribute{.name = "secret",
                  .type = Type::String(),
                  .description = "A secret; never shown in plans.",
                  .optional = true,
                  .sensitive = true},
        Attribute{.name = "size",
                  .type = Type::Number(),
                  .description = "A number with a default.",
                  .optional = true,
                  .computed = true,
                  .default_value = Value::Int(3)},
        Attribute{.name = "digest",
                  .type = Type::String(),
                  .description = "FNV-1a of `value`, computed at apply.",
                  .computed = true},
        Attribute{.name = "revision",
                  .type = Type::Number(),
                  .description = "1 on create, one more on each update.",
                  .computed = true},
        Attribute{.name = "created_at",
                  .type = Type::String(),
                  .description = "When the object was created; kept across updates.",
                  .computed = true,
                  .use_state_for_unknown = true},
        Attribute{
            .name = "settings",
            .nested_attributes =
                {
                    Attribute{.name = "mode",
                              .type = Type::String(),
                              .optional = true,
                              .computed = true,
                              .default_value = Value::String("fast"),
                              .validators = {protocol::Validator{
                                  .description = "One of `fast` or `slow`.",
                                  .check =
                                      [](const Value& value) {
                                        const std::string mode = value.AsString().value_or("");
                                        if (mode == "fast" || mode == "slow") {
                                          return absl::OkStatus();
                                        }
                                        return absl::InvalidArgumentError(
                                            Cat("must be fast or slow; got ", value.DebugString()));
                                      }}}},
                    Attribute{.name = "label", .type = Type::String(), .optional = true},
                },
            .description = "Nested settings.",
            .optional = true},
        Attribute{
            .name = "rules",
            .nested_attributes =
                {
                    Attribute{.name = "name",
                              .type = Type::String(),
                              .description = "The rule's name.",
                              .required = true},
                    Attribute{.name = "port",
                              .type = Type::Number(),
                              .description = "A port, 1 to 65535.",
                              .optional = true,
                              .validators = {protocol::Validator{
                                  .description = "From 1 to 65535.",
                                  .check =
                                      [](const Value& value) {
                                        const int64_t port = value.AsInt64().value_or(0);
                                        if (port >= 1 && port <= 65535) return absl::OkStatus();
                                        return absl::InvalidArgumentError(Cat(
                                            "must be from 1 to 65535; got ", value.DebugString()));
                                      }}}},
                    Attribute{.name = "protocol",
                              .type = Type::String(),
                              .description = "`tcp` or `udp`.",
                              .optional = true,
                              .computed = true,
                              .default_value = Value::String("tcp")},
                    Attribute{.name = "token",
                              .type = Type::String(),
                              .description = "A secret of the rule.",
                              .optional = true,
                              .sensitive = true},
                    Attribute{.name = "rule_id",
                              .type = Type::String(),
                              .description = "`name/protocol/port`, computed at apply.",
                              .computed = true},
                },
            .nesting = protocol::Nesting::kSet,
            .description = "A set of nested objects.",
            .optional = true},
    };
    schema.block.block_types = {protocol::NestedBlock{
        .type_name = "tag",
        .block = protocol::Block{
            .attributes =
                {
                    Attribute{.name = "key",
                              .type = Type::String(),
                              .description = "Lowercase letters and digits.",
                              .required = true,
                              .validators = {protocol::Validator{
                                  .description = "Lowercase letters and digits.",
                                  .check =
                                      [](const Value& value) {
                                        const std::string key = value.AsString().value_or("");
                                        const bool lower =
                                            !key.empty() &&
                                            key.find_first_not_of(
                                                "abcdefghijklmnopqrstuvwxyz0123456789") ==
                                                std::string::npos;
                                        if (lower) return absl::OkStatus();
                                        return absl::InvalidArgumentError(
                                            Cat("must be lowercase letters and digits; got ",
                                                value.DebugString()));
                                      }}}},
                    Attribute{.name = "value",
                              .type = Type::String(),
                              .description = "Any text.",
                              .optional = true},
                },
            .description = "A set block."},
        .nesting = protocol::Nesting::kSet}};
    return schema;
  }
};

}  // namespace

std::unique_ptr<protocol::Resource> MakeTestObjectResource() {
  return std::make_unique<TestObject>();
}

}  // namespace fluxcpp::provider::flux
