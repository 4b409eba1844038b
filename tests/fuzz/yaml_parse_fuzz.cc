// libFuzzer target: lib/manifest's YAML reader must return an error, never crash, hang or exhaust
// memory, on any input. The first input byte picks the scalar typing. Whatever parses is written
// back with ToYaml, which must parse again.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "lib/manifest/yaml.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace manifest = fluxcpp::manifest;
  if (size == 0) return 0;
  manifest::ParseOptions options;
  options.typing =
      data[0] % 2 == 0 ? manifest::ScalarTyping::kKubectl : manifest::ScalarTyping::kKustomize;
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  auto documents = manifest::ParseYamlDocuments(text, "fuzz.yaml", options);
  if (!documents.ok()) return 0;
  for (const auto& document : *documents) {
    auto again =
        manifest::ParseYamlDocuments(manifest::ToYaml(document.json), "again.yaml", options);
    if (!again.ok()) std::abort();  // ToYaml wrote YAML its own reader refuses.
  }
  (void)manifest::ReadObjects(text, "fuzz.yaml", options);
  return 0;
}
