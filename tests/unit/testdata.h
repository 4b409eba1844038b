// Reads a unit test's fixture from its testdata/ folder (TESTDATA_DIR, set per test executable).
#pragma once

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace fluxcpp::testing {

inline std::string TestdataPath(const std::string& name) {
  return std::string(TESTDATA_DIR) + "/" + name;
}

inline std::string ReadTestdata(const std::string& name) {
  std::ifstream file(TestdataPath(name), std::ios::binary);
  if (!file) throw std::runtime_error("missing fixture " + TestdataPath(name));
  std::ostringstream content;
  content << file.rdbuf();
  return content.str();
}

}  // namespace fluxcpp::testing
