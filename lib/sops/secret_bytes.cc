#include "lib/sops/secret_bytes.h"

namespace fluxcpp::sops {

void SecretBytes::Wipe() { WipeString(bytes_); }

void SecretBytes::append(std::string_view more) {
  if (bytes_.size() + more.size() > bytes_.capacity()) {
    // Growing reallocates; move through a wiped buffer so no copy is freed unwiped.
    std::string grown;
    grown.reserve((bytes_.size() + more.size()) * 2);
    grown.append(bytes_);
    WipeString(bytes_);
    bytes_ = std::move(grown);
  }
  bytes_.append(more);
}

}  // namespace fluxcpp::sops
