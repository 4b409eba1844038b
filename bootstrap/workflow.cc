// The shared pieces of the workflows (workflow.h).
#include "bootstrap/workflow.h"

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <system_error>
#include <vector>

#include "absl/strings/str_cat.h"
#include "lib/git/repository.h"

namespace fluxcpp::bootstrap {

std::chrono::seconds Deadline::Remaining() const {
  auto left =
      std::chrono::duration_cast<std::chrono::seconds>(end_ - std::chrono::steady_clock::now());
  return std::max(left, std::chrono::seconds(1));
}

absl::StatusOr<std::unique_ptr<ScratchFolder>> ScratchFolder::Create() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern =
      absl::StrCat(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp", "/fluxcpp-bootstrap.XXXXXX");
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (::mkdtemp(buffer.data()) == nullptr) {
    return absl::InternalError(
        absl::StrCat("cannot create a scratch folder like ", pattern, " for the clone"));
  }
  return std::make_unique<ScratchFolder>(PrivateKey{}, buffer.data());
}

ScratchFolder::~ScratchFolder() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

void Say(const Progress& progress, std::string_view line) {
  if (progress) progress(line);
}

absl::Status CheckCluster(kube::Client& client, const Progress& progress) {
  Say(progress, "checking the cluster");
  absl::StatusOr<kube::Json> version = client.Call("GET", "/version");
  if (!version.ok()) {
    return absl::Status(version.status().code(),
                        absl::StrCat("cluster: the API server does not answer (check the "
                                     "kubeconfig and its context): ",
                                     version.status().message()));
  }
  Say(progress, absl::StrCat("cluster answers: Kubernetes ", version->value("gitVersion", "?")));
  return absl::OkStatus();
}

absl::Status CheckGitAccess(const std::string& url, const GitOptions& git,
                            const Progress& progress) {
  Say(progress, absl::StrCat("checking push access to ", git::RedactUrl(url)));
  if (absl::Status access = git::CheckPushAccess(url, git.auth); !access.ok()) return access;
  Say(progress, absl::StrCat("push access to ", git::RedactUrl(url), " confirmed"));
  return absl::OkStatus();
}

std::string BootstrapFolder(const SyncOptions& sync) {
  std::string path = sync.CleanPath();
  return path.empty() ? sync.namespace_name : absl::StrCat(path, "/", sync.namespace_name);
}

std::string CommitMessage(absl::string_view message, const GitOptions& git) {
  if (git.commit_message_appendix.empty()) return std::string(message);
  return absl::StrCat(message, "\n\n", git.commit_message_appendix);
}

std::string BranchRevision(const std::string& branch, const std::string& sha) {
  return absl::StrCat(branch, "@sha1:", sha);
}

std::string ShortSha(const std::string& sha) { return sha.substr(0, 12); }

}  // namespace fluxcpp::bootstrap
