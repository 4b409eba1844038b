#include "lib/sops/pgp.h"

#include <memory>
#include <string>

#include "lib/openpgp/openpgp.h"

namespace fluxcpp::sops {

absl::StatusOr<SecretBytes> PgpDecrypt(std::string_view message, const KeyRing& keys,
                                       std::string_view fingerprint) {
  std::string label = "pgp key " + std::string(fingerprint);
  if (keys.pgp().empty()) {
    return absl::PermissionDeniedError(label + ": no OpenPGP private key was given");
  }
  absl::StatusOr<std::unique_ptr<openpgp::Context>> context = openpgp::Context::Create();
  if (!context.ok()) {
    return absl::Status(context.status().code(),
                        label + ": " + std::string(context.status().message()));
  }
  for (const auto& key : keys.pgp()) {
    std::string_view armored(reinterpret_cast<const char*>(key.armored.data()), key.armored.size());
    if (absl::Status imported = (*context)->ImportKeyRing(armored, key.source); !imported.ok()) {
      return imported;
    }
  }
  SecretBytes result;
  absl::Status decrypted = (*context)->Decrypt(
      message, [&result](std::string_view plain) { result = SecretBytes(plain); });
  if (!decrypted.ok()) {
    return absl::PermissionDeniedError(
        label + ": cannot decrypt the data key: " + std::string(decrypted.message()));
  }
  return result;
}

}  // namespace fluxcpp::sops
