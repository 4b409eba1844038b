// Owned bytes that are wiped (OPENSSL_cleanse) when they are destroyed or reassigned, for plaintext
// secrets: data keys, age file keys, decrypted values and documents. Move-only, so no stray copy
// outlives the wipe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

#include "lib/manifest/wipe.h"

namespace fluxcpp::sops {

class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(std::string bytes) : bytes_(std::move(bytes)) {}
  explicit SecretBytes(std::string_view bytes) : bytes_(bytes) {}
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  SecretBytes(SecretBytes&& other) noexcept : bytes_(std::move(other.bytes_)) { other.Wipe(); }
  SecretBytes& operator=(SecretBytes&& other) noexcept {
    if (this != &other) {
      Wipe();
      bytes_ = std::move(other.bytes_);
      other.Wipe();
    }
    return *this;
  }
  ~SecretBytes() { Wipe(); }

  std::string_view view() const { return bytes_; }
  const unsigned char* data() const {
    return reinterpret_cast<const unsigned char*>(bytes_.data());
  }
  unsigned char* mutable_data() { return reinterpret_cast<unsigned char*>(bytes_.data()); }
  std::size_t size() const { return bytes_.size(); }
  bool empty() const { return bytes_.empty(); }
  void resize(std::size_t size) { bytes_.resize(size); }
  void append(std::string_view more);
  // Overwrites the bytes with zeros and empties them.
  void Wipe();

 private:
  std::string bytes_;
};

// Overwrites `text` with zeros (for plaintext held in a std::string owned by someone else).
using manifest::WipeString;

}  // namespace fluxcpp::sops
