// The real `sops` and age-keygen for tests that encrypt their fixtures at test time.
#pragma once

#include <string>

#include "tests/e2e/support/ground.h"

namespace fluxcpp::testing {

// $SOPS (exported by `ground up`), else the sops binary in the peer cache.
std::string SopsBinary();

struct AgeKey {
  std::string identity_file;  // the content of the key file (AGE-SECRET-KEY-1...)
  std::string recipient;      // age1...
};

// A fresh age key written by age-keygen to `<dir>/<name>.agekey`.
AgeKey MakeAgeKey(const ScratchDirectory& dir, const std::string& name);

// Writes `plain` as `<dir>/<file_name>`, encrypts it with `sops encrypt OPTIONS` (run in `dir`, so
// a .sops.yaml there applies) and returns the encrypted text. `environment` ("NAME=value ...")
// prefixes the sops command, e.g. GNUPGHOME for --pgp.
std::string SopsEncrypt(const ScratchDirectory& dir, const std::string& file_name,
                        const std::string& plain, const std::string& options,
                        const std::string& environment = "");

// A fresh OpenPGP key (RSA 2048, no passphrase) made by gpg in its own GnuPG home under `dir`; the
// gpg-agent that gpg starts there is stopped when the key goes out of scope.
class PgpKey {
 public:
  PgpKey(const ScratchDirectory& dir, const std::string& name);
  PgpKey(const PgpKey&) = delete;
  PgpKey& operator=(const PgpKey&) = delete;
  ~PgpKey();

  const std::string& fingerprint() const { return fingerprint_; }
  // The ASCII-armored private key, as a `*.asc` entry of a decryption Secret holds it.
  const std::string& armored_private_key() const { return armored_; }
  // "GNUPGHOME=<home>", for SopsEncrypt's `environment`.
  std::string Environment() const { return "GNUPGHOME=" + home_; }

 private:
  std::string home_;
  std::string fingerprint_;
  std::string armored_;
};

}  // namespace fluxcpp::testing
