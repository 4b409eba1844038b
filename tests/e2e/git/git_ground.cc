#include "tests/e2e/git/git_ground.h"

#include <sys/wait.h>

#include <array>
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>

#include "tests/e2e/support/ground.h"

namespace fluxcpp::testing {

std::string GroundEnv(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || !std::getenv("FLUXCPP_GROUND")) {
    FAIL("no test ground: run under eval \"$(tests/env/ground up)\" (missing " << name << ")");
  }
  return value;
}

std::string ReadTextFile(const std::string& path) {
  std::ifstream stream(path, std::ios::binary);
  INFO("reading " << path);
  REQUIRE(stream.good());
  std::ostringstream content;
  content << stream.rdbuf();
  return content.str();
}

GroundRepository NewGroundRepository(const std::string& prefix) {
  GroundEnv("FLUXCPP_GROUND");
  GroundRepository repository{prefix + "-" + RandomSuffix(8)};
  std::istringstream exports(RunGround({"repo", repository.name}));
  std::string line;
  while (std::getline(exports, line)) {
    auto value = [&](const std::string& key) -> std::string {
      std::string prefix_text = "export " + key + "=";
      return line.rfind(prefix_text, 0) == 0 ? line.substr(prefix_text.size()) : "";
    };
    if (auto url = value("GIT_SSH_URL"); !url.empty()) repository.ssh_url = url;
    if (auto url = value("GIT_HTTPS_URL"); !url.empty()) repository.https_url = url;
    if (auto url = value("GIT_HTTP_URL"); !url.empty()) repository.http_url = url;
    if (auto url = value("GIT_TOKEN_URL"); !url.empty()) repository.token_url = url;
    if (auto url = value("GIT_PUBLIC_HTTPS_URL"); !url.empty()) repository.public_https_url = url;
    if (auto url = value("GIT_MTLS_URL"); !url.empty()) repository.mtls_url = url;
  }
  REQUIRE(!repository.ssh_url.empty());
  REQUIRE(!repository.https_url.empty());
  REQUIRE(!repository.http_url.empty());
  REQUIRE(!repository.token_url.empty());
  REQUIRE(!repository.public_https_url.empty());
  REQUIRE(!repository.mtls_url.empty());
  return repository;
}

git::AuthOptions GroundSshAuth() {
  git::AuthOptions auth;
  auth.ssh_private_key = ReadTextFile(GroundEnv("GIT_SSH_KEY"));
  auth.known_hosts = ReadTextFile(GroundEnv("GIT_KNOWN_HOSTS"));
  return auth;
}

git::AuthOptions GroundHttpsAuth() {
  git::AuthOptions auth;
  auth.ca_pem = ReadTextFile(GroundEnv("GIT_CA_FILE"));
  auth.username = GroundEnv("GIT_USERNAME");
  auth.password = GroundEnv("GIT_PASSWORD");
  return auth;
}

git::AuthOptions GroundTokenAuth() {
  git::AuthOptions auth;
  auth.ca_pem = ReadTextFile(GroundEnv("GIT_CA_FILE"));
  auth.bearer_token = GroundEnv("GIT_BEARER_TOKEN");
  return auth;
}

git::AuthOptions GroundMtlsAuth() {
  git::AuthOptions auth;
  auth.ca_pem = ReadTextFile(GroundEnv("GIT_CA_FILE"));
  auth.client_certificate_pem = ReadTextFile(GroundEnv("GIT_CLIENT_CERT"));
  auth.client_key_pem = ReadTextFile(GroundEnv("GIT_CLIENT_KEY"));
  return auth;
}

std::string CommitAndPush(git::Repository& repository, const std::string& file) {
  REQUIRE(repository.WriteFile(file, file + "\n").ok());
  auto commit = repository.Commit(
      {.author_name = "Flux", .author_email = "flux@example.com", .message = "Add " + file});
  INFO(commit.status().ToString());
  REQUIRE(commit.ok());
  auto pushed = repository.Push();
  INFO(pushed.status().ToString());
  REQUIRE(pushed.ok());
  return pushed->sha;
}

}  // namespace fluxcpp::testing
