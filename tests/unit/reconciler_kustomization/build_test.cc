#include "reconciler/kustomization/build.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "lib/manifest/yaml.h"
#include "tests/unit/temporary_directory.h"
#include "tests/unit/testdata.h"

namespace fluxcpp::reconciler::kustomization {
namespace {

namespace fs = std::filesystem;
using manifest::Json;

using testing::TemporaryDirectory;

// Every file below `root` with its content, to prove a build left a tree alone.
std::map<std::string, std::string> Snapshot(const std::string& root) {
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream input(entry.path());
    std::stringstream content;
    content << input.rdbuf();
    files[fs::relative(entry.path(), root).string()] = content.str();
  }
  return files;
}

std::map<std::string, manifest::Object> ByName(const std::vector<manifest::Object>& objects) {
  std::map<std::string, manifest::Object> by_name;
  for (const manifest::Object& object : objects) by_name[object.Name()] = object;
  return by_name;
}

KustomizationSpec Spec(const std::string& path) {
  KustomizationSpec spec;
  spec.path = path;
  return spec;
}

// The fixture tree copied to a temporary folder, so hard links into it are possible.
std::string CopyTree(const TemporaryDirectory& directory) {
  std::string tree = directory.path() + "/tree";
  fs::copy(testing::TestdataPath("tree"), tree, fs::copy_options::recursive);
  return tree;
}

TEST_CASE("a plain directory builds from the shared tree as it is") {
  TemporaryDirectory directory;
  std::string tree = CopyTree(directory);
  auto built = BuildKustomization(tree, Spec("./apps"));
  INFO(built.status().ToString());
  REQUIRE(built.ok());
  auto objects = ByName(*built);
  REQUIRE(objects.size() == 2);
  CHECK(objects["a"].Namespace().empty());
  CHECK_FALSE(NeedsOverlay(Spec("./apps")));
}

TEST_CASE("Flux's overlay fields apply to a plain directory without writing the shared tree") {
  TemporaryDirectory directory;
  std::string tree = CopyTree(directory);
  auto before = Snapshot(tree);
  KustomizationSpec spec = Spec("./apps");
  spec.target_namespace = "prod";
  spec.name_prefix = "p-";
  spec.name_suffix = "-s";
  spec.images = Json::array({{{"name", "nginx"}, {"newTag", "1.27"}}});
  spec.components = {"../components/team"};
  REQUIRE(NeedsOverlay(spec));
  auto built = BuildKustomization(tree, spec);
  INFO(built.status().ToString());
  REQUIRE(built.ok());
  auto objects = ByName(*built);
  REQUIRE(objects.count("p-b-s") == 1);
  const manifest::Object& deployment = objects["p-b-s"];
  CHECK(deployment.Namespace() == "prod");
  CHECK(deployment.json()["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.27");
  CHECK(deployment.Label("team") == "platform");
  CHECK(objects.count("p-a-s") == 1);
  CHECK(Snapshot(tree) == before);
}

TEST_CASE("an existing kustomization is edited for the build only, the shared file left intact") {
  TemporaryDirectory directory;
  std::string tree = CopyTree(directory);
  auto before = Snapshot(tree);
  KustomizationSpec spec = Spec("overlay");
  spec.target_namespace = "override";
  spec.patches = Json::array({{{"patch", "- op: replace\n  path: /spec/replicas\n  value: 4\n"},
                               {"target", {{"kind", "Deployment"}}}}});
  auto built = BuildKustomization(tree, spec);
  INFO(built.status().ToString());
  REQUIRE(built.ok());
  auto objects = ByName(*built);
  CHECK(objects["b"].Namespace() == "override");
  CHECK(objects["b"].json()["spec"]["replicas"] == 4);
  CHECK(Snapshot(tree) == before);
}

TEST_CASE("build errors name the file") {
  TemporaryDirectory directory;
  std::string tree = CopyTree(directory);
  std::ofstream(tree + "/apps/broken.yaml") << "kind: ConfigMap\nmetadata: [unclosed\n";
  auto built = BuildKustomization(tree, Spec("apps"));
  REQUIRE_FALSE(built.ok());
  CHECK_THAT(std::string(built.status().message()), Catch::Contains("broken.yaml"));
}

TEST_CASE("an overlay of a path outside the tree is refused, nothing read from there") {
  TemporaryDirectory directory;
  std::string tree = CopyTree(directory);
  fs::create_directories(directory.path() + "/outside");
  std::ofstream(directory.path() + "/outside/cm.yaml")
      << "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: outside}\n";
  KustomizationSpec spec = Spec("../outside");
  spec.target_namespace = "prod";
  auto built = BuildKustomization(tree, spec);
  REQUIRE_FALSE(built.ok());
  CHECK(std::string(built.status().message()).find("outside") != std::string::npos);
}

TEST_CASE("the build digest follows the content") {
  manifest::Object object(
      Json{{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", "x"}}}});
  std::string first = BuildDigest({object});
  CHECK(first.starts_with("sha256:"));
  CHECK(first.size() == 7 + 64);
  CHECK(BuildDigest({object}) == first);
  object.SetLabel("changed", "yes");
  CHECK(BuildDigest({object}) != first);
}

}  // namespace
}  // namespace fluxcpp::reconciler::kustomization
