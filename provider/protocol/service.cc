#include "provider/protocol/service.h"

#include <initializer_list>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "provider/protocol/log.h"
#include "provider/protocol/text.h"
#include "provider/values/json.h"
#include "provider/values/msgpack.h"

namespace fluxcpp::provider::protocol {
namespace {

using values::Type;
using values::Value;

// ---- framework → wire ----

void ToProto(const values::Path& path, tfplugin6::AttributePath* out) {
  for (const values::Path::Step& step : path.steps()) {
    // The wire has no step for a set element (cty names one by its value): the path ends at the
    // set, and the diagnostic's text names the element.
    if (step.kind == values::Path::Step::Kind::kElement) return;
    tfplugin6::AttributePath::Step* wire = out->add_steps();
    switch (step.kind) {
      case values::Path::Step::Kind::kAttribute:
        wire->set_attribute_name(step.name);
        break;
      case values::Path::Step::Kind::kIndex:
        wire->set_element_key_int(step.index);
        break;
      case values::Path::Step::Kind::kKey:
        wire->set_element_key_string(step.name);
        break;
      case values::Path::Step::Kind::kElement:
        break;
    }
  }
}

void ToProto(const Diagnostic& diagnostic, tfplugin6::Diagnostic* out) {
  out->set_severity(diagnostic.severity == Diagnostic::Severity::kError
                        ? tfplugin6::Diagnostic::ERROR
                        : tfplugin6::Diagnostic::WARNING);
  out->set_summary(diagnostic.summary);
  out->set_detail(diagnostic.detail);
  if (!diagnostic.attribute.empty()) ToProto(diagnostic.attribute, out->mutable_attribute());
}

template <typename Repeated>
void AddDiagnostics(const Diagnostics& diagnostics, Repeated* out) {
  for (const Diagnostic& diagnostic : diagnostics) ToProto(diagnostic, out->Add());
}

template <typename Repeated>
void AddDiagnostic(const Diagnostic& diagnostic, Repeated* out) {
  ToProto(diagnostic, out->Add());
}

tfplugin6::Schema::NestedBlock::NestingMode BlockNesting(Nesting nesting) {
  switch (nesting) {
    case Nesting::kSingle:
      return tfplugin6::Schema::NestedBlock::SINGLE;
    case Nesting::kList:
      return tfplugin6::Schema::NestedBlock::LIST;
    case Nesting::kSet:
      return tfplugin6::Schema::NestedBlock::SET;
    case Nesting::kMap:
      return tfplugin6::Schema::NestedBlock::MAP;
    case Nesting::kGroup:
      return tfplugin6::Schema::NestedBlock::GROUP;
  }
  return tfplugin6::Schema::NestedBlock::INVALID;
}

tfplugin6::Schema::Object::NestingMode ObjectNesting(Nesting nesting) {
  switch (nesting) {
    case Nesting::kSingle:
      return tfplugin6::Schema::Object::SINGLE;
    case Nesting::kList:
      return tfplugin6::Schema::Object::LIST;
    case Nesting::kSet:
      return tfplugin6::Schema::Object::SET;
    case Nesting::kMap:
      return tfplugin6::Schema::Object::MAP;
    case Nesting::kGroup:
      break;
  }
  return tfplugin6::Schema::Object::INVALID;
}

void ToProto(const Attribute& attribute, tfplugin6::Schema::Attribute* out) {
  out->set_name(attribute.name);
  if (attribute.nested_attributes.empty()) {
    out->set_type(attribute.type.ToJsonString());
  } else {
    tfplugin6::Schema::Object* object = out->mutable_nested_type();
    object->set_nesting(ObjectNesting(attribute.nesting));
    for (const Attribute& nested : attribute.nested_attributes) {
      ToProto(nested, object->add_attributes());
    }
  }
  out->set_description(attribute.description);
  out->set_description_kind(tfplugin6::MARKDOWN);
  out->set_required(attribute.required);
  out->set_optional(attribute.optional);
  out->set_computed(attribute.computed);
  out->set_sensitive(attribute.sensitive);
  out->set_write_only(attribute.write_only);
  out->set_deprecated(attribute.deprecated);
  out->set_deprecation_message(attribute.deprecation_message);
}

void ToProto(const Block& block, tfplugin6::Schema::Block* out) {
  for (const Attribute& attribute : block.attributes) ToProto(attribute, out->add_attributes());
  for (const NestedBlock& nested : block.block_types) {
    tfplugin6::Schema::NestedBlock* wire = out->add_block_types();
    wire->set_type_name(nested.type_name);
    ToProto(nested.block, wire->mutable_block());
    wire->set_nesting(BlockNesting(nested.nesting));
    wire->set_min_items(nested.min_items);
    wire->set_max_items(nested.max_items);
  }
  out->set_description(block.description);
  out->set_description_kind(tfplugin6::MARKDOWN);
  out->set_deprecated(block.deprecated);
}

void ToProto(const Schema& schema, tfplugin6::Schema* out) {
  out->set_version(schema.version);
  ToProto(schema.block, out->mutable_block());
}

void ToProto(const FunctionParameter& parameter, tfplugin6::Function::Parameter* out) {
  out->set_name(parameter.name);
  out->set_type(parameter.type.ToJsonString());
  out->set_allow_null_value(parameter.allow_null_value);
  out->set_allow_unknown_values(parameter.allow_unknown_values);
  out->set_description(parameter.description);
  out->set_description_kind(tfplugin6::MARKDOWN);
}

void ToProto(const FunctionDefinition& definition, tfplugin6::Function* out) {
  for (const FunctionParameter& parameter : definition.parameters) {
    ToProto(parameter, out->add_parameters());
  }
  if (definition.variadic_parameter) {
    ToProto(*definition.variadic_parameter, out->mutable_variadic_parameter());
  }
  out->mutable_return_()->set_type(definition.return_type.ToJsonString());
  out->set_summary(definition.summary);
  out->set_description(definition.description);
  out->set_description_kind(tfplugin6::MARKDOWN);
  out->set_deprecation_message(definition.deprecation_message);
}

tfplugin6::ServerCapabilities Capabilities() {
  tfplugin6::ServerCapabilities capabilities;
  // The schema never changes within a provider release: the core may cache it and skip the call.
  capabilities.set_get_provider_schema_optional(true);
  return capabilities;
}

// ---- wire ↔ values ----

// Requests carry msgpack; JSON is accepted too. A value with neither is null.
absl::StatusOr<Value> Decode(const tfplugin6::DynamicValue& wire, const Type& type) {
  if (!wire.msgpack().empty()) return values::DecodeMsgpack(wire.msgpack(), type);
  if (!wire.json().empty()) return values::DecodeJson(wire.json(), type);
  return Value::Null(type);
}

absl::Status Encode(const Value& value, const Type& type, tfplugin6::DynamicValue* out) {
  absl::StatusOr<std::string> bytes = values::EncodeMsgpack(value, type);
  if (!bytes.ok()) return bytes.status();
  out->set_msgpack(*std::move(bytes));
  return absl::OkStatus();
}

Diagnostic UnknownType(std::string_view kind, std::string_view type_name,
                       std::string_view provider_type) {
  return ErrorDiagnostic(
      Cat("Unknown ", kind, " type"),
      Cat("The provider \"", provider_type, "\" has no ", kind, " type \"", type_name,
          "\". Check the spelling, and that the provider version in the lock file is "
          "the one that introduced it."));
}

// A request value that does not match the schema: the core and the provider disagree on it.
Diagnostic UndecodableValue(std::string_view what, std::string_view type_name,
                            const absl::Status& cause) {
  return ErrorDiagnostic(
      Cat("Invalid ", what, " for ", type_name),
      Cat("The provider could not read the ", what, " Terraform sent: ", cause.message(),
          ". This is a bug in the provider or the core; please report "
          "it with the configuration that triggers it."));
}

// One value of a request to decode: where it is on the wire, where it goes, what to call it.
struct WireValue {
  const tfplugin6::DynamicValue* wire;
  Value* value;
  const char* what;
};

// Decodes the values of a request against the resource's type. On the first that does not decode,
// adds a diagnostic naming it and returns false.
template <typename Repeated>
bool DecodeEach(std::initializer_list<WireValue> wire_values, const Type& type,
                const std::string& type_name, Repeated* diagnostics) {
  for (const WireValue& item : wire_values) {
    absl::StatusOr<Value> decoded = Decode(*item.wire, type);
    if (!decoded.ok()) {
      AddDiagnostic(UndecodableValue(item.what, type_name, decoded.status()), diagnostics);
      return false;
    }
    *item.value = *std::move(decoded);
  }
  return true;
}

// A value the provider produced that does not match its own schema: a provider bug.
Diagnostic UnencodableValue(std::string_view what, std::string_view type_name,
                            const absl::Status& cause) {
  return ErrorDiagnostic(
      Cat("Provider produced an invalid ", what),
      Cat("The ", what, " for ", type_name, " does not match its schema: ", cause.message(),
          ". This is a bug in the provider; please report it."));
}

}  // namespace

grpc::Status ProviderService::GetMetadata(grpc::ServerContext*, const tfplugin6::Metadata::Request*,
                                          tfplugin6::Metadata::Response* response) {
  *response->mutable_server_capabilities() = Capabilities();
  for (const auto& [name, resource] : provider_.resources()) {
    response->add_resources()->set_type_name(name);
  }
  for (const auto& [name, data_source] : provider_.data_sources()) {
    response->add_data_sources()->set_type_name(name);
  }
  for (const auto& [name, function] : provider_.functions()) {
    response->add_functions()->set_name(name);
  }
  return grpc::Status::OK;
}

grpc::Status ProviderService::GetProviderSchema(grpc::ServerContext*,
                                                const tfplugin6::GetProviderSchema::Request*,
                                                tfplugin6::GetProviderSchema::Response* response) {
  ToProto(provider_.config_schema(), response->mutable_provider());
  for (const auto& [name, resource] : provider_.resources()) {
    ToProto(resource->schema(), &(*response->mutable_resource_schemas())[name]);
  }
  for (const auto& [name, data_source] : provider_.data_sources()) {
    ToProto(data_source->schema(), &(*response->mutable_data_source_schemas())[name]);
  }
  for (const auto& [name, function] : provider_.functions()) {
    ToProto(function->definition(), &(*response->mutable_functions())[name]);
  }
  *response->mutable_server_capabilities() = Capabilities();
  return grpc::Status::OK;
}

grpc::Status ProviderService::ValidateProviderConfig(
    grpc::ServerContext*, const tfplugin6::ValidateProviderConfig::Request* request,
    tfplugin6::ValidateProviderConfig::Response* response) {
  const Type type = ImpliedType(provider_.config_schema().block);
  absl::StatusOr<Value> config = Decode(request->config(), type);
  if (!config.ok()) {
    AddDiagnostic(UndecodableValue("configuration", "the provider", config.status()),
                  response->mutable_diagnostics());
    return grpc::Status::OK;
  }
  AddDiagnostics(provider_.ValidateConfig(*config), response->mutable_diagnostics());
  return grpc::Status::OK;
}

grpc::Status ProviderService::ValidateResourceConfig(
    grpc::ServerContext*, const tfplugin6::ValidateResourceConfig::Request* request,
    tfplugin6::ValidateResourceConfig::Response* response) {
  const Resource* resource = provider_.FindResource(request->type_name());
  if (resource == nullptr) {
    AddDiagnostic(UnknownType("resource", request->type_name(), provider_.type_name()),
                  response->mutable_diagnostics());
    return grpc::Status::OK;
  }
  absl::StatusOr<Value> config = Decode(request->config(), ImpliedType(resource->schema().block));
  if (!config.ok()) {
    AddDiagnostic(UndecodableValue("configuration", request->type_name(), config.status()),
                  response->mutable_diagnostics());
    return grpc::Status::OK;
  }
  AddDiagnostics(resource->ValidateConfig(*config), response->mutable_diagnostics());
  return grpc::Status::OK;
}

grpc::Status ProviderService::ValidateDataResourceConfig(
    grpc::ServerContext*, const tfplugin6::ValidateDataResourceConfig::Request* request,
    tfplugin6::ValidateDataResourceConfig::Response* response) {
  const DataSource* data_source = provider_.FindDataSource(request->type_name());
  if (data_source == nullptr) {
    AddDiagnostic(UnknownType("data source", request->type_name(), provider_.type_name()),
                  response->mutable_diagnostics());
    return grpc::Status::OK;
  }
  absl::StatusOr<Value> config =
      Decode(request->config(), ImpliedType(data_source->schema().block));
  if (!config.ok()) {
    AddDiagnostic(UndecodableValue("configuration", request->type_name(), config.status()),
                  response->mutable_diagnostics());
    return grpc::Status::OK;
  }
  AddDiagnostics(data_source->ValidateConfig(*config), response->mutable_diagnostics());
  return grpc::Status::OK;
}

grpc::Status ProviderService::UpgradeResourceState(
    grpc::ServerContext*, const tfplugin6::UpgradeResourceState::Request* request,
    tfplugin6::UpgradeResourceState::Response* response) {
  const std::string& type_name = request->type_name();
  const Resource* resource = provider_.FindResource(type_name);
  if (resource == nullptr) {
    AddDiagnostic(UnknownType("resource", type_name, provider_.type_name()),
                  response->mutable_diagnostics());
    return grpc::Status::OK;
  }
  const Schema& schema = resource->schema();
  const Type type = ImpliedType(schema.block);
  const std::string& json = request->raw_state().json();
  if (json.empty() && request->raw_state().flatmap_size() > 0) {
    AddDiagnostic(ErrorDiagnostic("Unsupported state format",
                                  Cat("The state of this ", type_name,
                                      " is in the flatmap format of Terraform before "
                                      "0.12, which this provider cannot read. Remove "
                                      "it from state and import it again.")),
                  response->mutable_diagnostics());
    return grpc::Status::OK;
  }
  if (request->version() > schema.version) {
    AddDiagnostic(ErrorDiagnostic("State written by a newer provider",
                                  Cat("The state of this ", type_name, " has schema version ",
                                      request->version(), ", newer than version ", schema.version,
                                      " of this provider release. Use the provider release that "
                                      "wrote it, or a newer one.")),
                  response->mutable_diagnostics());
    return grpc::Status::OK;
  }
  Value upgraded;
  if (request->version() == schema.version) {
    absl::StatusOr<Value> decoded = values::DecodeRawState(json.empty() ? "null" : json, type);
    if (!decoded.ok()) {
      AddDiagnostic(UndecodableValue("stored state", type_name, decoded.status()),
                    response->mutable_diagnostics());
      return grpc::Status::OK;
    }
    upgraded = *std::move(decoded);
  } else {
    ResourceUpgradeResult result = resource->UpgradeState(request->version(), json);
    AddDiagnostics(result.diagnostics, response->mutable_diagnostics());
    if (HasErrors(result.diagnostics)) return grpc::Status::OK;
    upgraded = std::move(result.upgraded_state);
  }
  if (absl::Status status = Encode(upgraded, type, response->mutable_upgraded_state());
      !status.ok()) {
    AddDiagnostic(UnencodableValue("upgraded state", type_name, status),
                  response->mutable_diagnostics());
  }
  return grpc::Status::OK;
}

grpc::Status ProviderService::ConfigureProvider(
    grpc::ServerContext*, const tfplugin6::ConfigureProvider::Request* request,
    tfplugin6::ConfigureProvider::Response* response) {
  const Type type = ImpliedType(provider_.config_schema().block);
  absl::StatusOr<Value> config = Decode(request->config(), type);
  if (!config.ok()) {
    AddDiagnostic(UndecodableValue("configuration", "the provider", config.status()),
                  response->mutable_diagnostics());
    return grpc::Status::OK;
  }
  Log(LogLevel::kDebug, "configuring the provider",
      {{"terraform_version", request->terraform_version()}});
  AddDiagnostics(provider_.Configure(request->terraform_version(), *config),
                 response->mutable_diagnostics());
  return grpc::Status::OK;
}

grpc::Status ProviderService::ReadResource(grpc::ServerContext*,
                                           const tfplugin6::ReadResource::Request* request,
                                           tfplugin6::ReadResource::Response* response) {
  const std::string& type_name = request->type_name();
  const Resource* resource = provider_.FindResource(type_name);
  if (resource == nullptr) {
    AddDiagnostic(UnknownType("resource", type_name, provider_.type_name()),
                  response->mutable_diagnostics());
    return grpc::Status::OK;
  }
  const Type type = ImpliedType(resource->schema().block);
  absl::StatusOr<Value> current = Decode(request->current_state(), type);
  if (!current.ok()) {
    AddDiagnostic(UndecodableValue("current state", type_name, current.status()),
                  response->mutable_diagnostics());
    return grpc::Status::OK;
  }
  ResourceReadResult result = resource->Read(*current, request->private_());
  AddDiagnostics(result.diagnostics, response->mutable_diagnostics());
  if (absl::Status status = Encode(result.new_state, type, response->mutable_new_state());
      !status.ok()) {
    AddDiagnostic(UnencodableValue("state", type_name, status), response->mutable_diagnostics());
  }
  response->set_private_(std::move(result.private_data));
  return grpc::Status::OK;
}

grpc::Status ProviderService::PlanResourceChange(
    grpc::ServerContext*, const tfplugin6::PlanResourceChange::Request* request,
    tfplugin6::PlanResourceChange::Response* response) {
  const std::string& type_name = request->type_name();
  const Resource* resource = provider_.FindResource(type_name);
  if (resource == nullptr) {
    AddDiagnostic(UnknownType("resource", type_name, provider_.type_name()),
                  response->mutable_diagnostics());
    return grpc::Status::OK;
  }
  const Type type = ImpliedType(resource->schema().block);
  ResourcePlanRequest plan{.prior_private = request->prior_private()};
  if (!DecodeEach({{&request->prior_state(), &plan.prior_state, "prior state"},
                   {&request->proposed_new_state(), &plan.proposed_new_state, "proposed state"},
                   {&request->config(), &plan.config, "configuration"}},
                  type, type_name, response->mutable_diagnostics())) {
    return grpc::Status::OK;
  }
  ResourcePlanResult result = resource->Plan(plan);
  AddDiagnostics(result.diagnostics, response->mutable_diagnostics());
  if (HasErrors(result.diagnostics)) return grpc::Status::OK;
  if (absl::Status status = Encode(result.planned_state, type, response->mutable_planned_state());
      !status.ok()) {
    AddDiagnostic(UnencodableValue("plan", type_name, status), response->mutable_diagnostics());
    return grpc::Status::OK;
  }
  for (const values::Path& path : result.requires_replace) {
    ToProto(path, response->add_requires_replace());
  }
  response->set_planned_private(std::move(result.planned_private));
  return grpc::Status::OK;
}

grpc::Status ProviderService::ApplyResourceChange(
    grpc::ServerContext*, const tfplugin6::ApplyResourceChange::Request* request,
    tfplugin6::ApplyResourceChange::Response* response) {
  const std::string& type_name = request->type_name();
  const Resource* resource = provider_.FindResource(type_name);
  if (resource == nullptr) {
    AddDiagnostic(UnknownType("resource", type_name, provider_.type_name()),
                  response->mutable_diagnostics());
    return grpc::Status::OK;
  }
  const Type type = ImpliedType(resource->schema().block);
  ResourceApplyRequest apply{.planned_private = request->planned_private()};
  if (!DecodeEach({{&request->prior_state(), &apply.prior_state, "prior state"},
                   {&request->planned_state(), &apply.planned_state, "planned state"},
                   {&request->config(), &apply.config, "configuration"}},
                  type, type_name, response->mutable_diagnostics())) {
    return grpc::Status::OK;
  }
  ResourceApplyResult result = resource->Apply(apply);
  AddDiagnostics(result.diagnostics, response->mutable_diagnostics());
  // On failure the core keeps what the provider returns as the new state (partial progress), so
  // the state is encoded whatever the diagnostics say.
  if (absl::Status status = Encode(result.new_state, type, response->mutable_new_state());
      !status.ok()) {
    AddDiagnostic(UnencodableValue("new state", type_name, status),
                  response->mutable_diagnostics());
  }
  response->set_private_(std::move(result.private_data));
  return grpc::Status::OK;
}

grpc::Status ProviderService::ImportResourceState(
    grpc::ServerContext*, const tfplugin6::ImportResourceState::Request* request,
    tfplugin6::ImportResourceState::Response* response) {
  const std::string& type_name = request->type_name();
  const Resource* resource = provider_.FindResource(type_name);
  if (resource == nullptr) {
    AddDiagnostic(UnknownType("resource", type_name, provider_.type_name()),
                  response->mutable_diagnostics());
    return grpc::Status::OK;
  }
  ResourceImportResult result = resource->Import(request->id());
  AddDiagnostics(result.diagnostics, response->mutable_diagnostics());
  if (HasErrors(result.diagnostics)) return grpc::Status::OK;
  tfplugin6::ImportResourceState::ImportedResource* imported = response->add_imported_resources();
  imported->set_type_name(type_name);
  if (absl::Status status =
          Encode(result.state, ImpliedType(resource->schema().block), imported->mutable_state());
      !status.ok()) {
    response->clear_imported_resources();
    AddDiagnostic(UnencodableValue("imported state", type_name, status),
                  response->mutable_diagnostics());
    return grpc::Status::OK;
  }
  imported->set_private_(std::move(result.private_data));
  return grpc::Status::OK;
}

grpc::Status ProviderService::MoveResourceState(
    grpc::ServerContext*, const tfplugin6::MoveResourceState::Request* request,
    tfplugin6::MoveResourceState::Response* response) {
  AddDiagnostic(
      ErrorDiagnostic("Move not supported",
                      Cat("The provider \"", provider_.type_name(), "\" cannot move state from ",
                          request->source_type_name(), " of ", request->source_provider_address(),
                          " into ", request->target_type_name(),
                          "; remove the `moved` block and import the object instead.")),
      response->mutable_diagnostics());
  return grpc::Status::OK;
}

grpc::Status ProviderService::ReadDataSource(grpc::ServerContext*,
                                             const tfplugin6::ReadDataSource::Request* request,
                                             tfplugin6::ReadDataSource::Response* response) {
  const std::string& type_name = request->type_name();
  const DataSource* data_source = provider_.FindDataSource(type_name);
  if (data_source == nullptr) {
    AddDiagnostic(UnknownType("data source", type_name, provider_.type_name()),
                  response->mutable_diagnostics());
    return grpc::Status::OK;
  }
  const Type type = ImpliedType(data_source->schema().block);
  absl::StatusOr<Value> config = Decode(request->config(), type);
  if (!config.ok()) {
    AddDiagnostic(UndecodableValue("configuration", type_name, config.status()),
                  response->mutable_diagnostics());
    return grpc::Status::OK;
  }
  DataSourceReadResult result = data_source->Read(*config);
  AddDiagnostics(result.diagnostics, response->mutable_diagnostics());
  if (HasErrors(result.diagnostics)) return grpc::Status::OK;
  if (absl::Status status = Encode(result.state, type, response->mutable_state()); !status.ok()) {
    AddDiagnostic(UnencodableValue("data source state", type_name, status),
                  response->mutable_diagnostics());
  }
  return grpc::Status::OK;
}

// The provider has no ephemeral resources; every type name is unknown.
template <typename Request, typename Response>
grpc::Status ProviderService::UnknownEphemeralResource(const Request& request, Response* response) {
  AddDiagnostic(UnknownType("ephemeral resource", request.type_name(), provider_.type_name()),
                response->mutable_diagnostics());
  return grpc::Status::OK;
}

grpc::Status ProviderService::ValidateEphemeralResourceConfig(
    grpc::ServerContext*, const tfplugin6::ValidateEphemeralResourceConfig::Request* request,
    tfplugin6::ValidateEphemeralResourceConfig::Response* response) {
  return UnknownEphemeralResource(*request, response);
}

grpc::Status ProviderService::OpenEphemeralResource(
    grpc::ServerContext*, const tfplugin6::OpenEphemeralResource::Request* request,
    tfplugin6::OpenEphemeralResource::Response* response) {
  return UnknownEphemeralResource(*request, response);
}

grpc::Status ProviderService::RenewEphemeralResource(
    grpc::ServerContext*, const tfplugin6::RenewEphemeralResource::Request* request,
    tfplugin6::RenewEphemeralResource::Response* response) {
  return UnknownEphemeralResource(*request, response);
}

grpc::Status ProviderService::CloseEphemeralResource(
    grpc::ServerContext*, const tfplugin6::CloseEphemeralResource::Request* request,
    tfplugin6::CloseEphemeralResource::Response* response) {
  return UnknownEphemeralResource(*request, response);
}

grpc::Status ProviderService::GetFunctions(grpc::ServerContext*,
                                           const tfplugin6::GetFunctions::Request*,
                                           tfplugin6::GetFunctions::Response* response) {
  for (const auto& [name, function] : provider_.functions()) {
    ToProto(function->definition(), &(*response->mutable_functions())[name]);
  }
  return grpc::Status::OK;
}

grpc::Status ProviderService::CallFunction(grpc::ServerContext*,
                                           const tfplugin6::CallFunction::Request* request,
                                           tfplugin6::CallFunction::Response* response) {
  const Function* function = provider_.FindFunction(request->name());
  if (function == nullptr) {
    response->mutable_error()->set_text(Cat("The provider \"", provider_.type_name(),
                                            "\" has no function \"", request->name(), "\"."));
    return grpc::Status::OK;
  }
  const FunctionDefinition& definition = function->definition();
  const size_t fixed = definition.parameters.size();
  const size_t given = static_cast<size_t>(request->arguments_size());
  if (given < fixed || (given > fixed && !definition.variadic_parameter)) {
    response->mutable_error()->set_text(Cat(
        "Function ", definition.name, " takes ", fixed,
        definition.variadic_parameter ? " or more arguments" : " arguments", ", got ", given, "."));
    return grpc::Status::OK;
  }
  std::vector<Value> arguments;
  arguments.reserve(given);
  for (size_t i = 0; i < given; ++i) {
    const FunctionParameter& parameter =
        i < fixed ? definition.parameters[i] : *definition.variadic_parameter;
    absl::StatusOr<Value> argument =
        Decode(request->arguments(static_cast<int>(i)), parameter.type);
    if (!argument.ok()) {
      tfplugin6::FunctionError* error = response->mutable_error();
      error->set_text(
          Cat("Invalid value for \"", parameter.name, "\": ", argument.status().message()));
      error->set_function_argument(static_cast<int64_t>(i));
      return grpc::Status::OK;
    }
    arguments.push_back(*std::move(argument));
  }
  FunctionResult result = function->Call(arguments);
  if (auto* error = std::get_if<FunctionError>(&result)) {
    response->mutable_error()->set_text(error->text);
    if (error->argument) response->mutable_error()->set_function_argument(*error->argument);
    return grpc::Status::OK;
  }
  if (absl::Status status =
          Encode(std::get<Value>(result), definition.return_type, response->mutable_result());
      !status.ok()) {
    response->clear_result();
    response->mutable_error()->set_text(
        Cat("Function ", definition.name, " produced a value that does not match its ",
            "return type: ", status.message(), ". This is a bug in the provider."));
  }
  return grpc::Status::OK;
}

grpc::Status ProviderService::StopProvider(grpc::ServerContext*,
                                           const tfplugin6::StopProvider::Request*,
                                           tfplugin6::StopProvider::Response*) {
  Log(LogLevel::kInfo, "stop requested");
  provider_.Stop();
  return grpc::Status::OK;
}

grpc::Status ControllerService::Shutdown(grpc::ServerContext*, const plugin::Empty*,
                                         plugin::Empty*) {
  Log(LogLevel::kDebug, "shutdown requested by the plugin host");
  shutdown_.Request();
  return grpc::Status::OK;
}

grpc::Status StdioService::StreamStdio(grpc::ServerContext* context, const google::protobuf::Empty*,
                                       grpc::ServerWriter<plugin::StdioData>*) {
  while (!context->IsCancelled() && !shutdown_.WaitFor(absl::Milliseconds(100))) {
  }
  return grpc::Status::OK;
}

}  // namespace fluxcpp::provider::protocol
