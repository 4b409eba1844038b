// flux_install and flux_sync in process: bootstrap's option errors land on the right attribute.
#include <catch2/catch.hpp>

#include "provider/flux/provider.h"
#include "provider/framework/object.h"
#include "provider/framework/rules.h"

namespace fluxcpp::provider::flux {
namespace {

using framework::AttributeOf;
using values::Type;
using values::Value;

Value Config(const protocol::DataSource& data_source, std::map<std::string, Value> attributes) {
  return *Value::ObjectOf(protocol::ImpliedType(data_source.schema().block), std::move(attributes));
}

TEST_CASE("flux_install: an unknown log level is an error on log_level") {
  auto provider = MakeProvider();
  const protocol::DataSource& install = *provider->FindDataSource("flux_install");
  const auto diagnostics =
      install.ValidateConfig(Config(install, {{"log_level", Value::String("loud")}}));
  REQUIRE(diagnostics.size() == 1);
  CHECK(diagnostics[0].attribute == values::Path().Attribute("log_level"));
}

TEST_CASE("flux_install: components without kustomize-controller is an error on components") {
  auto provider = MakeProvider();
  const protocol::DataSource& install = *provider->FindDataSource("flux_install");
  const Value components = Value::Set(Type::String(), {Value::String("source-controller")});
  const auto diagnostics = install.ValidateConfig(Config(install, {{"components", components}}));
  REQUIRE(diagnostics.size() == 1);
  CHECK(diagnostics[0].attribute == values::Path().Attribute("components"));
}

TEST_CASE("flux_install: the old image_pull_secrets spelling names itself in errors") {
  auto provider = MakeProvider();
  const protocol::DataSource& install = *provider->FindDataSource("flux_install");
  const auto diagnostics =
      install.ValidateConfig(Config(install, {{"image_pull_secrets", Value::String("Bad_Name")}}));
  REQUIRE(diagnostics.size() == 2);  // the deprecation warning, then the error
  CHECK(diagnostics[1].attribute == values::Path().Attribute("image_pull_secrets"));
}

TEST_CASE("flux_install: an unknown value skips the cross-attribute checks") {
  auto provider = MakeProvider();
  const protocol::DataSource& install = *provider->FindDataSource("flux_install");
  CHECK(install.ValidateConfig(Config(install, {{"log_level", Value::Unknown(Type::String())}}))
            .empty());
}

TEST_CASE("flux_install: read fills content, path and the defaults") {
  auto provider = MakeProvider();
  const protocol::DataSource& install = *provider->FindDataSource("flux_install");
  protocol::DataSourceReadResult read =
      install.Read(Config(install, {{"target_path", Value::String("clusters/dev")}}));
  REQUIRE(read.diagnostics.empty());
  CHECK(AttributeOf(read.state, "path") ==
        Value::String("clusters/dev/flux-system/gotk-components.yaml"));
  CHECK(AttributeOf(read.state, "namespace") == Value::String("flux-system"));
  CHECK_THAT(*AttributeOf(read.state, "content").AsString(),
             Catch::Contains("kind: CustomResourceDefinition"));
}

TEST_CASE("flux_sync: the secret_name option is the secret attribute; minutes as intervals") {
  auto provider = MakeProvider();
  const protocol::DataSource& sync = *provider->FindDataSource("flux_sync");
  const Value url = Value::String("https://example.com/fleet.git");
  auto diagnostics =
      sync.ValidateConfig(Config(sync, {{"url", url}, {"secret", Value::String("Bad_Name")}}));
  REQUIRE(diagnostics.size() == 1);
  CHECK(diagnostics[0].attribute == values::Path().Attribute("secret"));
  protocol::DataSourceReadResult read =
      sync.Read(Config(sync, {{"url", url}, {"interval", Value::String("3")}}));
  REQUIRE(read.diagnostics.empty());
  CHECK_THAT(*AttributeOf(read.state, "content").AsString(), Catch::Contains("interval: 3m0s"));
  CHECK(AttributeOf(read.state, "interval") == Value::String("3"));  // as configured
}

TEST_CASE("every schema of the provider is well formed") {
  auto provider = MakeProvider({.test_resources = true});
  for (const auto& [name, data_source] : provider->data_sources()) {
    INFO(name);
    CHECK(framework::CheckSchema(data_source->schema()).ok());
  }
  for (const auto& [name, resource] : provider->resources()) {
    INFO(name);
    CHECK(framework::CheckSchema(resource->schema()).ok());
  }
}

}  // namespace
}  // namespace fluxcpp::provider::flux
