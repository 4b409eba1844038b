// libFuzzer target: the msgpack decoder must return an error, never crash, on any input. The first
// input byte picks one of a few schema types so that every decoding path gets exercised.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "provider/values/msgpack.h"

namespace {

using fluxcpp::provider::values::Type;

const std::vector<Type>& Schemas() {
  static const std::vector<Type> kSchemas = {
      Type::Dynamic(),
      Type::String(),
      Type::Number(),
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
  if (size == 0) return 0;
  const Type& type = Schemas()[data[0] % Schemas().size()];
  std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  auto value = fluxcpp::provider::values::DecodeMsgpack(bytes, type);
  if (value.ok()) {
    // What decodes must encode again.
    (void)fluxcpp::provider::values::EncodeMsgpack(*value, type);
  }
  return 0;
}
