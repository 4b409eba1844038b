#include "provider/flux/parse_revision.h"

#include <catch2/catch.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "testdata.h"

namespace fluxcpp::provider::flux {
namespace {

using values::Type;
using values::Value;

struct Case {
  std::string revision;
  bool valid = true;
  std::string branch_or_marker;
  std::string sha_or_error;
};

std::string Trim(const std::string& text) {
  const size_t first = text.find_first_not_of(' ');
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(' ') - first + 1);
}

std::vector<Case> ReadCases() {
  std::vector<Case> cases;
  std::istringstream lines(fluxcpp::testing::ReadTestdata("revisions.txt"));
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == '#') continue;
    const size_t first = line.find(" | ");
    const size_t second = line.find(" | ", first + 3);
    REQUIRE(second != std::string::npos);
    Case c{.revision = Trim(line.substr(0, first)),
           .branch_or_marker = Trim(line.substr(first + 3, second - first - 3)),
           .sha_or_error = Trim(line.substr(second + 3))};
    c.valid = c.branch_or_marker != "!";
    cases.push_back(std::move(c));
  }
  return cases;
}

TEST_CASE("Flux revisions split into branch and sha") {
  const std::vector<Case> cases = ReadCases();
  REQUIRE(cases.size() > 10);
  for (const Case& c : cases) {
    INFO("revision: \"" << c.revision << "\"");
    absl::StatusOr<Revision> revision = ParseRevision(c.revision);
    if (c.valid) {
      REQUIRE(revision.ok());
      CHECK(revision->branch == c.branch_or_marker);
      CHECK(revision->sha == c.sha_or_error);
    } else {
      REQUIRE_FALSE(revision.ok());
      CHECK(revision.status().code() == absl::StatusCode::kInvalidArgument);
      const std::string message(revision.status().message());
      CHECK_THAT(message, Catch::Contains(c.sha_or_error));
      // The message quotes the input and shows what was expected.
      CHECK_THAT(message, Catch::Contains("is not a Flux revision"));
      CHECK_THAT(message, Catch::Contains("@sha1:"));
    }
  }
}

TEST_CASE("parse_revision is declared with one string parameter and an object result") {
  std::unique_ptr<protocol::Function> function = MakeParseRevisionFunction();
  const protocol::FunctionDefinition& definition = function->definition();
  CHECK(definition.name == "parse_revision");
  REQUIRE(definition.parameters.size() == 1);
  CHECK(definition.parameters[0].name == "revision");
  CHECK(definition.parameters[0].type == Type::String());
  CHECK_FALSE(definition.parameters[0].allow_null_value);
  CHECK_FALSE(definition.variadic_parameter.has_value());
  CHECK(definition.return_type ==
        Type::Object({{"branch", Type::String()}, {"sha", Type::String()}}));
}

TEST_CASE("parse_revision returns the object, or an error naming the argument") {
  std::unique_ptr<protocol::Function> function = MakeParseRevisionFunction();
  protocol::FunctionResult result = function->Call({Value::String("main@sha1:0123abc")});
  REQUIRE(std::holds_alternative<Value>(result));
  CHECK(std::get<Value>(result) ==
        Value::Object({{"branch", Value::String("main")}, {"sha", Value::String("0123abc")}}));

  result = function->Call({Value::String("main@sha1:nothex")});
  REQUIRE(std::holds_alternative<protocol::FunctionError>(result));
  const auto& error = std::get<protocol::FunctionError>(result);
  CHECK(error.argument == 0);
  CHECK_THAT(error.text, Catch::StartsWith("Invalid value for \"revision\": "));
}

}  // namespace
}  // namespace fluxcpp::provider::flux
