#include "lib/manifest/wipe.h"

#include <openssl/crypto.h>

namespace fluxcpp::manifest {

void WipeString(std::string& text) {
  // Cleanse the whole capacity: a shrunk string may keep older secret bytes past its size.
  text.resize(text.capacity());
  if (!text.empty()) OPENSSL_cleanse(text.data(), text.size());
  text.clear();
}

void WipeJson(Json& value) {
  if (value.is_string()) {
    WipeString(value.get_ref<std::string&>());
  } else if (value.is_object() || value.is_array()) {
    for (auto& child : value) WipeJson(child);
  }
  value = Json();
}

}  // namespace fluxcpp::manifest
