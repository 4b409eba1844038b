// OpenPGP through gpgme (GnuPG): signing (Git commits) and decryption (SOPS data keys) with keys
// handed over as armored text, never with the keys of the user who runs the program.
//
// A Context is a gpgme context bound to a private, temporary GnuPG home folder (in /dev/shm when
// it exists, so imported secret keys stay in memory); the folder and the gpg-agent serving it go
// away with the Context. Passphrases are given through gpgme's loopback pinentry, never through a
// terminal or a pinentry program.
//
// Errors name the problem and the key (by its 16-digit id) but never contain key material or the
// passphrase. Codes: kInvalidArgument (not a key ring, a malformed key id), kNotFound (no secret
// key, the key id is not in the ring), kFailedPrecondition (the key is expired, revoked, disabled
// or cannot sign), kPermissionDenied (wrong or missing passphrase, no key decrypts the message),
// kInternal otherwise.
//
// Thread-safety: a Context is used by one thread at a time; different Contexts may run
// concurrently.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace fluxcpp::openpgp {

// A key id as the Go provider takes it: 16 hexadecimal digits, optionally after "0x". Returns the
// digits in upper case; kInvalidArgument otherwise.
[[nodiscard]] absl::StatusOr<std::string> NormalizeKeyId(std::string_view key_id);

class Context {
 public:
  // A fresh context with an empty private GnuPG home.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<Context>> Create();
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  // Imports the keys of an armored key ring (public and/or secret keys). `source` labels errors
  // (a file name or "git.gpg_key_ring"). kInvalidArgument when the text holds no OpenPGP key.
  [[nodiscard]] absl::Status ImportKeyRing(std::string_view armored, std::string_view source);

  // The passphrase that unlocks the secret keys; asked for only when a key is protected. A wrong
  // one is reported as such and not retried.
  void SetPassphrase(std::string_view passphrase);

  // Chooses the secret key that SignDetached uses: the one whose primary key (or a subkey) has
  // `key_id` (see NormalizeKeyId), or, for an empty `key_id`, the first secret key that can sign.
  // Returns the chosen primary key's id (16 upper-case hex digits).
  [[nodiscard]] absl::StatusOr<std::string> SelectSigningKey(std::string_view key_id);

  // A detached, armored signature of `data` ("-----BEGIN PGP SIGNATURE-----...") by the key
  // chosen with SelectSigningKey.
  [[nodiscard]] absl::StatusOr<std::string> SignDetached(std::string_view data);

  // Decrypts an armored or binary OpenPGP message with the imported secret keys and hands the
  // plaintext to `receive`; the buffer is wiped afterwards, so `receive` must copy what it keeps.
  [[nodiscard]] absl::Status Decrypt(std::string_view message,
                                     absl::FunctionRef<void(std::string_view)> receive);

  // The private GnuPG home folder, e.g. for diagnostics in tests.
  const std::string& home() const;

  // The implementation; named here only so that gpgme's passphrase callback can reach it.
  struct State;

 private:
  explicit Context(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// What signing needs, as the Go provider's git.gpg_key_ring / gpg_passphrase / gpg_key_id have it.
struct SigningKey {
  std::string armored_key_ring;
  std::string passphrase;  // empty for an unprotected key
  std::string key_id;      // empty: the ring's first signing key
};

// A Context that holds `key` and has chosen its signing key: checks the ring, the key id and the
// key's validity up front (the passphrase can only be checked by signing). `source` labels errors.
[[nodiscard]] absl::StatusOr<std::unique_ptr<Context>> SigningContext(const SigningKey& key,
                                                                      std::string_view source);

}  // namespace fluxcpp::openpgp
