// Every kubeconfig form the client supports, each used for a real call against the ground's API
// server.
#include "lib/kube/config.h"

#include <absl/strings/escaping.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <thread>

#include "lib/kube/client.h"
#include "lib/kube/errors.h"
#include "lib/manifest/yaml.h"
#include "tests/e2e/support/ground.h"

namespace fluxcpp::kube {
namespace {

using fluxcpp::testing::AdminClient;
using fluxcpp::testing::AdminConfig;
using fluxcpp::testing::ScopedNamespace;
using fluxcpp::testing::ScratchDirectory;
using fluxcpp::testing::ServiceAccountToken;
using fluxcpp::testing::WhoAmI;

// A kubeconfig with one context "test" for the ground's server and the given user entry.
std::string Kubeconfig(const Json& cluster, const Json& user) {
  Json config = {
      {"apiVersion", "v1"},
      {"kind", "Config"},
      {"clusters", Json::array({{{"name", "ground"}, {"cluster", cluster}}})},
      {"users", Json::array({{{"name", "someone"}, {"user", user}}})},
      {"contexts", Json::array({{{"name", "test"},
                                 {"context", {{"cluster", "ground"}, {"user", "someone"}}}}})},
      {"current-context", "test"}};
  return manifest::ToYaml(config);
}

Json ClusterWithCaData(const ClusterConfig& admin) {
  return {{"server", admin.server},
          {"certificate-authority-data", absl::Base64Escape(admin.tls.ca_pem)}};
}

std::unique_ptr<Client> ClientFor(const std::string& kubeconfig_path) {
  auto config = LoadKubeconfig({.paths = {kubeconfig_path}});
  INFO(config.status().ToString());
  REQUIRE(config.ok());
  auto client = Client::Create(*config);
  REQUIRE(client.ok());
  return std::move(*client);
}

struct ServiceAccountFixture {
  std::unique_ptr<Client> admin = AdminClient();
  ScopedNamespace namespace_{*admin, "config-test"};
  std::string user;
  std::string token;
  ServiceAccountFixture() {
    auto created = admin->Create(
        Object(Json{{"apiVersion", "v1"},
                    {"kind", "ServiceAccount"},
                    {"metadata", {{"name", "robot"}, {"namespace", namespace_.name()}}}}));
    REQUIRE(created.ok());
    user = "system:serviceaccount:" + namespace_.name() + ":robot";
    token = ServiceAccountToken(*admin, namespace_.name(), "robot");
  }
};

TEST_CASE("client certificate and key given as data") {
  auto client = AdminClient();
  CHECK(WhoAmI(*client) == "ground-admin");
  auto version = client->Call("GET", "/version");
  REQUIRE(version.ok());
  CHECK((*version)["gitVersion"].get<std::string>().starts_with("v1."));
}

TEST_CASE("client certificate, key and CA given as files relative to the kubeconfig") {
  ClusterConfig admin = AdminConfig();
  ScratchDirectory scratch;
  scratch.Write("pki/ca.crt", admin.tls.ca_pem);
  scratch.Write("pki/admin.crt", admin.tls.client_certificate_pem);
  scratch.Write("pki/admin.key", admin.tls.client_key_pem, 0600);
  std::string path = scratch.Write(
      "kubeconfig",
      Kubeconfig({{"server", admin.server}, {"certificate-authority", "pki/ca.crt"}},
                 {{"client-certificate", "pki/admin.crt"}, {"client-key", "pki/admin.key"}}));
  CHECK(WhoAmI(*ClientFor(path)) == "ground-admin");
}

TEST_CASE("a ServiceAccount token, inline and from a token file") {
  ServiceAccountFixture account;
  ScratchDirectory scratch;
  Json cluster = ClusterWithCaData(AdminConfig());
  std::string inline_path =
      scratch.Write("inline", Kubeconfig(cluster, {{"token", account.token}}));
  CHECK(WhoAmI(*ClientFor(inline_path)) == account.user);
  scratch.Write("token", account.token + "\n");
  std::string file_path = scratch.Write("from-file", Kubeconfig(cluster, {{"tokenFile", "token"}}));
  CHECK(WhoAmI(*ClientFor(file_path)) == account.user);
}

TEST_CASE("a rotated token file is read again") {
  ServiceAccountFixture account;
  ScratchDirectory scratch;
  scratch.Write("token", "not-a-valid-token");
  std::string path = scratch.Write(
      "kubeconfig", Kubeconfig(ClusterWithCaData(AdminConfig()), {{"tokenFile", "token"}}));
  auto client = ClientFor(path);
  auto refused = client->Call("GET", "/api/v1/namespaces/default");
  CHECK(IsUnauthorizedError(refused.status()));
  scratch.Write("token", account.token);
  CHECK(WhoAmI(*client) == account.user);
}

TEST_CASE("an exec credential plugin, run once while its credential is valid") {
  ServiceAccountFixture account;
  ScratchDirectory scratch;
  // The plugin counts its runs, checks it was told the protocol version, and prints the token.
  std::string plugin =
      scratch.Write("plugin.sh",
                    "#!/bin/sh\n"
                    "echo run >> \"$(dirname \"$0\")/runs\"\n"
                    "case \"$KUBERNETES_EXEC_INFO\" in *client.authentication.k8s.io/v1*) ;; "
                    "*) echo 'no exec info' >&2; exit 3 ;; esac\n"
                    "printf '{\"apiVersion\":\"client.authentication.k8s.io/v1\","
                    "\"kind\":\"ExecCredential\",\"status\":{\"token\":\"%s\"}}' "
                    "\"$FLUX_TEST_TOKEN\"\n",
                    0755);
  Json exec = {{"apiVersion", "client.authentication.k8s.io/v1"},
               {"command", "./plugin.sh"},
               {"env", Json::array({{{"name", "FLUX_TEST_TOKEN"}, {"value", account.token}}})},
               {"interactiveMode", "Never"}};
  std::string path =
      scratch.Write("kubeconfig", Kubeconfig(ClusterWithCaData(AdminConfig()), {{"exec", exec}}));
  auto client = ClientFor(path);
  CHECK(WhoAmI(*client) == account.user);
  CHECK(WhoAmI(*client) == account.user);
  std::ifstream runs(scratch.path() + "/runs");
  std::string line;
  int count = 0;
  while (std::getline(runs, line)) ++count;
  CHECK(count == 1);
}

TEST_CASE("a failing exec plugin is an error naming the plugin") {
  ScratchDirectory scratch;
  scratch.Write("broken.sh", "#!/bin/sh\necho 'cannot log in' >&2\nexit 7\n", 0755);
  std::string path = scratch.Write(
      "kubeconfig",
      Kubeconfig(ClusterWithCaData(AdminConfig()), {{"exec", {{"command", "./broken.sh"}}}}));
  auto result = ClientFor(path)->Call("GET", "/version");
  REQUIRE_FALSE(result.ok());
  CHECK_THAT(std::string(result.status().message()),
             Catch::Contains("broken.sh exited with status 7"));
}

TEST_CASE("in-cluster configuration from the service environment and a mounted ServiceAccount") {
  ServiceAccountFixture account;
  ScratchDirectory mount;
  ClusterConfig admin = AdminConfig();
  mount.Write("token", account.token);
  mount.Write("ca.crt", admin.tls.ca_pem);
  mount.Write("namespace", account.namespace_.name());
  std::string host_port = admin.server.substr(admin.server.find("://") + 3);
  std::string host = host_port.substr(0, host_port.rfind(':'));
  std::string port = host_port.substr(host_port.rfind(':') + 1);
  ::setenv("KUBERNETES_SERVICE_HOST", host.c_str(), 1);
  ::setenv("KUBERNETES_SERVICE_PORT", port.c_str(), 1);
  auto config = InClusterConfig({.service_account_directory = mount.path()});
  ::unsetenv("KUBERNETES_SERVICE_HOST");
  ::unsetenv("KUBERNETES_SERVICE_PORT");
  INFO(config.status().ToString());
  REQUIRE(config.ok());
  CHECK(config->namespace_name == account.namespace_.name());
  auto client = Client::Create(*config);
  REQUIRE(client.ok());
  CHECK(WhoAmI(**client) == account.user);
}

TEST_CASE("a server certificate from another CA is refused") {
  ClusterConfig admin = AdminConfig();
  // The Git server's CA of the ground is a real CA that did not sign the API server's certificate.
  const char* other_ca = std::getenv("GIT_CA_FILE");
  REQUIRE(other_ca != nullptr);
  ScratchDirectory scratch;
  std::string path = scratch.Write(
      "kubeconfig",
      Kubeconfig({{"server", admin.server}, {"certificate-authority", other_ca}},
                 {{"client-certificate-data", absl::Base64Escape(admin.tls.client_certificate_pem)},
                  {"client-key-data", absl::Base64Escape(admin.tls.client_key_pem)}}));
  auto result = ClientFor(path)->Call("GET", "/version");
  REQUIRE_FALSE(result.ok());
  CHECK(result.status().code() == absl::StatusCode::kUnavailable);
  CHECK_THAT(std::string(result.status().message()), Catch::Contains("certificate"));
}

TEST_CASE("KUBECONFIG merges files: the first definition and the first current-context win") {
  ClusterConfig admin = AdminConfig();
  ScratchDirectory scratch;
  Json first = {
      {"apiVersion", "v1"},
      {"kind", "Config"},
      {"clusters", Json::array({{{"name", "ground"}, {"cluster", ClusterWithCaData(admin)}}})},
      {"contexts",
       Json::array({{{"name", "merged"},
                     {"context",
                      {{"cluster", "ground"}, {"user", "admin"}, {"namespace", "kube-system"}}}}})},
      {"current-context", "merged"}};
  Json second = {
      {"apiVersion", "v1"},
      {"kind", "Config"},
      {"clusters",
       Json::array({{{"name", "ground"}, {"cluster", {{"server", "https://127.0.0.1:1"}}}}})},
      {"users",
       Json::array(
           {{{"name", "admin"},
             {"user",
              {{"client-certificate-data", absl::Base64Escape(admin.tls.client_certificate_pem)},
               {"client-key-data", absl::Base64Escape(admin.tls.client_key_pem)}}}}})},
      {"current-context", "elsewhere"}};
  std::string first_path = scratch.Write("first", manifest::ToYaml(first));
  std::string second_path = scratch.Write("second", manifest::ToYaml(second));
  auto config = LoadKubeconfig({.paths = {first_path, second_path}});
  INFO(config.status().ToString());
  REQUIRE(config.ok());
  CHECK(config->context_name == "merged");
  CHECK(config->namespace_name == "kube-system");
  CHECK(config->server == admin.server);
  auto client = Client::Create(*config);
  REQUIRE(client.ok());
  CHECK(WhoAmI(**client) == "ground-admin");
  auto missing = LoadKubeconfig({.paths = {first_path}, .context = "nowhere"});
  CHECK(std::string(missing.status().message()).find("context \"nowhere\" is not defined") !=
        std::string::npos);
}

TEST_CASE("user and cluster overrides pick the only working entries of the kubeconfig") {
  ServiceAccountFixture account;
  ScratchDirectory scratch;
  // The context names an unreachable cluster and a user with a bogus token; only the overrides
  // lead to the ground's server as the ServiceAccount.
  Json kubeconfig = {
      {"apiVersion", "v1"},
      {"kind", "Config"},
      {"clusters",
       Json::array({{{"name", "unreachable"}, {"cluster", {{"server", "https://127.0.0.1:1"}}}},
                    {{"name", "ground"}, {"cluster", ClusterWithCaData(AdminConfig())}}})},
      {"users", Json::array({{{"name", "stranger"}, {"user", {{"token", "not-a-real-token"}}}},
                             {{"name", "robot"}, {"user", {{"token", account.token}}}}})},
      {"contexts",
       Json::array(
           {{{"name", "test"}, {"context", {{"cluster", "unreachable"}, {"user", "stranger"}}}}})},
      {"current-context", "test"}};
  std::string path = scratch.Write("kubeconfig", manifest::ToYaml(kubeconfig));
  auto call = [&](const KubeconfigOptions& options) {
    auto config = LoadKubeconfig(options);
    INFO(config.status().ToString());
    REQUIRE(config.ok());
    auto client = Client::Create(*config);
    REQUIRE(client.ok());
    return (*client)->Call("GET", "/apis/authentication.k8s.io/v1");
  };
  auto as_is = call({.paths = {path}});
  REQUIRE_FALSE(as_is.ok());
  CHECK(as_is.status().code() == absl::StatusCode::kUnavailable);
  // The right server, still the wrong user: the server answers and refuses.
  auto cluster_only = call({.paths = {path}, .cluster = "ground"});
  REQUIRE_FALSE(cluster_only.ok());
  CHECK(IsUnauthorizedError(cluster_only.status()));
  auto config = LoadKubeconfig({.paths = {path}, .user = "robot", .cluster = "ground"});
  REQUIRE(config.ok());
  auto client = Client::Create(*config);
  REQUIRE(client.ok());
  CHECK(WhoAmI(**client) == account.user);
}

// A port on 127.0.0.1 that was free a moment ago (the kernel picks it).
int FreePort() {
  int socket_fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(socket_fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0);
  socklen_t length = sizeof(address);
  ::getsockname(socket_fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(socket_fd);
  return ntohs(address.sin_port);
}

TEST_CASE("proxy-url sends the requests through an HTTP CONNECT proxy") {
  ClusterConfig admin = AdminConfig();
  ScratchDirectory scratch;
  int port = FreePort();
  // tinyproxy from Debian, a real forward proxy; without ConnectPort lines it tunnels to any port.
  scratch.Write("tinyproxy.conf", "Port " + std::to_string(port) +
                                      "\nListen 127.0.0.1\nAllow 127.0.0.1\nTimeout 60\n"
                                      "LogLevel Connect\nLogFile \"" +
                                      scratch.path() + "/proxy.log\"\n");
  std::string start = "tinyproxy -d -c " + scratch.path() + "/tinyproxy.conf >" + scratch.path() +
                      "/stdout 2>&1 & echo $! >" + scratch.path() + "/pid";
  REQUIRE(std::system(start.c_str()) == 0);
  std::ifstream pid_file(scratch.path() + "/pid");
  pid_t pid = 0;
  pid_file >> pid;
  REQUIRE(pid > 0);
  std::string proxy_url = "http://127.0.0.1:" + std::to_string(port);
  std::string path = scratch.Write(
      "kubeconfig",
      Kubeconfig({{"server", admin.server},
                  {"certificate-authority-data", absl::Base64Escape(admin.tls.ca_pem)},
                  {"proxy-url", proxy_url}},
                 {{"client-certificate-data", absl::Base64Escape(admin.tls.client_certificate_pem)},
                  {"client-key-data", absl::Base64Escape(admin.tls.client_key_pem)}}));
  auto client = ClientFor(path);
  absl::StatusOr<Json> version = absl::UnknownError("not tried");
  for (int attempt = 0; attempt < 50 && !version.ok(); ++attempt) {  // until the proxy listens
    version = client->Call("GET", "/version");
    if (!version.ok()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ::kill(pid, SIGTERM);
  INFO(version.status().ToString());
  CHECK(version.ok());
  std::ifstream log(scratch.path() + "/proxy.log");
  std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  std::string server_port = admin.server.substr(admin.server.rfind(':') + 1);
  INFO(text);
  CHECK(text.find("CONNECT") != std::string::npos);
  CHECK(text.find(server_port) != std::string::npos);
}

}  // namespace
}  // namespace fluxcpp::kube
