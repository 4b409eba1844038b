// Uninstall: the reverse of BootstrapGit, tolerant of parts that are already gone.
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "bootstrap/bootstrap.h"
#include "bootstrap/validation.h"
#include "bootstrap/workflow.h"
#include "lib/git/repository.h"
#include "lib/kube/errors.h"

namespace fluxcpp::bootstrap {
namespace {

using manifest::Json;
using manifest::Object;

// NotFound from the API server, or a kind the server does not serve (its CRD is gone).
bool IsGone(const absl::Status& status) {
  return kube::IsNotFoundError(status) || status.code() == absl::StatusCode::kNotFound;
}

// Removes the finalizers of every object of `gvk` in `namespace_name` ("" for all namespaces):
// with the reconciler gone nothing else would, and their deletion (or their CRD's) would hang.
// With `and_delete` the objects are deleted too.
absl::Status RemoveFinalizers(kube::Client& client, const manifest::GroupVersionKind& gvk,
                              const std::string& namespace_name, bool and_delete,
                              kube::ChangeSet& changes, const Progress& progress) {
  absl::StatusOr<kube::ObjectList> list = client.List(gvk, namespace_name);
  if (!list.ok()) return IsGone(list.status()) ? absl::OkStatus() : list.status();
  for (const Object& object : list->items) {
    if (object.json()["metadata"].contains("finalizers")) {
      absl::StatusOr<Object> patched =
          client.Patch(gvk, object.Namespace(), object.Name(), kube::PatchType::kMerge,
                       R"({"metadata":{"finalizers":null}})");
      if (!patched.ok() && !IsGone(patched.status())) {
        return kube::WithContext(patched.status(), "removing finalizers");
      }
      Say(progress, absl::StrCat("removed the finalizers of ", object.Describe()));
    }
    if (!and_delete) continue;
    absl::Status deleted = client.Delete(gvk, object.Namespace(), object.Name());
    if (!deleted.ok() && !IsGone(deleted)) return deleted;
    Say(progress, absl::StrCat("deleted ", object.Describe()));
    changes.changes.push_back(
        {object.Describe(), object.Identity(), gvk.version, kube::Action::kDeleted});
  }
  return absl::OkStatus();
}

// Deletes one object; gone counts as deleted.
absl::Status DeleteOne(kube::Client& client, const manifest::GroupVersionKind& gvk,
                       const std::string& namespace_name, const std::string& name,
                       kube::ChangeSet& changes) {
  absl::Status deleted = client.Delete(gvk, namespace_name, name);
  if (!deleted.ok() && !IsGone(deleted)) return deleted;
  changes.changes.push_back({kube::DescribeObject(gvk, namespace_name, name), "", gvk.version,
                             deleted.ok() ? kube::Action::kDeleted : kube::Action::kUnchanged});
  return absl::OkStatus();
}

// Polls until `gvk` `name` no longer exists; the error says what is left and why.
absl::Status WaitUntilGone(kube::Client& client, const manifest::GroupVersionKind& gvk,
                           const std::string& namespace_name, const std::string& name,
                           const Deadline& deadline, std::chrono::milliseconds interval) {
  while (true) {
    absl::StatusOr<Object> object = client.Get(gvk, namespace_name, name);
    if (!object.ok() && IsGone(object.status())) return absl::OkStatus();
    if (deadline.Cancelled()) {
      return absl::CancelledError(absl::StrCat("cancelled while waiting for ",
                                               kube::DescribeObject(gvk, namespace_name, name),
                                               " to be deleted"));
    }
    if (deadline.Expired()) {
      std::string why = object.ok() ? object->json().value("status", Json::object()).dump()
                                    : std::string(object.status().message());
      return absl::DeadlineExceededError(
          absl::StrCat(kube::DescribeObject(gvk, namespace_name, name), " is still there after ",
                       deadline.budget().count(), "s of uninstall: ", why));
    }
    deadline.Pause(interval);
  }
}

// Namespaces of other installs still in the cluster (not being deleted).
absl::StatusOr<std::vector<std::string>> OtherInstalls(kube::Client& client,
                                                       const std::string& namespace_name) {
  absl::StatusOr<kube::ObjectList> namespaces =
      client.List(kNamespaceKind, "", {.label_selector = absl::StrCat(kPartOfLabel, "=flux")});
  if (!namespaces.ok()) return namespaces.status();
  std::vector<std::string> others;
  for (const Object& object : namespaces->items) {
    if (object.Name() == namespace_name) continue;
    if (object.json()["metadata"].contains("deletionTimestamp")) continue;
    others.push_back(object.Name());
  }
  return others;
}

absl::StatusOr<std::string> RemoveGitFiles(const UninstallOptions& options, bool* committed,
                                           const Progress& progress) {
  absl::StatusOr<std::unique_ptr<ScratchFolder>> scratch = ScratchFolder::Create();
  if (!scratch.ok()) return scratch.status();
  Say(progress, absl::StrCat("cloning branch ", options.sync.branch, " of ",
                             git::RedactUrl(options.sync.url)));
  absl::StatusOr<std::unique_ptr<git::Repository>> repository =
      git::Repository::Clone(options.sync.url, (*scratch)->path() + "/repository",
                             {.branch = options.sync.branch, .auth = options.git.auth});
  if (!repository.ok()) return repository.status();
  SyncOptions sync = options.sync;
  sync.namespace_name = options.namespace_name;
  std::string folder = BootstrapFolder(sync);
  for (const char* file : {"gotk-components.yaml", "gotk-sync.yaml", "kustomization.yaml"}) {
    if (absl::Status removed = (*repository)->RemoveFile(absl::StrCat(folder, "/", file));
        !removed.ok()) {
      return removed;
    }
  }
  absl::StatusOr<git::CommitResult> commit =
      (*repository)
          ->Commit({.author_name = options.git.author_name,
                    .author_email = options.git.author_email,
                    .message = CommitMessage("Uninstall Flux", options.git),
                    .signing = options.git.signing});
  if (!commit.ok()) return commit.status();
  if (!commit->created) {
    Say(progress, absl::StrCat("the bootstrap files are not in ", folder, "/ any more"));
    return commit->sha;
  }
  absl::StatusOr<git::PushResult> pushed =
      (*repository)->Push({.max_attempts = options.git.push_attempts});
  if (!pushed.ok()) return pushed.status();
  *committed = true;
  Say(progress, absl::StrCat("removed the bootstrap files from ", folder, "/ and pushed ",
                             BranchRevision(options.sync.branch, pushed->sha)));
  return pushed->sha;
}

}  // namespace

absl::StatusOr<UninstallResult> Uninstall(const UninstallOptions& options, kube::Client& client,
                                          const Progress& progress) {
  Deadline deadline(options.timeout, options.cancel);
  const std::string& ns = options.namespace_name;
  if (!IsDns1123Label(ns)) {
    return absl::InvalidArgumentError(
        absl::StrCat("namespace: \"", ns, "\" is not an RFC 1123 label"));
  }
  InstallOptions install;
  install.namespace_name = ns;
  absl::StatusOr<std::vector<Object>> install_objects = GenerateInstall(install);
  if (!install_objects.ok()) return install_objects.status();
  if (options.delete_git_manifests) {
    SyncOptions sync = options.sync;
    sync.namespace_name = ns;
    if (absl::Status valid = sync.Validate(); !valid.ok()) return valid;
    if (absl::Status valid = git::ValidateAuth(sync.url, options.git.auth); !valid.ok()) {
      return valid;
    }
  }

  if (absl::Status cluster = CheckCluster(client, progress); !cluster.ok()) return cluster;
  if (options.delete_git_manifests) {
    if (absl::Status access = CheckGitAccess(options.sync.url, options.git, progress);
        !access.ok()) {
      return access;
    }
  }

  UninstallResult result;
  // The reconciler first, so that it stops acting on what is removed next.
  std::vector<Object> components;
  for (const Object& object : *install_objects) {
    if (object.Kind() == "CustomResourceDefinition" || object.Kind() == "Namespace") continue;
    components.push_back(object);
  }
  Say(progress, absl::StrCat("deleting the reconciler's objects in ", ns));
  kube::ApplyResult deleted = kube::DeleteAll(client, components);
  if (!deleted.status.ok()) {
    return kube::WithContext(deleted.status, "deleting the reconciler's objects");
  }
  for (const kube::Change& change : deleted.change_set.changes) {
    result.changes.changes.push_back(change);
  }
  Say(progress, absl::StrCat("the reconciler's objects: ", deleted.change_set.Summary()));

  for (const auto* gvk : {&kKustomizationKind, &kGitRepositoryKind}) {
    if (absl::Status removed =
            RemoveFinalizers(client, *gvk, ns, /*and_delete=*/true, result.changes, progress);
        !removed.ok()) {
      return removed;
    }
  }

  absl::StatusOr<Object> secret = client.Get(kSecretKind, ns, options.secret_name);
  if (secret.ok() && secret->Label(kInstanceLabel) == ns) {
    if (absl::Status status =
            DeleteOne(client, kSecretKind, ns, options.secret_name, result.changes);
        !status.ok()) {
      return status;
    }
    Say(progress, absl::StrCat("deleted ", secret->Describe()));
  } else if (!secret.ok() && !IsGone(secret.status())) {
    return secret.status();
  }

  if (options.delete_crds) {
    absl::StatusOr<std::vector<std::string>> others = OtherInstalls(client, ns);
    if (!others.ok()) return others.status();
    if (!others->empty()) {
      Say(progress, absl::StrCat("keeping the CRDs: the installs in namespace(s) ",
                                 absl::StrJoin(*others, ", "), " use them"));
    } else {
      for (const auto* gvk : {&kKustomizationKind, &kGitRepositoryKind}) {
        if (absl::Status removed =
                RemoveFinalizers(client, *gvk, "", /*and_delete=*/false, result.changes, progress);
            !removed.ok()) {
          return removed;
        }
      }
      for (const char* name : kCrdNames) {
        if (absl::Status status = DeleteOne(client, kCrdKind, "", name, result.changes);
            !status.ok()) {
          return status;
        }
      }
      Say(progress, "deleting the CRDs");
      for (const char* name : kCrdNames) {
        if (absl::Status gone =
                WaitUntilGone(client, kCrdKind, "", name, deadline, options.poll_interval);
            !gone.ok()) {
          return gone;
        }
      }
      client.ResetDiscovery();
      result.crds_deleted = true;
      Say(progress, "the CRDs are deleted");
    }
  }

  if (!options.keep_namespace) {
    Say(progress, absl::StrCat("deleting Namespace/", ns));
    if (absl::Status status = DeleteOne(client, kNamespaceKind, "", ns, result.changes);
        !status.ok()) {
      return status;
    }
    if (absl::Status gone =
            WaitUntilGone(client, kNamespaceKind, "", ns, deadline, options.poll_interval);
        !gone.ok()) {
      return gone;
    }
    Say(progress, absl::StrCat("Namespace/", ns, " is deleted"));
  }

  if (options.delete_git_manifests) {
    absl::StatusOr<std::string> commit = RemoveGitFiles(options, &result.git_committed, progress);
    if (!commit.ok()) return commit.status();
    result.commit = *commit;
  }
  Say(progress, "uninstall finished");
  return result;
}

}  // namespace fluxcpp::bootstrap
