#include "tests/e2e/support/flux_cli.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <sstream>

namespace fluxcpp::testing {
namespace {

std::string Trim(const std::string& text) {
  const size_t first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

}  // namespace

CommandRun RunFlux(const std::string& args) {
  const char* flux = std::getenv("FLUX");
  if (flux == nullptr) FAIL("FLUX is not set: run under eval \"$(tests/env/ground up)\"");
  return RunCommand(std::string(flux) + " " + args + " 2>&1");
}

std::vector<std::map<std::string, std::string>> ParseFluxTable(const std::string& output) {
  std::vector<std::vector<std::string>> lines;
  std::istringstream stream(output);
  for (std::string line; std::getline(stream, line);) {
    std::vector<std::string> cells;
    std::istringstream cell_stream(line);
    for (std::string cell; std::getline(cell_stream, cell, '\t');) cells.push_back(Trim(cell));
    if (cells.size() > 1) lines.push_back(std::move(cells));
  }
  std::vector<std::map<std::string, std::string>> rows;
  for (size_t i = 1; i < lines.size(); ++i) {
    std::map<std::string, std::string> row;
    for (size_t column = 0; column < lines[0].size() && column < lines[i].size(); ++column) {
      row[lines[0][column]] = lines[i][column];
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace fluxcpp::testing
