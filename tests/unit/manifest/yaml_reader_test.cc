#include <catch2/catch.hpp>

#include "lib/manifest/yaml.h"
#include "tests/unit/testdata.h"

namespace fluxcpp::manifest {
namespace {

using fluxcpp::testing::ReadTestdata;

Json ParseOne(std::string_view text) {
  auto documents = ParseYamlDocuments(text, "inline.yaml");
  REQUIRE(documents.ok());
  REQUIRE(documents->size() == 1);
  return (*documents)[0].json;
}

TEST_CASE("a stream skips empty documents and keeps where each object starts") {
  auto objects = ReadObjects(ReadTestdata("multi.yaml"), "multi.yaml");
  REQUIRE(objects.ok());
  REQUIRE(objects->size() == 3);
  CHECK((*objects)[0].Describe() == "ConfigMap/apps/first");
  CHECK((*objects)[1].Describe() == "Deployment/apps/web");
  CHECK((*objects)[2].Describe() == "ClusterRole/reader");
  CHECK((*objects)[0].source().file == "multi.yaml");
  CHECK((*objects)[0].source().document == 1);
  CHECK((*objects)[1].source().document == 3);
  CHECK((*objects)[1].source().line == 16);
}

TEST_CASE("anchors, aliases and merge keys are resolved") {
  auto objects = ReadObjects(ReadTestdata("multi.yaml"), "multi.yaml");
  REQUIRE(objects.ok());
  const Object& web = (*objects)[1];
  CHECK(web.Label("app.kubernetes.io/name") == "web");
  CHECK(web.Label("tier") == "front");
  // Keys written beside the merge win over the merged ones.
  CHECK(web.json()["spec"]["template"]["metadata"]["labels"] ==
        Json::parse(R"({"app.kubernetes.io/name": "web", "tier": "back"})"));
  Json merged = ParseOne("a: &a {p: 1, q: 2}\nb: &b {q: 3, r: 4}\nc:\n  <<: [*a, *b]\n  p: 0\n");
  CHECK(merged["c"] == Json::parse(R"({"p": 0, "q": 2, "r": 4})"));
}

TEST_CASE("key order is kept") {
  Json value = ParseOne("zeta: 1\nalpha: 2\nmiddle: 3\n");
  std::vector<std::string> keys;
  for (const auto& [key, item] : value.items()) keys.push_back(key);
  CHECK(keys == std::vector<std::string>{"zeta", "alpha", "middle"});
}

TEST_CASE("quoted, block and tagged scalars") {
  Json value = ParseOne(
      "quoted: \"yes\"\nsingle: '0755'\nliteral: |\n  line one\n  line two\nfolded: >-\n  a\n  b\n"
      "tagged_string: !!str 3\ntagged_int: !!int \"42\"\n");
  CHECK(value["quoted"] == "yes");
  CHECK(value["single"] == "0755");
  CHECK(value["literal"] == "line one\nline two\n");
  CHECK(value["folded"] == "a b");
  CHECK(value["tagged_string"] == "3");
  CHECK(value["tagged_int"] == 42);
}

TEST_CASE("the escapes for next line and no-break space decode to UTF-8, as in any YAML reader") {
  // Found by the yaml_parse fuzz target: yaml-cpp decodes them to single Latin-1 bytes.
  Json json = ParseOne(R"(a: "x\Ny\_z\x85\u00e9"
b: "\N")");
  CHECK(json["a"] == "x\u0085y\u00a0z\u0085\u00e9");
  CHECK(json["b"] == "\u0085");
  auto again = ParseYamlDocuments(ToYaml(json), "again.yaml");
  REQUIRE(again.ok());
  CHECK((*again)[0].json == json);
}

TEST_CASE("a syntax error names the file, the document, the line and the column") {
  auto broken = ParseYamlDocuments(ReadTestdata("broken-flow.yaml"), "apps/broken-flow.yaml");
  REQUIRE_FALSE(broken.ok());
  CHECK(broken.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(broken.status().message()),
             Catch::StartsWith("apps/broken-flow.yaml: document 1, line 7"));
  auto second = ParseYamlDocuments(ReadTestdata("broken-second-document.yaml"), "two.yaml");
  REQUIRE_FALSE(second.ok());
  CHECK_THAT(std::string(second.status().message()),
             Catch::StartsWith("two.yaml: document 2, line 10"));
}

TEST_CASE(
    "a token that cannot start a node is an error, not an endless stream of empty documents") {
  // yaml-cpp reads nothing past a stray top-level `,` and would report empty documents forever;
  // the fuzzer found this as a hang.
  auto comma = ParseYamlDocuments(",", "comma.yaml");
  REQUIRE_FALSE(comma.ok());
  CHECK(comma.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(comma.status().message()),
             Catch::StartsWith("comma.yaml: document 1, line 1, column 1"));
  auto later = ParseYamlDocuments("a: 1\n---\n,\n", "later.yaml");
  REQUIRE_FALSE(later.ok());
  CHECK_THAT(std::string(later.status().message()), Catch::Contains("line 3, column 1"));
}

TEST_CASE("aliases that would expand a document beyond 100,000 nodes are refused") {
  // Eight levels of ten aliases each: 330 bytes that stand for 10^8 strings.
  std::string text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (char level = 'b', previous = 'a'; level <= 'h'; previous = level++) {
    const std::string alias = std::string("*") + previous;
    text += std::string(1, level) + ": &" + level + " [" + alias;
    for (int i = 1; i < 10; ++i) text += ", " + alias;
    text += "]\n";
  }
  auto laughs = ParseYamlDocuments(text, "laughs.yaml");
  REQUIRE_FALSE(laughs.ok());
  CHECK_THAT(std::string(laughs.status().message()),
             Catch::StartsWith("laughs.yaml: document 1, line 5"));
  CHECK_THAT(std::string(laughs.status().message()), Catch::Contains("excessive aliasing"));

  // Aliases well within the limit still resolve.
  auto shared = ParseYamlDocuments("a: &a [1, 2]\nb: [*a, *a]\n", "shared.yaml");
  REQUIRE(shared.ok());
  CHECK((*shared)[0].json["b"] == Json::parse("[[1, 2], [1, 2]]"));
}

TEST_CASE("what JSON cannot hold, and repeated keys, are errors at their position") {
  auto nan = ParseYamlDocuments("a: 1\nb: .nan\n", "numbers.yaml");
  REQUIRE_FALSE(nan.ok());
  CHECK_THAT(std::string(nan.status().message()),
             Catch::Contains("numbers.yaml: document 1, line 2, column 4"));
  CHECK_THAT(std::string(nan.status().message()), Catch::Contains(".nan"));
  auto repeated = ParseYamlDocuments("a: 1\nb: 2\na: 3\n", "keys.yaml");
  REQUIRE_FALSE(repeated.ok());
  CHECK_THAT(std::string(repeated.status().message()),
             Catch::Contains("line 3, column 1: mapping key \"a\" is defined twice"));
  auto complex_key = ParseYamlDocuments("? [a, b]\n: c\n", "keys.yaml");
  REQUIRE_FALSE(complex_key.ok());
  CHECK_THAT(std::string(complex_key.status().message()), Catch::Contains("must be a scalar"));
}

TEST_CASE("reading objects requires apiVersion and kind and names the document without them") {
  auto list = ReadObjects("- a\n- b\n", "list.yaml");
  REQUIRE_FALSE(list.ok());
  CHECK(
      std::string(list.status().message()) ==
      "list.yaml: document 1, line 1, column 1: a Kubernetes object must be a mapping, not array");
  auto no_kind =
      ReadObjects("apiVersion: v1\nkind: A\n---\napiVersion: v1\nmetadata: {}\n", "x.yaml");
  REQUIRE_FALSE(no_kind.ok());
  CHECK_THAT(std::string(no_kind.status().message()),
             Catch::StartsWith("x.yaml: document 2, line 4, column 1: the object has no kind"));
}

TEST_CASE("empty input has no documents") {
  auto nothing = ParseYamlDocuments("", "empty.yaml");
  REQUIRE(nothing.ok());
  CHECK(nothing->empty());
  auto comments = ParseYamlDocuments("# just a comment\n---\n---\n", "empty.yaml");
  REQUIRE(comments.ok());
  CHECK(comments->empty());
}

TEST_CASE("text that is not UTF-8, or holds control characters, is refused with its place") {
  auto bad_utf8 = ParseYamlDocuments("a: 1\nname\x96: web\n", "bad.yaml");
  REQUIRE(!bad_utf8.ok());
  CHECK(bad_utf8.status().message() ==
        "bad.yaml: line 2, column 5: invalid UTF-8 (a YAML file must be UTF-8 text)");
  // An overlong form and a surrogate are malformed too, as in Go.
  CHECK(!ParseYamlDocuments("a: \xC0\xAF\n", "overlong.yaml").ok());
  CHECK(!ParseYamlDocuments("a: \xED\xA0\x80\n", "surrogate.yaml").ok());
  auto control = ParseYamlDocuments(std::string_view("a: b\0c\n", 7), "nul.yaml");
  REQUIRE(!control.ok());
  CHECK(control.status().message().find("line 1, column 5: a control character") !=
        std::string::npos);
  // Escaped in a quoted string, the same characters are fine; so are tabs and CRLF line ends.
  Json escaped = ParseOne("a: \"b\\x00c\\u00e9\"\r\nb: \"x\ty\"\n");
  CHECK(escaped["a"] == std::string("b\0c\xC3\xA9", 5));
  CHECK(escaped["b"] == "x\ty");
}

}  // namespace
}  // namespace fluxcpp::manifest
