#include "provider/protocol/provider.h"

#include <string>
#include <utility>

#include "provider/protocol/text.h"

namespace fluxcpp::provider::protocol {

ResourceUpgradeResult Resource::UpgradeState(int64_t version, std::string_view /*raw_json*/) const {
  return ResourceUpgradeResult{
      .diagnostics = {ErrorDiagnostic(
          "Unsupported state version",
          Cat("The state was written with schema version ", version, ", and this ",
              "resource cannot upgrade it to version ", schema().version,
              ". Upgrade through an intermediate provider release, or remove the object "
              "from state and import it again."))}};
}

ResourceImportResult Resource::Import(std::string_view /*id*/) const {
  return ResourceImportResult{
      .diagnostics = {ErrorDiagnostic("Resource import not supported",
                                      "This resource type cannot be imported; declare it in the "
                                      "configuration and let apply create it.")}};
}

Provider::Provider(std::string type_name, Schema config_schema)
    : type_name_(std::move(type_name)), config_schema_(std::move(config_schema)) {}

void Provider::Stop() {
  for (auto& [name, resource] : resources_) resource->Stop();
}

void Provider::AddFunction(std::unique_ptr<Function> function) {
  std::string name = function->definition().name;
  functions_.insert_or_assign(std::move(name), std::move(function));
}

void Provider::AddDataSource(std::string type_name, std::unique_ptr<DataSource> data_source) {
  data_sources_.insert_or_assign(std::move(type_name), std::move(data_source));
}

void Provider::AddResource(std::string type_name, std::unique_ptr<Resource> resource) {
  resources_.insert_or_assign(std::move(type_name), std::move(resource));
}

const Function* Provider::FindFunction(std::string_view name) const {
  auto it = functions_.find(name);
  return it == functions_.end() ? nullptr : it->second.get();
}

const DataSource* Provider::FindDataSource(std::string_view type_name) const {
  auto it = data_sources_.find(type_name);
  return it == data_sources_.end() ? nullptr : it->second.get();
}

const Resource* Provider::FindResource(std::string_view type_name) const {
  auto it = resources_.find(type_name);
  return it == resources_.end() ? nullptr : it->second.get();
}

}  // namespace fluxcpp::provider::protocol
