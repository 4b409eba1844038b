#include "tests/e2e/support/sops_tools.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace fluxcpp::testing {

std::string SopsBinary() {
  if (const char* sops = std::getenv("SOPS"); sops != nullptr && *sops != '\0') return sops;
  static const std::string built =
      Shell(std::string(FLUXCPP_SOURCE_DIR) + "/tests/env/build-peers --bin-dir sops 2>/dev/null");
  return built.substr(0, built.find('\n')) + "/sops";
}

AgeKey MakeAgeKey(const ScratchDirectory& dir, const std::string& name) {
  std::string path = dir.path() + "/" + name + ".agekey";
  Shell("age-keygen -o " + path + " 2>/dev/null");
  std::string recipient = Shell("age-keygen -y " + path);
  std::ifstream in(path, std::ios::binary);
  std::stringstream identity;
  identity << in.rdbuf();
  return {identity.str(), recipient.substr(0, recipient.find('\n'))};
}

std::string SopsEncrypt(const ScratchDirectory& dir, const std::string& file_name,
                        const std::string& plain, const std::string& options,
                        const std::string& environment) {
  std::string path = dir.Write(file_name, plain);
  return Shell("cd " + dir.path() + " && " + environment + (environment.empty() ? "" : " ") +
               SopsBinary() + " encrypt " + options + " " + path);
}

PgpKey::PgpKey(const ScratchDirectory& dir, const std::string& name)
    : home_(dir.path() + "/" + name + ".gnupg") {
  Shell("mkdir -m 700 " + home_);
  const std::string gpg =
      "gpg --homedir " + home_ + " --batch --pinentry-mode loopback --passphrase ''";
  Shell(gpg + " --quick-gen-key '" + name +
        " <test@example.invalid>' rsa2048 encr,sign never 2>/dev/null");
  fingerprint_ =
      Shell(gpg + " --list-secret-keys --with-colons | awk -F: '$1==\"fpr\"{print $10; exit}'");
  fingerprint_ = fingerprint_.substr(0, fingerprint_.find('\n'));
  armored_ = Shell(gpg + " --armor --export-secret-keys " + fingerprint_);
}

PgpKey::~PgpKey() {
  // Best effort: a leftover agent only costs a process, and exits when its home disappears.
  (void)RunCommand("gpgconf --homedir " + home_ + " --kill gpg-agent");
}

}  // namespace fluxcpp::testing
