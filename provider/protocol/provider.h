// The resource framework: what a provider author implements. A Provider owns its configuration
// schema and a registry of functions, data sources and resources; the protocol server (server.h)
// answers Terraform's RPCs by decoding the wire values against these schemas, calling the matching
// object, and encoding what it returns. Authors work with cty values and diagnostics only.
//
// Thread-safety: after Serve starts, the registries are only read. Terraform calls RPCs
// concurrently (for different resources, and Validate* while others run), so every method below
// may be called from several threads at once and must synchronise its own state. ConfigureProvider
// is called once, before any Read/Plan/Apply/Import/ReadDataSource.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "provider/protocol/diagnostics.h"
#include "provider/protocol/schema.h"
#include "provider/values/value.h"

namespace fluxcpp::provider::protocol {

// Why a function call failed. Terraform shows `text`, pointing at argument `argument` (0-based)
// when it is set.
struct FunctionError {
  std::string text;
  std::optional<int64_t> argument = std::nullopt;
};

// Exactly one of a result of the declared return type, or an error.
using FunctionResult = std::variant<values::Value, FunctionError>;

// A provider-defined function, called in configurations as provider::<type>::<name>(...).
class Function {
 public:
  virtual ~Function() = default;
  virtual const FunctionDefinition& definition() const = 0;
  // `arguments` are decoded by the parameter types, one per parameter and then one per variadic
  // argument. They are non-null and wholly known unless the parameter allows otherwise.
  virtual FunctionResult Call(const std::vector<values::Value>& arguments) const = 0;
};

struct DataSourceReadResult {
  // Non-null and wholly known, of the schema's implied type.
  values::Value state;
  Diagnostics diagnostics;
};

class DataSource {
 public:
  virtual ~DataSource() = default;
  virtual const Schema& schema() const = 0;
  // May be called before the provider is configured; `config` may hold unknown values.
  virtual Diagnostics ValidateConfig(const values::Value& /*config*/) const { return {}; }
  // `config` is wholly known.
  virtual DataSourceReadResult Read(const values::Value& config) const = 0;
};

struct ResourceReadResult {
  // Null when the remote object is gone; otherwise wholly known.
  values::Value new_state;
  std::string private_data;
  Diagnostics diagnostics;
};

struct ResourcePlanRequest {
  values::Value prior_state;         // null on create
  values::Value proposed_new_state;  // config merged with prior computed values
  values::Value config;
  std::string prior_private;
};

struct ResourcePlanResult {
  values::Value planned_state;
  std::vector<values::Path> requires_replace;
  std::string planned_private;
  Diagnostics diagnostics;
};

struct ResourceApplyRequest {
  values::Value prior_state;    // null on create
  values::Value planned_state;  // null on destroy
  values::Value config;         // null on destroy
  std::string planned_private;
};

struct ResourceApplyResult {
  // Null after a destroy; otherwise wholly known and equal to every known planned value.
  values::Value new_state;
  std::string private_data;
  Diagnostics diagnostics;
};

struct ResourceImportResult {
  // The state ReadResource then refreshes; usually just the identifying attributes.
  values::Value state;
  std::string private_data;
  Diagnostics diagnostics;
};

struct ResourceUpgradeResult {
  values::Value upgraded_state;
  Diagnostics diagnostics;
};

class Resource {
 public:
  virtual ~Resource() = default;
  virtual const Schema& schema() const = 0;
  // May be called before the provider is configured; `config` may hold unknown values.
  virtual Diagnostics ValidateConfig(const values::Value& /*config*/) const { return {}; }
  // State stored at the current schema version is decoded by the server; this is called only for
  // older versions, with the state file's JSON attributes. The default refuses.
  virtual ResourceUpgradeResult UpgradeState(int64_t version, std::string_view raw_json) const;
  virtual ResourceReadResult Read(const values::Value& current_state,
                                  std::string_view private_data) const = 0;
  // Called for create and update (never for destroy: plan_destroy is not advertised).
  virtual ResourcePlanResult Plan(const ResourcePlanRequest& request) const = 0;
  virtual ResourceApplyResult Apply(const ResourceApplyRequest& request) const = 0;
  // The default says the resource cannot be imported.
  virtual ResourceImportResult Import(std::string_view id) const;
  // Terraform asks the provider to stop (StopProvider, on Ctrl-C): operations in flight should end
  // soon with an error diagnostic. Must return promptly.
  virtual void Stop() {}
};

// A provider: its configuration schema, its configuration step and what it registers.
// Subclass it to configure; register objects before serving.
class Provider {
 public:
  // `type_name` is the provider's type ("flux"); resource and data source names start with it.
  Provider(std::string type_name, Schema config_schema);
  virtual ~Provider() = default;
  Provider(const Provider&) = delete;
  Provider& operator=(const Provider&) = delete;

  const std::string& type_name() const { return type_name_; }
  const Schema& config_schema() const { return config_schema_; }

  // May be called before Configure; `config` may hold unknown values.
  virtual Diagnostics ValidateConfig(const values::Value& /*config*/) const { return {}; }
  // Called once per process, before resources and data sources are used.
  virtual Diagnostics Configure(std::string_view /*terraform_version*/,
                                const values::Value& /*config*/) {
    return {};
  }
  // Terraform asks the provider to stop what it is doing (Ctrl-C). Must return promptly; long
  // operations should notice and return with an error diagnostic. The default stops every
  // registered resource (Resource::Stop).
  virtual void Stop();

  // Registration; the name of a resource or data source must be unique within its kind.
  void AddFunction(std::unique_ptr<Function> function);
  void AddDataSource(std::string type_name, std::unique_ptr<DataSource> data_source);
  void AddResource(std::string type_name, std::unique_ptr<Resource> resource);

  // nullptr when there is no such name.
  const Function* FindFunction(std::string_view name) const;
  const DataSource* FindDataSource(std::string_view type_name) const;
  const Resource* FindResource(std::string_view type_name) const;

  const std::map<std::string, std::unique_ptr<Function>, std::less<>>& functions() const {
    return functions_;
  }
  const std::map<std::string, std::unique_ptr<DataSource>, std::less<>>& data_sources() const {
    return data_sources_;
  }
  const std::map<std::string, std::unique_ptr<Resource>, std::less<>>& resources() const {
    return resources_;
  }

 private:
  std::string type_name_;
  Schema config_schema_;
  std::map<std::string, std::unique_ptr<Function>, std::less<>> functions_;
  std::map<std::string, std::unique_ptr<DataSource>, std::less<>> data_sources_;
  std::map<std::string, std::unique_ptr<Resource>, std::less<>> resources_;
};

}  // namespace fluxcpp::provider::protocol
