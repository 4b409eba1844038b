// What the GitRepository reconciler's end-to-end tests share: the CRDs installed on the ground,
// a namespace with a storage and clone folder of its own, a working clone of a fresh ground
// repository to push commits from, and readers for the status the reconciler wrote.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "lib/git/repository.h"
#include "lib/kube/client.h"
#include "reconciler/artifact/storage.h"
#include "reconciler/source/git_repository_reconciler.h"
#include "tests/e2e/git/git_ground.h"
#include "tests/e2e/support/ground.h"

namespace fluxcpp::testing {

constexpr char kArtifactBaseUrl[] = "http://source-controller.test.svc.cluster.local.";

// Applies bootstrap/crds/gitrepositories.yaml and waits until the kind is served.
void InstallGitRepositoryCrd(kube::Client& client);

// A fresh ground repository and a clone of it (over SSH) to commit and push from.
class PushableRepository {
 public:
  explicit PushableRepository(const std::string& prefix);
  const GroundRepository& urls() const { return repository_; }
  // Writes the files (path → content; empty content removes the file), commits and pushes
  // branch main; returns the new commit.
  std::string Push(const std::map<std::string, std::string>& files, const std::string& message);
  // Creates a tag on the server (annotated when `message` is set) pointing at `commit`.
  void Tag(const std::string& tag, const std::string& commit, const std::string& message = "");

 private:
  GroundRepository repository_;
  ScratchDirectory work_;
  std::unique_ptr<git::Repository> clone_;
};

class SourceFixture {
 public:
  SourceFixture();
  ~SourceFixture();  // deletes the GitRepositories and lets the reconciler drop their finalizers

  kube::Client& client() { return *client_; }
  const std::string& ns() const { return namespace_->name(); }
  reconciler::artifact::Storage& storage() { return *storage_; }
  const std::string& clone_root() const { return clone_root_; }

  // Creates a GitRepository with `spec` (interval 10m unless given).
  void CreateGitRepository(const std::string& name, manifest::Json spec);
  // Merges `patch` into the object (a merge patch of the whole object).
  void PatchGitRepository(const std::string& name, const manifest::Json& patch);
  void CreateSecret(const std::string& name, const std::map<std::string, std::string>& data);
  reconciler::Outcome Reconcile(const std::string& name);
  manifest::Object Get(const std::string& name);
  // The object's status.artifact, which must be there.
  reconciler::artifact::Artifact ArtifactOf(const std::string& name);
  // The condition of that type; fails the test when missing.
  manifest::Json Condition(const std::string& name, const std::string& type);
  // Unpacks the artifact into a fresh folder and returns every file path in it, sorted.
  std::vector<std::string> ArtifactFiles(const reconciler::artifact::Artifact& artifact);
  // Reads one file of the artifact.
  std::string ArtifactFile(const reconciler::artifact::Artifact& artifact, const std::string& path);
  // The files in the object's artifact folder.
  std::vector<std::string> StoredFiles(const std::string& name);

 private:
  std::unique_ptr<kube::Client> client_;
  std::unique_ptr<ScopedNamespace> namespace_;
  ScratchDirectory scratch_;
  std::string clone_root_;
  std::unique_ptr<reconciler::artifact::Storage> storage_;
  std::unique_ptr<reconciler::source::GitRepositoryReconciler> reconciler_;
  std::vector<std::string> created_;
};

// The ground's SSH private key, known_hosts, CA, user and password.
std::string GroundSshKey();
std::string GroundKnownHosts();
std::string GroundCa();

}  // namespace fluxcpp::testing
