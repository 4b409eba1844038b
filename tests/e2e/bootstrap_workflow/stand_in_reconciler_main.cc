// stand_in_reconciler NAMESPACE: plays the reconciler's part (stand_in_reconciler.h) for the
// Kustomization NAMESPACE/NAMESPACE until killed, for tests that drive a bootstrap from outside
// (tofu). The cluster comes from KUBECONFIG; the Git credentials from the ground's environment
// (GIT_SSH_KEY and GIT_KNOWN_HOSTS for ssh://, GIT_CA_FILE, GIT_USERNAME and GIT_PASSWORD
// otherwise); the URL from the GitRepository.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "lib/kube/client.h"
#include "lib/kube/config.h"
#include "tests/e2e/bootstrap_workflow/stand_in_reconciler.h"

namespace {

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

std::string FileText(const std::string& path) {
  if (path.empty()) return "";
  std::ifstream stream(path, std::ios::binary);
  std::ostringstream content;
  content << stream.rdbuf();
  return content.str();
}

}  // namespace

int main(int argc, char** argv) {
  namespace kube = fluxcpp::kube;
  if (argc != 2) {
    std::fputs("usage: stand_in_reconciler NAMESPACE\n", stderr);
    return 2;
  }
  const std::string namespace_name = argv[1];
  absl::StatusOr<kube::ClusterConfig> config = kube::LoadKubeconfig();
  if (!config.ok()) {
    std::fprintf(stderr, "stand_in_reconciler: %s\n",
                 std::string(config.status().message()).c_str());
    return 1;
  }
  absl::StatusOr<std::unique_ptr<kube::Client>> client = kube::Client::Create(*config);
  if (!client.ok()) {
    std::fprintf(stderr, "stand_in_reconciler: %s\n",
                 std::string(client.status().message()).c_str());
    return 1;
  }
  fluxcpp::git::AuthOptions ssh;
  ssh.ssh_private_key = FileText(Env("GIT_SSH_KEY"));
  ssh.known_hosts = FileText(Env("GIT_KNOWN_HOSTS"));
  fluxcpp::git::AuthOptions https;
  https.ca_pem = FileText(Env("GIT_CA_FILE"));
  https.username = Env("GIT_USERNAME");
  https.password = Env("GIT_PASSWORD");
  const fluxcpp::manifest::GroupVersionKind source{"source.toolkit.fluxcd.io", "v1",
                                                   "GitRepository"};
  while (true) {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    auto repository = (*client)->Get(source, namespace_name, namespace_name);
    if (!repository.ok()) continue;
    const std::string url = repository->json()["spec"].value("url", "");
    const bool is_ssh = url.rfind("ssh://", 0) == 0;
    if (fluxcpp::testing::ReportAppliedRevision(**client, namespace_name, url,
                                                is_ssh ? ssh : https)) {
      std::fprintf(stderr, "stand_in_reconciler: reported %s applied\n", url.c_str());
    }
  }
}
