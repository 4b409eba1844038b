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
                        const std::string& plain, const std::string& options) {
  std::string path = dir.Write(file_name, plain);
  return Shell("cd " + dir.path() + " && " + SopsBinary() + " encrypt " + options + " " + path);
}

}  // namespace fluxcpp::testing
