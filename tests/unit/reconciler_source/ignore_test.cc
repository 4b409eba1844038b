#include "reconciler/source/ignore.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <random>

namespace fluxcpp::reconciler::source {
namespace {

namespace fs = std::filesystem;

IgnoreMatcher Matcher(const std::string& text) { return IgnoreMatcher(ParseIgnorePatterns(text)); }

TEST_CASE("bare names match at any depth") {
  IgnoreMatcher matcher = Matcher("*.log\nbuild\n");
  CHECK(matcher.Ignored("debug.log", false));
  CHECK(matcher.Ignored("a/b/debug.log", false));
  CHECK(matcher.Ignored("build", true));
  CHECK(matcher.Ignored("src/build/out.o", false));  // inside an ignored folder
  CHECK_FALSE(matcher.Ignored("debug.log.txt", false));
  CHECK_FALSE(matcher.Ignored("builder/x", false));
}

TEST_CASE("a slash anchors the pattern") {
  IgnoreMatcher matcher = Matcher("/config.yaml\ndocs/*.md\n");
  CHECK(matcher.Ignored("config.yaml", false));
  CHECK_FALSE(matcher.Ignored("apps/config.yaml", false));
  CHECK(matcher.Ignored("docs/readme.md", false));
  CHECK_FALSE(matcher.Ignored("docs/sub/readme.md", false));
  CHECK_FALSE(matcher.Ignored("x/docs/readme.md", false));
}

TEST_CASE("a trailing slash matches folders only") {
  IgnoreMatcher matcher = Matcher("tmp/\n");
  CHECK(matcher.Ignored("tmp", true));
  CHECK(matcher.Ignored("tmp/file", false));
  CHECK(matcher.Ignored("a/tmp/file", false));
  CHECK_FALSE(matcher.Ignored("tmp", false));
  CHECK_FALSE(matcher.Ignored("a/tmp", false));
}

TEST_CASE("double stars") {
  IgnoreMatcher matcher = Matcher("**/secrets.yaml\nlogs/**\na/**/z.txt\n");
  CHECK(matcher.Ignored("secrets.yaml", false));
  CHECK(matcher.Ignored("deep/down/secrets.yaml", false));
  CHECK(matcher.Ignored("logs/x", false));
  CHECK(matcher.Ignored("logs/x/y", false));
  CHECK_FALSE(matcher.Ignored("logs", true));
  CHECK(matcher.Ignored("a/z.txt", false));
  CHECK(matcher.Ignored("a/b/c/z.txt", false));
  CHECK_FALSE(matcher.Ignored("b/a/z.txt", false));
}

TEST_CASE("negation: the last matching pattern decides") {
  IgnoreMatcher matcher = Matcher("*.yaml\n!keep.yaml\n");
  CHECK(matcher.Ignored("drop.yaml", false));
  CHECK_FALSE(matcher.Ignored("keep.yaml", false));
  CHECK_FALSE(matcher.Ignored("apps/keep.yaml", false));
  IgnoreMatcher reversed = Matcher("!keep.yaml\n*.yaml\n");
  CHECK(reversed.Ignored("keep.yaml", false));
  // As in Flux (go-git): a negation re-includes a file below an ignored folder.
  IgnoreMatcher folder = Matcher("apps/\n!apps/keep.yaml\n");
  CHECK(folder.Ignored("apps/drop.yaml", false));
  CHECK_FALSE(folder.Ignored("apps/keep.yaml", false));
}

TEST_CASE("comments, blanks and escapes") {
  IgnoreMatcher matcher = Matcher("# comment\n\n\\#hash\n\\!bang\ntrailing   \n");
  CHECK(matcher.Ignored("#hash", false));
  CHECK(matcher.Ignored("!bang", false));
  CHECK(matcher.Ignored("trailing", false));
  CHECK_FALSE(matcher.Ignored("# comment", false));
}

TEST_CASE("domains limit a pattern to its folder") {
  IgnoreMatcher matcher(ParseIgnorePatterns("*.txt\n/top.yaml\n", {"apps"}));
  CHECK(matcher.Ignored("apps/a.txt", false));
  CHECK(matcher.Ignored("apps/x/a.txt", false));
  CHECK_FALSE(matcher.Ignored("a.txt", false));
  CHECK(matcher.Ignored("apps/top.yaml", false));
  CHECK_FALSE(matcher.Ignored("apps/x/top.yaml", false));
}

class Tree {
 public:
  Tree() {
    std::random_device device;
    root_ = fs::temp_directory_path() / ("ignore-test-" + std::to_string(device()));
    fs::create_directories(root_);
  }
  ~Tree() { fs::remove_all(root_); }
  void Write(const std::string& path, const std::string& content) {
    fs::create_directories((root_ / path).parent_path());
    std::ofstream(root_ / path) << content;
  }
  std::string root() const { return root_.string(); }

 private:
  fs::path root_;
};

TEST_CASE("Flux's defaults apply when the source has no rules of its own") {
  Tree tree;
  tree.Write("app.yaml", "");
  auto matcher = SourceIgnoreMatcher(tree.root(), std::nullopt);
  REQUIRE(matcher.ok());
  CHECK(matcher->Ignored(".git", true));
  CHECK(matcher->Ignored(".gitignore", false));
  CHECK(matcher->Ignored("logo.png", false));
  CHECK(matcher->Ignored("dist/release.tar.gz", false));
  CHECK(matcher->Ignored(".github/workflows/ci.yaml", false));
  CHECK(matcher->Ignored("deep/.sops.yaml", false));
  CHECK(matcher->Ignored(".gitlab-ci.yml", false));
  CHECK_FALSE(matcher->Ignored("app.yaml", false));
}

TEST_CASE("spec.ignore replaces the defaults but never the VCS exclusions") {
  Tree tree;
  auto matcher = SourceIgnoreMatcher(tree.root(), std::string("/clusters/staging/\n"));
  REQUIRE(matcher.ok());
  CHECK(matcher->Ignored("clusters/staging/app.yaml", false));
  CHECK_FALSE(matcher->Ignored("clusters/prod/app.yaml", false));
  CHECK_FALSE(matcher->Ignored("logo.png", false));
  CHECK(matcher->Ignored(".git", true));
  CHECK(matcher->Ignored(".gitmodules", false));
}

TEST_CASE(".sourceignore files apply below their folder, before spec.ignore") {
  Tree tree;
  tree.Write(".sourceignore", "*.md\n");
  tree.Write("apps/.sourceignore", "*.txt\n!keep.md\n");
  auto matcher = SourceIgnoreMatcher(tree.root(), std::string("!README.md\n"));
  REQUIRE(matcher.ok());
  CHECK(matcher->Ignored("docs/guide.md", false));
  CHECK_FALSE(matcher->Ignored("README.md", false));  // spec.ignore comes last
  CHECK(matcher->Ignored("apps/notes.txt", false));
  CHECK_FALSE(matcher->Ignored("notes.txt", false));
  CHECK_FALSE(matcher->Ignored("apps/keep.md", false));
  CHECK_FALSE(matcher->Ignored("logo.png", false));  // own rules: no defaults
}

TEST_CASE("the filter walks folders unless nothing below could come back") {
  IgnoreMatcher plain = Matcher("vendor/\n");
  CHECK_FALSE(plain.Filter()("vendor", true));
  CHECK(plain.Filter()("src", true));
  CHECK_FALSE(plain.Filter()("vendor/x.go", false));
  IgnoreMatcher negated = Matcher("vendor/\n!vendor/keep.go\n");
  CHECK(negated.Filter()("vendor", true));
  CHECK(negated.Filter()("vendor/keep.go", false));
}

}  // namespace
}  // namespace fluxcpp::reconciler::source
