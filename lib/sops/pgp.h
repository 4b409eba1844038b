// OpenPGP decryption of a SOPS data key through gpgme. Internal to lib/sops.
#pragma once

#include <string_view>

#include "absl/status/statusor.h"
#include "lib/sops/secret_bytes.h"
#include "lib/sops/sops.h"

namespace fluxcpp::sops {

// Decrypts the armored PGP message `message` with the key ring's PGP keys through lib/openpgp, in
// a private GnuPG home (in /dev/shm when it exists, so keys stay in memory) removed
// afterwards. `fingerprint` only labels errors.
[[nodiscard]] absl::StatusOr<SecretBytes> PgpDecrypt(std::string_view message, const KeyRing& keys,
                                                     std::string_view fingerprint);

}  // namespace fluxcpp::sops
