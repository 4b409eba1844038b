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
// a .sops.yaml there applies) and returns the encrypted text.
std::string SopsEncrypt(const ScratchDirectory& dir, const std::string& file_name,
                        const std::string& plain, const std::string& options);

}  // namespace fluxcpp::testing
