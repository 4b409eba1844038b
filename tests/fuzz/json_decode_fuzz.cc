// libFuzzer target: the JSON decoders (DynamicValue.json, UpgradeResourceState's raw_state.json and
// type constraint JSON) must return an error, never crash, on any input. The first input byte picks
// a schema type and the decoder; what decodes must encode again.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "provider/values/json.h"
#include "provider/values/type.h"

namespace {

using fluxcpp::provider::values::Type;

const std::vector<Type>& Schemas() {
  static const std::vector<Type> kSchemas = {
      Type::Dynamic(),
      Type::String(),
      Type::Number(),
      Type::Bool(),
      Type::List(Type::Dynamic()),
      Type::Set(Type::Object({{"name", Type::String()}, {"size", Type::Number()}})),
      Type::Map(Type::List(Type::Bool())),
      Type::Tuple({Type::String(), Type::Dynamic(), Type::Number()}),
      Type::Object({{"spec", Type::Object({{"items", Type::List(Type::Dynamic())},
                                           {"labels", Type::Map(Type::String())}})},
                    {"id", Type::String()}}),
  };
  return kSchemas;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace values = fluxcpp::provider::values;
  if (size == 0) return 0;
  const uint8_t selector = data[0];
  std::string_view json(reinterpret_cast<const char*>(data + 1), size - 1);
  // Selector bits 0-3 choose the type (one past the schemas: type constraint JSON), bits 4-5 the
  // decoder.
  const size_t type_index = (selector & 0x0f) % (Schemas().size() + 1);
  if (type_index == Schemas().size()) {
    auto type = Type::FromJsonString(json);
    if (type.ok()) (void)Type::FromJsonString(type->ToJsonString());
    return 0;
  }
  const Type& type = Schemas()[type_index];
  absl::StatusOr<values::Value> value;
  switch ((selector >> 4) % 3) {
    case 0:
      value = values::DecodeJson(json, type);
      break;
    case 1:
      value = values::DecodeJson(json, type, {.ignore_unknown_attributes = true});
      break;
    default:
      value = values::DecodeRawState(json, type);
      break;
  }
  if (value.ok()) (void)values::EncodeJson(*value, type);
  return 0;
}
