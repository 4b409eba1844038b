#include "tests/e2e/support/ground.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <array>
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

namespace fluxcpp::testing {

kube::ClusterConfig AdminConfig() {
  const char* kubeconfig = std::getenv("KUBECONFIG");
  if (!kubeconfig || !std::getenv("FLUXCPP_GROUND")) {
    FAIL("no test ground: run under eval \"$(tests/env/ground up)\" (make test does)");
  }
  auto config = kube::LoadKubeconfig();
  INFO(config.status().ToString());
  REQUIRE(config.ok());
  return *config;
}

std::unique_ptr<kube::Client> AdminClient() {
  auto client = kube::Client::Create(AdminConfig());
  REQUIRE(client.ok());
  return std::move(*client);
}

std::string ShellQuote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
}

CommandRun RunCommand(const std::string& command) {
  std::FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  CommandRun run;
  std::array<char, 4096> buffer{};
  size_t count;
  while ((count = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
    run.output.append(buffer.data(), count);
  }
  const int status = ::pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

std::string Shell(const std::string& command) {
  CommandRun run = RunCommand(command);
  INFO(command << " printed: " << run.output);
  REQUIRE(run.exit_code == 0);
  return run.output;
}

std::string RunGround(const std::vector<std::string>& args) {
  std::string command = std::string(FLUXCPP_SOURCE_DIR) + "/tests/env/ground";
  for (const std::string& arg : args) command += " '" + arg + "'";
  return Shell(command);
}

std::string RandomSuffix(int length) {
  thread_local std::mt19937 random(std::random_device{}());
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string suffix;
  for (int i = 0; i < length; ++i) suffix += kAlphabet[random() % 36];
  return suffix;
}

ScopedNamespace::ScopedNamespace(kube::Client& client, const std::string& prefix)
    : client_(client), name_(prefix + "-" + RandomSuffix()) {
  auto created = client_.Create(kube::Object(
      kube::Json{{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", name_}}}}));
  INFO(created.status().ToString());
  REQUIRE(created.ok());
}

ScopedNamespace::~ScopedNamespace() { (void)client_.Delete({"", "v1", "Namespace"}, "", name_); }

std::string ServiceAccountToken(kube::Client& client, const std::string& namespace_name,
                                const std::string& service_account) {
  kube::Json request = {{"apiVersion", "authentication.k8s.io/v1"},
                        {"kind", "TokenRequest"},
                        {"spec", {{"expirationSeconds", 3600}}}};
  auto response = client.Call(
      "POST",
      "/api/v1/namespaces/" + namespace_name + "/serviceaccounts/" + service_account + "/token",
      request.dump());
  INFO(response.status().ToString());
  REQUIRE(response.ok());
  return (*response)["status"]["token"].get<std::string>();
}

std::string WhoAmI(kube::Client& client) {
  kube::Json review = {{"apiVersion", "authentication.k8s.io/v1"}, {"kind", "SelfSubjectReview"}};
  auto response =
      client.Call("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", review.dump());
  INFO(response.status().ToString());
  REQUIRE(response.ok());
  return (*response)["status"]["userInfo"]["username"].get<std::string>();
}

ScratchDirectory::ScratchDirectory()
    : ScratchDirectory(std::filesystem::temp_directory_path().string()) {}

ScratchDirectory::ScratchDirectory(const std::string& parent) {
  std::string pattern = (std::filesystem::path(parent) / "fluxcpp-test.XXXXXX").string();
  REQUIRE(::mkdtemp(pattern.data()) != nullptr);
  path_ = pattern;
}

ScratchDirectory::~ScratchDirectory() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string ScratchDirectory::Write(const std::string& name, const std::string& content,
                                    int mode) const {
  std::string file = path_ + "/" + name;
  std::filesystem::create_directories(std::filesystem::path(file).parent_path());
  std::ofstream(file, std::ios::binary) << content;
  ::chmod(file.c_str(), static_cast<mode_t>(mode));
  return file;
}

}  // namespace fluxcpp::testing
