#include "lib/sops/pgp.h"

#include <gpgme.h>
#include <openssl/crypto.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <system_error>

namespace fluxcpp::sops {
namespace {

struct ContextRelease {
  void operator()(gpgme_ctx_t ctx) const { gpgme_release(ctx); }
};
struct DataRelease {
  void operator()(gpgme_data_t data) const { gpgme_data_release(data); }
};
using Context = std::unique_ptr<std::remove_pointer_t<gpgme_ctx_t>, ContextRelease>;
using Data = std::unique_ptr<std::remove_pointer_t<gpgme_data_t>, DataRelease>;

// A private GnuPG home folder, removed (with the keys imported into it) when destroyed.
class ScratchHome {
 public:
  ScratchHome() {
    std::error_code error;
    std::string parent = std::filesystem::is_directory("/dev/shm", error) ? "/dev/shm" : "/tmp";
    std::string pattern = parent + "/fluxcpp-gnupg-XXXXXX";
    if (char* made = mkdtemp(pattern.data())) path_ = made;
  }
  ~ScratchHome() {
    if (path_.empty()) return;
    std::error_code error;
    std::filesystem::remove_all(path_, error);
  }
  ScratchHome(const ScratchHome&) = delete;
  ScratchHome& operator=(const ScratchHome&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string GpgError(gpgme_error_t error) { return gpgme_strerror(error); }

}  // namespace

absl::StatusOr<SecretBytes> PgpDecrypt(std::string_view message, const KeyRing& keys,
                                       std::string_view fingerprint) {
  std::string label = "pgp key " + std::string(fingerprint);
  if (keys.pgp().empty())
    return absl::PermissionDeniedError(label + ": no OpenPGP private key was given");
  static std::once_flag initialized;
  std::call_once(initialized, [] { gpgme_check_version(nullptr); });
  ScratchHome home;
  if (home.path().empty())
    return absl::InternalError(label + ": cannot create a GnuPG home folder");
  gpgme_ctx_t raw_ctx = nullptr;
  if (auto error = gpgme_new(&raw_ctx); error != 0)
    return absl::InternalError(label + ": gpgme: " + GpgError(error));
  Context ctx(raw_ctx);
  if (auto error = gpgme_ctx_set_engine_info(ctx.get(), GPGME_PROTOCOL_OpenPGP, nullptr,
                                             home.path().c_str());
      error != 0) {
    return absl::InternalError(label + ": gpgme: " + GpgError(error));
  }
  gpgme_set_pinentry_mode(ctx.get(), GPGME_PINENTRY_MODE_LOOPBACK);
  for (const auto& key : keys.pgp()) {
    gpgme_data_t raw_key = nullptr;
    if (gpgme_data_new_from_mem(&raw_key, reinterpret_cast<const char*>(key.armored.data()),
                                key.armored.size(), 0) != 0) {
      return absl::InternalError(label + ": gpgme cannot hold " + key.source);
    }
    Data key_data(raw_key);
    if (auto error = gpgme_op_import(ctx.get(), key_data.get()); error != 0) {
      return absl::InvalidArgumentError(key.source +
                                        ": not an OpenPGP private key: " + GpgError(error));
    }
  }
  gpgme_data_t raw_cipher = nullptr;
  gpgme_data_t raw_plain = nullptr;
  if (gpgme_data_new_from_mem(&raw_cipher, message.data(), message.size(), 0) != 0 ||
      gpgme_data_new(&raw_plain) != 0) {
    if (raw_cipher) gpgme_data_release(raw_cipher);
    return absl::InternalError(label + ": gpgme out of memory");
  }
  Data cipher(raw_cipher);
  Data plain(raw_plain);
  gpgme_error_t decrypt_error = gpgme_op_decrypt(ctx.get(), cipher.get(), plain.get());
  std::size_t length = 0;
  char* bytes = gpgme_data_release_and_get_mem(plain.release(), &length);
  SecretBytes result;
  if (bytes != nullptr) {
    result = SecretBytes(std::string_view(bytes, length));
    OPENSSL_cleanse(bytes, length);
    gpgme_free(bytes);
  }
  if (decrypt_error != 0) {
    return absl::PermissionDeniedError(label +
                                       ": cannot decrypt the data key: " + GpgError(decrypt_error));
  }
  return result;
}

}  // namespace fluxcpp::sops
