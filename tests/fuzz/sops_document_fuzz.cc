// libFuzzer target: lib/sops's document parser (YAML, JSON, dotenv and binary, with the sops
// metadata and the flattened dotenv metadata keys) must return an error, never crash, hang or
// exhaust memory, on any input. The first input byte picks the format. A parsed document is also
// decrypted with an empty key ring, which must fail cleanly (no key can open it).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "lib/sops/sops.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace sops = fluxcpp::sops;
  if (size == 0) return 0;
  static constexpr sops::Format kFormats[] = {sops::Format::kYaml, sops::Format::kJson,
                                              sops::Format::kDotenv, sops::Format::kBinary};
  sops::Format format = kFormats[data[0] % 4];
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  (void)sops::IsEncrypted(text, format);
  auto document = sops::ParseEncrypted(text, format, "fuzz");
  if (!document.ok()) return 0;
  sops::KeyRing none;
  if (sops::DecryptTree(*document, none, "fuzz").ok()) std::abort();  // decrypted without any key
  return 0;
}
