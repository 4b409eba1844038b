// Golden files for the bootstrap tests: generated output compared byte for byte with a file under
// testdata/. Run with FLUXCPP_UPDATE_GOLDEN=1 (tests/unit/bootstrap/update-golden does) to write
// the files from the current output instead, then review the diff before committing it.
#pragma once

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/unit/testdata.h"

namespace fluxcpp::testing {

// Where `expected` and `actual` part, as "line N: expected <...> got <...>"; empty when equal.
inline std::string FirstDifference(const std::string& expected, const std::string& actual) {
  std::istringstream expected_lines(expected), actual_lines(actual);
  std::string want, got;
  for (int line = 1;; ++line) {
    bool more_want = static_cast<bool>(std::getline(expected_lines, want));
    bool more_got = static_cast<bool>(std::getline(actual_lines, got));
    if (!more_want && !more_got) break;
    if (!more_want) want = "<end of file>";
    if (!more_got) got = "<end of output>";
    if (want != got || !more_want || !more_got) {
      return "line " + std::to_string(line) + ": expected <" + want + "> got <" + got + ">";
    }
  }
  return expected == actual ? "" : "the files differ in their final newline";
}

inline void CheckGolden(const std::string& name, const std::string& actual) {
  if (std::getenv("FLUXCPP_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(TestdataPath(name), std::ios::binary) << actual;
    WARN("updated golden file " << TestdataPath(name));
    return;
  }
  std::string difference = FirstDifference(ReadTestdata(name), actual);
  INFO(name << " differs from the generated output at " << difference
            << " (regenerate with tests/unit/bootstrap/update-golden if the change is intended)");
  CHECK(difference.empty());
}

}  // namespace fluxcpp::testing
