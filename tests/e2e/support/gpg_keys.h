// OpenPGP keys made at test time by the real gpg, and checks of signed commits by the real git.
#pragma once

#include <string>

#include "tests/e2e/support/ground.h"

namespace fluxcpp::testing {

struct GpgKey {
  std::string key_id;          // 16 upper-case hex digits of the primary key
  std::string armored_secret;  // gpg --export-secret-keys --armor
  std::string armored_public;  // gpg --export --armor
  std::string passphrase;
};

struct GpgKeyOptions {
  std::string passphrase;  // empty: an unprotected key
  // gpg's expiry ("never", "1d"); with `created` in the past, a key that has already expired.
  std::string expire = "never";
  std::string created;  // gpg --faked-system-time, e.g. "20200101T000000"; empty: now
};

// A fresh ed25519 signing key "<name> <name@fluxcpp.test>" made by `gpg --batch --quick-gen-key`
// in a GnuPG home of its own under `dir`.
GpgKey MakeGpgKey(const ScratchDirectory& dir, const std::string& name,
                  const GpgKeyOptions& options = {});

// A GnuPG home under `dir` that knows the public key of `key` (and nothing else), for
// `git verify-commit`. Returns its path.
std::string VerifyingGnupgHome(const ScratchDirectory& dir, const std::string& name,
                               const GpgKey& key);

// `git verify-commit --raw <commit>` in the clone `repository_dir` with GNUPGHOME=`gnupg_home`.
// The output holds gpg's status lines (e.g. "[GNUPG:] VALIDSIG <fingerprint> ...").
CommandRun VerifyCommit(const std::string& repository_dir, const std::string& commit,
                        const std::string& gnupg_home);

}  // namespace fluxcpp::testing
