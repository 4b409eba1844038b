// The tfplugin6 adapter, called in process: what Terraform gets back for the requests it sends.
// (The same RPCs over the real plugin protocol, from OpenTofu, are in tests/e2e/provider.)
#include "provider/protocol/service.h"

#include <catch2/catch.hpp>

#include "provider/flux/provider.h"
#include "provider/values/msgpack.h"

namespace fluxcpp::provider::protocol {
namespace {

using values::Type;
using values::Value;

std::string Msgpack(const Value& value, const Type& type) {
  absl::StatusOr<std::string> bytes = values::EncodeMsgpack(value, type);
  REQUIRE(bytes.ok());
  return *bytes;
}

TEST_CASE(
    "the schema has the kubernetes and git provider attributes, parse_revision and the "
    "capabilities") {
  std::unique_ptr<Provider> provider = flux::MakeProvider();
  ProviderService service(*provider);
  tfplugin6::GetProviderSchema::Response response;
  REQUIRE(service.GetProviderSchema(nullptr, nullptr, &response).ok());
  CHECK(response.has_provider());
  REQUIRE(response.provider().block().attributes_size() == 2);
  CHECK(response.provider().block().attributes(0).name() == "kubernetes");
  CHECK(response.provider().block().attributes(1).name() == "git");
  CHECK(response.server_capabilities().get_provider_schema_optional());
  CHECK_FALSE(response.server_capabilities().plan_destroy());
  REQUIRE(response.functions().count("parse_revision") == 1);
  const tfplugin6::Function& function = response.functions().at("parse_revision");
  REQUIRE(function.parameters_size() == 1);
  CHECK(function.parameters(0).name() == "revision");
  CHECK(function.parameters(0).type() == "\"string\"");
  CHECK(function.return_().type() == R"(["object",{"branch":"string","sha":"string"}])");
  CHECK(response.diagnostics_size() == 0);
}

TEST_CASE("unknown type names are diagnostics, not gRPC errors") {
  std::unique_ptr<Provider> provider = flux::MakeProvider();
  ProviderService service(*provider);

  tfplugin6::ValidateResourceConfig::Request validate;
  validate.set_type_name("flux_nope");
  tfplugin6::ValidateResourceConfig::Response validated;
  REQUIRE(service.ValidateResourceConfig(nullptr, &validate, &validated).ok());
  REQUIRE(validated.diagnostics_size() == 1);
  CHECK(validated.diagnostics(0).severity() == tfplugin6::Diagnostic::ERROR);
  CHECK(validated.diagnostics(0).summary() == "Unknown resource type");
  CHECK_THAT(validated.diagnostics(0).detail(), Catch::Contains("\"flux_nope\""));

  tfplugin6::ReadDataSource::Request read;
  read.set_type_name("flux_nope");
  tfplugin6::ReadDataSource::Response data;
  REQUIRE(service.ReadDataSource(nullptr, &read, &data).ok());
  REQUIRE(data.diagnostics_size() == 1);
  CHECK(data.diagnostics(0).summary() == "Unknown data source type");

  tfplugin6::PlanResourceChange::Request plan;
  plan.set_type_name("flux_bootstrap_nope");
  tfplugin6::PlanResourceChange::Response planned;
  REQUIRE(service.PlanResourceChange(nullptr, &plan, &planned).ok());
  CHECK(planned.diagnostics_size() == 1);

  tfplugin6::OpenEphemeralResource::Request open;
  open.set_type_name("flux_token");
  tfplugin6::OpenEphemeralResource::Response opened;
  REQUIRE(service.OpenEphemeralResource(nullptr, &open, &opened).ok());
  CHECK(opened.diagnostics_size() == 1);
}

TEST_CASE("a provider configuration without blocks validates and configures") {
  std::unique_ptr<Provider> provider = flux::MakeProvider();
  ProviderService service(*provider);
  const Type type = ImpliedType(provider->config_schema().block);
  tfplugin6::ConfigureProvider::Request configure;
  configure.set_terraform_version("1.10.0");
  configure.mutable_config()->set_msgpack(Msgpack(*Value::ObjectOf(type, {}), type));
  tfplugin6::ConfigureProvider::Response configured;
  REQUIRE(service.ConfigureProvider(nullptr, &configure, &configured).ok());
  CHECK(configured.diagnostics_size() == 0);

  tfplugin6::ValidateProviderConfig::Request validate;
  validate.mutable_config()->set_msgpack("\xc1");  // never valid msgpack
  tfplugin6::ValidateProviderConfig::Response validated;
  REQUIRE(service.ValidateProviderConfig(nullptr, &validate, &validated).ok());
  CHECK(validated.diagnostics_size() == 1);
}

TEST_CASE("CallFunction returns the result, or a FunctionError naming the argument") {
  std::unique_ptr<Provider> provider = flux::MakeProvider();
  ProviderService service(*provider);
  const Type result_type = Type::Object({{"branch", Type::String()}, {"sha", Type::String()}});

  tfplugin6::CallFunction::Request call;
  call.set_name("parse_revision");
  call.add_arguments()->set_msgpack(Msgpack(Value::String("main@sha1:0a1b"), Type::String()));
  tfplugin6::CallFunction::Response response;
  REQUIRE(service.CallFunction(nullptr, &call, &response).ok());
  CHECK_FALSE(response.has_error());
  absl::StatusOr<Value> result = values::DecodeMsgpack(response.result().msgpack(), result_type);
  REQUIRE(result.ok());
  CHECK(*result ==
        Value::Object({{"branch", Value::String("main")}, {"sha", Value::String("0a1b")}}));

  call.mutable_arguments(0)->set_msgpack(Msgpack(Value::String("nope"), Type::String()));
  response.Clear();
  REQUIRE(service.CallFunction(nullptr, &call, &response).ok());
  REQUIRE(response.has_error());
  CHECK(response.error().has_function_argument());
  CHECK(response.error().function_argument() == 0);
  CHECK_THAT(response.error().text(), Catch::Contains("\"revision\""));

  // A wrongly typed argument and a wrong count are errors too, never gRPC failures.
  call.mutable_arguments(0)->set_msgpack(Msgpack(Value::Bool(true), Type::Bool()));
  response.Clear();
  REQUIRE(service.CallFunction(nullptr, &call, &response).ok());
  CHECK(response.error().function_argument() == 0);
  call.clear_arguments();
  response.Clear();
  REQUIRE(service.CallFunction(nullptr, &call, &response).ok());
  CHECK_THAT(response.error().text(), Catch::Contains("takes 1 arguments, got 0"));

  call.set_name("nope");
  response.Clear();
  REQUIRE(service.CallFunction(nullptr, &call, &response).ok());
  CHECK_THAT(response.error().text(), Catch::Contains("no function \"nope\""));
}

TEST_CASE("StopProvider returns at once with no error") {
  std::unique_ptr<Provider> provider = flux::MakeProvider();
  ProviderService service(*provider);
  tfplugin6::StopProvider::Response response;
  REQUIRE(service.StopProvider(nullptr, nullptr, &response).ok());
  CHECK(response.error().empty());
}

}  // namespace
}  // namespace fluxcpp::provider::protocol
