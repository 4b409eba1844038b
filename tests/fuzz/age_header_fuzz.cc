// libFuzzer target: lib/sops's age reader (ASCII armor, the textual header and its stanzas, the
// payload) must return an error, never crash, hang or exhaust memory, on any input; and without a
// matching identity it must never decrypt anything.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "lib/sops/age.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace sops = fluxcpp::sops;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto file = sops::Dearmor(text);
  if (file.ok()) {
    auto header = sops::ParseAgeHeader(*file);
    if (header.ok() && (header->mac.size() != 32 || header->payload_offset > file->size()))
      std::abort();
  }
  // A fixed identity that no fuzz input was encrypted to.
  std::vector<sops::AgeIdentity> identities;
  identities.push_back(sops::AgeIdentity{sops::SecretBytes(std::string(32, '\x42')), "age1fuzz"});
  if (sops::AgeDecrypt(text, identities).ok()) std::abort();
  return 0;
}
