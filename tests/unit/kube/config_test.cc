// Kubeconfig resolution without a server: which cluster and user entries a context, or the
// overrides of the context's names (kubectl --cluster/--user, the Go provider's
// config_context_cluster / config_context_auth_info), select; and errors naming what is missing.
#include "lib/kube/config.h"

#include <catch2/catch.hpp>
#include <fstream>

#include "tests/unit/temporary_directory.h"

namespace fluxcpp::kube {
namespace {

constexpr char kTwoOfEach[] = R"(apiVersion: v1
kind: Config
clusters:
- name: staging
  cluster:
    server: https://staging.example:6443
- name: production
  cluster:
    server: https://production.example:6443
users:
- name: alice
  user:
    token: alice-token
- name: bob
  user:
    token: bob-token
contexts:
- name: work
  context:
    cluster: staging
    user: alice
    namespace: apps
current-context: work
)";

std::string WriteKubeconfig(const testing::TemporaryDirectory& dir, const std::string& text) {
  std::string path = dir.path() + "/kubeconfig";
  std::ofstream(path) << text;
  return path;
}

TEST_CASE("kubeconfig: the context's cluster and user without overrides") {
  testing::TemporaryDirectory dir;
  auto config = LoadKubeconfig({.paths = {WriteKubeconfig(dir, kTwoOfEach)}});
  REQUIRE(config.ok());
  CHECK(config->server == "https://staging.example:6443");
  CHECK(config->auth.token == "alice-token");
  CHECK(config->namespace_name == "apps");
  CHECK(config->context_name == "work");
}

TEST_CASE("kubeconfig: user and cluster overrides replace what the context names") {
  testing::TemporaryDirectory dir;
  std::string path = WriteKubeconfig(dir, kTwoOfEach);
  SECTION("the user only") {
    auto config = LoadKubeconfig({.paths = {path}, .user = "bob"});
    REQUIRE(config.ok());
    CHECK(config->server == "https://staging.example:6443");
    CHECK(config->auth.token == "bob-token");
  }
  SECTION("the cluster only") {
    auto config = LoadKubeconfig({.paths = {path}, .cluster = "production"});
    REQUIRE(config.ok());
    CHECK(config->server == "https://production.example:6443");
    CHECK(config->auth.token == "alice-token");
    CHECK(config->namespace_name == "apps");
  }
  SECTION("both, with an explicit context") {
    auto config = LoadKubeconfig(
        {.paths = {path}, .context = "work", .user = "bob", .cluster = "production"});
    REQUIRE(config.ok());
    CHECK(config->server == "https://production.example:6443");
    CHECK(config->auth.token == "bob-token");
  }
}

TEST_CASE("kubeconfig: a cluster override needs no context") {
  testing::TemporaryDirectory dir;
  std::string text = kTwoOfEach;
  text = text.substr(0, text.find("contexts:"));
  std::string path = WriteKubeconfig(dir, text);
  auto without = LoadKubeconfig({.paths = {path}});
  REQUIRE_FALSE(without.ok());
  CHECK_THAT(std::string(without.status().message()), Catch::Contains("no current-context"));
  auto config = LoadKubeconfig({.paths = {path}, .user = "bob", .cluster = "production"});
  INFO(config.status().ToString());
  REQUIRE(config.ok());
  CHECK(config->server == "https://production.example:6443");
  CHECK(config->auth.token == "bob-token");
  CHECK(config->context_name.empty());
}

TEST_CASE("kubeconfig: an override naming a missing entry is an error naming it") {
  testing::TemporaryDirectory dir;
  std::string path = WriteKubeconfig(dir, kTwoOfEach);
  auto user = LoadKubeconfig({.paths = {path}, .user = "carol"});
  REQUIRE_FALSE(user.ok());
  CHECK(user.status().code() == absl::StatusCode::kNotFound);
  CHECK(std::string(user.status().message()) ==
        path + ": user \"carol\" (given instead of the context's) is not defined");
  auto cluster = LoadKubeconfig({.paths = {path}, .cluster = "qa"});
  REQUIRE_FALSE(cluster.ok());
  CHECK(cluster.status().code() == absl::StatusCode::kNotFound);
  CHECK(std::string(cluster.status().message()) ==
        path + ": cluster \"qa\" (given instead of the context's) is not defined");
}

TEST_CASE("kubeconfig: a context naming a missing entry is still reported as the context's") {
  testing::TemporaryDirectory dir;
  std::string text = kTwoOfEach;
  text.replace(text.find("user: alice"), 11, "user: nobody");
  std::string path = WriteKubeconfig(dir, text);
  auto config = LoadKubeconfig({.paths = {path}});
  REQUIRE_FALSE(config.ok());
  CHECK_THAT(std::string(config.status().message()),
             Catch::Contains("context \"work\" names user \"nobody\", which is not defined"));
  // The override makes the broken name irrelevant.
  CHECK(LoadKubeconfig({.paths = {path}, .user = "alice"}).ok());
}

}  // namespace
}  // namespace fluxcpp::kube
