#include "tests/e2e/reconciler_source/source_ground.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <thread>

#include "absl/strings/escaping.h"
#include "lib/kube/errors.h"
#include "lib/manifest/yaml.h"

namespace fluxcpp::testing {

namespace fs = std::filesystem;
using manifest::Json;
using reconciler::source::kGitRepositoryKind;

void InstallGitRepositoryCrd(kube::Client& client) {
  std::string path = std::string(FLUXCPP_SOURCE_DIR) + "/bootstrap/crds/gitrepositories.yaml";
  auto objects = manifest::ReadObjects(ReadTextFile(path), path);
  REQUIRE(objects.ok());
  for (const manifest::Object& object : *objects) {
    auto applied = client.Apply(object, {.field_manager = "reconciler-source-e2e", .force = true});
    INFO(applied.status().ToString());
    REQUIRE(applied.ok());
  }
  for (int attempt = 0; attempt < 100; ++attempt) {
    client.ResetDiscovery();
    if (client.List(kGitRepositoryKind, "default").ok()) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  FAIL("the GitRepository CRD is not served");
}

std::string GroundSshKey() { return ReadTextFile(GroundEnv("GIT_SSH_KEY")); }
std::string GroundKnownHosts() { return ReadTextFile(GroundEnv("GIT_KNOWN_HOSTS")); }
std::string GroundCa() { return ReadTextFile(GroundEnv("GIT_CA_FILE")); }

PushableRepository::PushableRepository(const std::string& prefix)
    : repository_(NewGroundRepository(prefix)) {
  auto clone = git::Repository::Clone(repository_.ssh_url, work_.path() + "/clone",
                                      {.branch = "main", .auth = GroundSshAuth()});
  INFO(clone.status().ToString());
  REQUIRE(clone.ok());
  clone_ = *std::move(clone);
}

std::string PushableRepository::Push(const std::map<std::string, std::string>& files,
                                     const std::string& message) {
  for (const auto& [path, content] : files) {
    absl::Status status =
        content.empty() ? clone_->RemoveFile(path) : clone_->WriteFile(path, content);
    REQUIRE(status.ok());
  }
  auto commit =
      clone_->Commit({.author_name = "e2e", .author_email = "e2e@example.com", .message = message});
  REQUIRE(commit.ok());
  auto pushed = clone_->Push();
  INFO(pushed.status().ToString());
  REQUIRE(pushed.ok());
  return pushed->sha;
}

void PushableRepository::Tag(const std::string& tag, const std::string& commit,
                             const std::string& message) {
  // Tags are made on the server's side: lib/git pushes branches only.
  std::string repository = GroundEnv("FLUXCPP_GROUND") + "/git/repos/" + repository_.name + ".git";
  std::string command = "GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=true git -C '" +
                        repository + "' -c user.name=e2e -c user.email=e2e@example.com tag " +
                        (message.empty() ? "" : "-a -m '" + message + "' ") + "'" + tag + "' " +
                        commit;
  Shell(command);
}

SourceFixture::SourceFixture() : client_(AdminClient()) {
  InstallGitRepositoryCrd(*client_);
  namespace_ = std::make_unique<ScopedNamespace>(*client_, "gitrepo");
  clone_root_ = scratch_.path() + "/clones";
  storage_ = std::make_unique<reconciler::artifact::Storage>(scratch_.path() + "/storage",
                                                             kArtifactBaseUrl);
  reconciler_ = std::make_unique<reconciler::source::GitRepositoryReconciler>(
      *client_, *storage_,
      reconciler::source::GitRepositoryReconcilerOptions{.clone_root = clone_root_});
}

SourceFixture::~SourceFixture() {
  for (const std::string& name : created_) {
    (void)client_->Delete(kGitRepositoryKind, ns(), name);
    std::atomic<bool> cancel{false};
    (void)reconciler_->Reconcile({ns(), name}, {.cancel = cancel});
  }
}

void SourceFixture::CreateGitRepository(const std::string& name, Json spec) {
  if (!spec.contains("interval")) spec["interval"] = "10m";
  Json object = {{"apiVersion", "source.toolkit.fluxcd.io/v1"},
                 {"kind", "GitRepository"},
                 {"metadata", {{"name", name}, {"namespace", ns()}}},
                 {"spec", spec}};
  auto created = client_->Create(manifest::Object(object));
  INFO(created.status().ToString());
  REQUIRE(created.ok());
  created_.push_back(name);
}

void SourceFixture::PatchGitRepository(const std::string& name, const Json& patch) {
  auto patched =
      client_->Patch(kGitRepositoryKind, ns(), name, kube::PatchType::kMerge, patch.dump());
  INFO(patched.status().ToString());
  REQUIRE(patched.ok());
}

void SourceFixture::CreateSecret(const std::string& name,
                                 const std::map<std::string, std::string>& data) {
  Json encoded = Json::object();
  for (const auto& [key, value] : data) encoded[key] = absl::Base64Escape(value);
  Json object = {{"apiVersion", "v1"},
                 {"kind", "Secret"},
                 {"metadata", {{"name", name}, {"namespace", ns()}}},
                 {"data", encoded}};
  (void)client_->Delete({"", "v1", "Secret"}, ns(), name);
  for (int attempt = 0;; ++attempt) {
    auto created = client_->Create(manifest::Object(object));
    if (created.ok()) return;
    REQUIRE((kube::IsAlreadyExistsError(created.status()) && attempt < 50));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

reconciler::Outcome SourceFixture::Reconcile(const std::string& name) {
  std::atomic<bool> cancel{false};
  return reconciler_->Reconcile({ns(), name}, {.cancel = cancel});
}

manifest::Object SourceFixture::Get(const std::string& name) {
  auto object = client_->Get(kGitRepositoryKind, ns(), name);
  INFO(object.status().ToString());
  REQUIRE(object.ok());
  return *object;
}

reconciler::artifact::Artifact SourceFixture::ArtifactOf(const std::string& name) {
  manifest::Object object = Get(name);
  INFO(object.json().dump());
  REQUIRE(object.json().contains("status"));
  auto artifact = reconciler::artifact::Artifact::FromJson(object.json()["status"]["artifact"]);
  INFO(artifact.status().ToString());
  REQUIRE(artifact.ok());
  return *artifact;
}

Json SourceFixture::Condition(const std::string& name, const std::string& type) {
  manifest::Object object = Get(name);
  INFO(object.json().dump());
  for (const Json& condition : object.json()["status"].value("conditions", Json::array())) {
    if (condition.value("type", "") == type) return condition;
  }
  FAIL("no condition " << type);
  return Json();
}

std::vector<std::string> SourceFixture::ArtifactFiles(
    const reconciler::artifact::Artifact& artifact) {
  fs::path out = fs::path(scratch_.path()) / ("extract-" + RandomSuffix(8));
  absl::Status extracted = reconciler::artifact::Extract(storage_->LocalPath(artifact.path), out);
  INFO(extracted.ToString());
  REQUIRE(extracted.ok());
  std::vector<std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(out)) {
    if (!entry.is_directory()) files.push_back(fs::relative(entry.path(), out).string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string SourceFixture::ArtifactFile(const reconciler::artifact::Artifact& artifact,
                                        const std::string& path) {
  fs::path out = fs::path(scratch_.path()) / ("extract-" + RandomSuffix(8));
  REQUIRE(reconciler::artifact::Extract(storage_->LocalPath(artifact.path), out).ok());
  return ReadTextFile((out / path).string());
}

std::vector<std::string> SourceFixture::StoredFiles(const std::string& name) {
  std::vector<std::string> files;
  fs::path folder = storage_->LocalPath(
      reconciler::artifact::Storage::ObjectDirectory("GitRepository", ns(), name));
  if (!fs::exists(folder)) return files;
  for (const auto& entry : fs::directory_iterator(folder)) {
    files.push_back(entry.path().filename().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace fluxcpp::testing
