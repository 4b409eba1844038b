// BootstrapGit: Git first (checked, then written), then the cluster, then the wait for the
// reconciler.
#include "bootstrap/bootstrap.h"

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <variant>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bootstrap/validation.h"
#include "bootstrap/workflow.h"
#include "lib/git/repository.h"
#include "lib/kube/errors.h"
#include "lib/kube/health.h"
#include "lib/kustomize/build.h"
#include "lib/manifest/yaml.h"

namespace fluxcpp::bootstrap {
namespace {

using manifest::Json;
using manifest::Object;

absl::Status Invalid(absl::string_view field, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", problem));
}

// The credentials the reconciler gets in its Secret, from those we push with; nullopt for a
// public http(s) repository.
std::optional<GitCredentials> SecretCredentials(const BootstrapOptions& options) {
  const git::AuthOptions& auth = options.git.auth;
  if (UrlScheme(options.sync.url) == "ssh") {
    return SshCredentials{.identity = auth.ssh_private_key,
                          .identity_pub = options.git.ssh_public_key,
                          .known_hosts = auth.known_hosts,
                          .password = auth.ssh_passphrase};
  }
  if (auth.username.empty() && auth.password.empty() && auth.ca_pem.empty()) return std::nullopt;
  return HttpsCredentials{
      .username = auth.username, .password = auth.password, .ca_crt = auth.ca_pem};
}

absl::Status Validate(const BootstrapOptions& options) {
  if (options.install.namespace_name != options.sync.namespace_name) {
    return Invalid("namespace",
                   absl::StrCat("the install namespace \"", options.install.namespace_name,
                                "\" and the sync namespace \"", options.sync.namespace_name,
                                "\" must be the same"));
  }
  if (absl::Status status = options.install.Validate(); !status.ok()) return status;
  if (absl::Status status = options.sync.Validate(); !status.ok()) return status;
  if (!options.sync.tag.empty() || !options.sync.semver.empty() || !options.sync.commit.empty()) {
    return Invalid("branch",
                   "the bootstrap commits to a branch and the cluster follows that branch; tag, "
                   "semver and commit cannot be used");
  }
  if (options.sync.branch.empty()) return Invalid("branch", "must be set");
  if (options.git.author_name.empty()) return Invalid("author_name", "must be set");
  if (absl::Status status = git::ValidateAuth(options.sync.url, options.git.auth); !status.ok()) {
    return status;
  }
  if (options.create_secret && UrlScheme(options.sync.url) != "ssh") {
    const git::AuthOptions& auth = options.git.auth;
    if (!auth.username.empty() != !auth.password.empty()) {
      return Invalid("http", "username and password must be given together");
    }
  }
  return absl::OkStatus();
}

// The state of a Flux object for messages: "Ready=False (ArtifactFailed): <message>", "no status
// yet", "Ready=True at main@sha1:…", "not found".
struct FluxState {
  bool found = false;
  bool ready = false;
  bool stalled = false;
  std::string revision;
  std::string description;
};

FluxState StateOf(kube::Client& client, const manifest::GroupVersionKind& gvk,
                  const std::string& namespace_name, const std::string& name) {
  FluxState state;
  absl::StatusOr<Object> object = client.Get(gvk, namespace_name, name);
  if (!object.ok()) {
    state.description = kube::IsNotFoundError(object.status())
                            ? "not found"
                            : absl::StrCat("cannot be read: ", object.status().message());
    return state;
  }
  state.found = true;
  const Json& json = object->json();
  const Json status = json.value("status", Json::object());
  state.revision = status.value("lastAppliedRevision", "");
  if (state.revision.empty() && status.contains("artifact")) {
    state.revision = status["artifact"].value("revision", "");
  }
  int64_t generation = json["metadata"].value("generation", int64_t{0});
  int64_t observed = status.value("observedGeneration", int64_t{-1});
  const Json conditions = status.value("conditions", Json::array());
  const Json* ready_condition = nullptr;
  for (const Json& condition : conditions) {
    std::string type = condition.value("type", "");
    if (type == "Ready") ready_condition = &condition;
    if (type == "Stalled" && condition.value("status", "") == "True") {
      state.stalled = true;
      state.description = absl::StrCat("Stalled (", condition.value("reason", ""),
                                       "): ", condition.value("message", ""));
    }
  }
  if (state.stalled) return state;
  if (ready_condition == nullptr) {
    state.description = "no status yet: the reconciler has not reported on it";
    return state;
  }
  std::string ready = ready_condition->value("status", "Unknown");
  state.description =
      absl::StrCat("Ready=", ready, " (", ready_condition->value("reason", ""),
                   "): ", ready_condition->value("message", ""),
                   state.revision.empty() ? "" : absl::StrCat("; last revision ", state.revision));
  if (observed != generation) {
    absl::StrAppend(&state.description, "; generation ", generation, " not observed yet (",
                    observed, ")");
    return state;
  }
  state.ready = ready == "True";
  return state;
}

// The commit SHA of a Flux revision ("main@sha1:<sha>" or "sha1:<sha>") and the part before it.
struct RevisionParts {
  std::string branch;
  std::string sha;
};
std::optional<RevisionParts> SplitRevision(const std::string& revision) {
  constexpr std::string_view kMarker = "sha1:";
  size_t at = revision.rfind(kMarker);
  if (at == std::string::npos) return std::nullopt;
  std::string branch = revision.substr(0, at);
  if (!branch.empty() && branch.back() == '@') branch.pop_back();
  return RevisionParts{branch, revision.substr(at + kMarker.size())};
}

// Whether `applied_sha` (a head of the branch the cluster applied) contains our commit.
using ContainsCommit = std::function<absl::StatusOr<bool>(const std::string& applied_sha)>;

// Waits until the Kustomization `<ns>/<ns>` is Ready at `revision`, or at a later head of the same
// branch that contains it: when several bootstraps push to one branch at once (one repository, many
// clusters), the cluster may first see a head another writer pushed on top of ours.
absl::Status WaitForReconciler(const BootstrapOptions& options, kube::Client& client,
                               const std::string& revision, const ContainsCommit& contains,
                               const Deadline& deadline, const Progress& progress) {
  const std::string& ns = options.sync.namespace_name;
  const std::string& name = options.sync.name;
  std::string subject = kube::DescribeObject(kKustomizationKind, ns, name);
  Say(progress, absl::StrCat("waiting for ", subject, " to be Ready at ", revision));
  std::string last_description;
  const std::optional<RevisionParts> ours = SplitRevision(revision);
  std::string checked_sha;  // the last other revision asked about, and the answer
  bool checked_contains = false;
  while (true) {
    FluxState state = StateOf(client, kKustomizationKind, ns, name);
    if (state.ready && state.revision == revision) {
      Say(progress, absl::StrCat(subject, " is Ready at ", revision));
      return absl::OkStatus();
    }
    const std::optional<RevisionParts> applied = SplitRevision(state.revision);
    if (state.ready && ours && applied && applied->branch == ours->branch && contains) {
      if (applied->sha != checked_sha) {
        absl::StatusOr<bool> answer = contains(applied->sha);
        checked_sha = applied->sha;
        checked_contains = answer.ok() && *answer;
      }
      if (checked_contains) {
        Say(progress,
            absl::StrCat(subject, " is Ready at ", state.revision, ", which contains ", revision));
        return absl::OkStatus();
      }
    }
    if (state.stalled) {
      return absl::FailedPreconditionError(
          absl::StrCat(subject, " will not become Ready at ", revision, ": ", state.description));
    }
    std::string description =
        state.ready
            ? absl::StrCat("Ready at ", state.revision.empty() ? "no revision" : state.revision,
                           ", not yet at ", revision)
            : state.description;
    if (description != last_description) {
      Say(progress, absl::StrCat(subject, ": ", description));
      last_description = description;
    }
    if (deadline.Cancelled()) {
      return absl::CancelledError(absl::StrCat("cancelled while waiting for ", subject,
                                               " to be Ready at ", revision, ": ", description));
    }
    if (deadline.Expired()) {
      FluxState source = StateOf(client, kGitRepositoryKind, ns, name);
      absl::StatusOr<Object> deployment = client.Get(kDeploymentKind, ns, kReconcilerDeployment);
      std::string reconciler =
          deployment.ok()
              ? kube::ComputeHealth(deployment->json()).message
              : absl::StrCat(kube::DescribeObject(kDeploymentKind, ns, kReconcilerDeployment), ": ",
                             deployment.status().message());
      return absl::DeadlineExceededError(
          absl::StrCat("timed out after ", deadline.budget().count(), "s waiting for ", subject,
                       " to be Ready at ", revision, ": ", description, "; ",
                       kube::DescribeObject(kGitRepositoryKind, ns, name), ": ", source.description,
                       "; reconciler: ", reconciler));
    }
    deadline.Pause(options.poll_interval);
  }
}

// Applies `objects` and reports the change set; the error names `what`.
absl::StatusOr<kube::ChangeSet> ApplySet(kube::Client& client, const std::vector<Object>& objects,
                                         absl::string_view what, const Deadline& deadline,
                                         const Progress& progress) {
  Say(progress, absl::StrCat("applying ", what, " (", objects.size(), " objects)"));
  kube::ApplyResult applied =
      kube::ApplyAll(client, objects,
                     {.field_manager = kFieldManager,
                      .stage_timeout = std::min(deadline.Remaining(), std::chrono::seconds(120))});
  if (!applied.status.ok()) {
    return absl::Status(applied.status.code(),
                        absl::StrCat("applying ", what, ": ", applied.status.message()));
  }
  Say(progress, absl::StrCat(what, ": ", applied.change_set.Summary()));
  return applied.change_set;
}

// Flux's manual trigger: the reconciler handles an object whose annotation changed at once
// instead of at its next interval, and records the value as status.lastHandledReconcileAt (it does
// not wake on that, so the request is handled once).
inline constexpr char kRequestedAtAnnotation[] = "reconcile.fluxcd.io/requestedAt";

// Asks the reconciler to fetch the GitRepository `<ns>/<name>` now.
absl::Status RequestReconcile(kube::Client& client, const SyncOptions& sync,
                              const Progress& progress) {
  const std::string requested_at =
      absl::FormatTime(absl::RFC3339_full, absl::Now(), absl::UTCTimeZone());
  Json patch = {{"metadata", {{"annotations", {{kRequestedAtAnnotation, requested_at}}}}}};
  absl::StatusOr<Object> patched = client.Patch(kGitRepositoryKind, sync.namespace_name, sync.name,
                                                kube::PatchType::kMerge, patch.dump());
  std::string subject = kube::DescribeObject(kGitRepositoryKind, sync.namespace_name, sync.name);
  if (!patched.ok()) {
    return absl::Status(patched.status().code(), absl::StrCat("requesting a reconcile of ", subject,
                                                              ": ", patched.status().message()));
  }
  Say(progress, absl::StrCat("requested a reconcile of ", subject));
  return absl::OkStatus();
}

// The path the cluster's Kustomization `<ns>/<name>` builds now, cleaned as SyncOptions::CleanPath
// does; nullopt when there is no such Kustomization (a first bootstrap).
std::optional<std::string> ClusterPath(kube::Client& client, const SyncOptions& sync) {
  absl::StatusOr<Object> kustomization =
      client.Get(kKustomizationKind, sync.namespace_name, sync.name);
  if (!kustomization.ok()) return std::nullopt;
  SyncOptions current;
  current.path = kustomization->json().value("spec", Json::object()).value("path", "");
  return current.CleanPath();
}

// Whether `inner` is `outer` or a folder below it ("" is the repository root).
bool IsInside(const std::string& inner, const std::string& outer) {
  return outer.empty() || inner == outer || inner.rfind(outer + "/", 0) == 0;
}

// Waits until the Kustomization has handled (applied or failed on) a revision of the branch that
// contains `revision`: the cluster has fetched that commit and no apply of an older one is still
// in flight.
absl::Status WaitForAttempt(const BootstrapOptions& options, kube::Client& client,
                            const std::string& revision, const ContainsCommit& contains,
                            const Deadline& deadline, const Progress& progress) {
  const std::string& ns = options.sync.namespace_name;
  std::string subject = kube::DescribeObject(kKustomizationKind, ns, options.sync.name);
  Say(progress, absl::StrCat("waiting for ", subject, " to handle ", revision));
  const std::optional<RevisionParts> ours = SplitRevision(revision);
  std::string checked_sha;
  bool checked_contains = false;
  std::string attempted;
  while (true) {
    absl::StatusOr<Object> object = client.Get(kKustomizationKind, ns, options.sync.name);
    if (object.ok()) {
      attempted = object->json().value("status", Json::object()).value("lastAttemptedRevision", "");
      if (attempted == revision) return absl::OkStatus();
      const std::optional<RevisionParts> seen = SplitRevision(attempted);
      if (ours && seen && seen->branch == ours->branch) {
        if (seen->sha != checked_sha) {
          absl::StatusOr<bool> answer = contains(seen->sha);
          checked_sha = seen->sha;
          checked_contains = answer.ok() && *answer;
        }
        if (checked_contains) return absl::OkStatus();
      }
    }
    if (deadline.Cancelled()) {
      return absl::CancelledError(
          absl::StrCat("cancelled while waiting for ", subject, " to handle ", revision));
    }
    if (deadline.Expired()) {
      return absl::DeadlineExceededError(absl::StrCat(
          "timed out after ", deadline.budget().count(), "s waiting for ", subject, " to handle ",
          revision, " (last attempted: ", attempted.empty() ? "none" : attempted, "); ",
          kube::DescribeObject(kGitRepositoryKind, ns, options.sync.name), ": ",
          StateOf(client, kGitRepositoryKind, ns, options.sync.name).description));
    }
    deadline.Pause(options.poll_interval);
  }
}

// The bootstrap objects as the cluster's reconciler applies them when a kustomization_override
// replaces kustomization.yaml: the kustomize build of the bootstrap folder, patches included, so
// that the bootstrap and the reconciler apply the same objects. Objects that are generated sync
// objects go to `sync_objects`, all others to `install_objects`.
absl::Status BuildWithOverride(const std::string& root, const std::string& folder,
                               std::vector<Object>& install_objects,
                               std::vector<Object>& sync_objects) {
  absl::StatusOr<std::vector<Object>> built = kustomize::Build(root, folder);
  if (!built.ok()) {
    return absl::Status(
        built.status().code(),
        absl::StrCat("kustomization_override: building ", folder, "/: ", built.status().message()));
  }
  std::set<std::string> sync_identities;
  for (const Object& object : sync_objects) sync_identities.insert(object.Identity());
  install_objects.clear();
  sync_objects.clear();
  for (Object& object : *built) {
    (sync_identities.count(object.Identity()) != 0 ? sync_objects : install_objects)
        .push_back(std::move(object));
  }
  return absl::OkStatus();
}

}  // namespace

bool BootstrapResult::Unchanged() const {
  for (const kube::ChangeSet* set : {&install_changes, &secret_changes, &sync_changes}) {
    if (set->Count(kube::Action::kUnchanged) != static_cast<int>(set->changes.size())) {
      return false;
    }
  }
  return !committed;
}

absl::StatusOr<BootstrapResult> BootstrapGit(const BootstrapOptions& options, kube::Client& client,
                                             const Progress& progress) {
  Deadline deadline(options.timeout, options.cancel);
  if (absl::Status valid = Validate(options); !valid.ok()) return valid;

  SyncOptions sync = options.sync;
  std::optional<GitCredentials> credentials = SecretCredentials(options);
  // A public repository needs no Secret; a Secret made elsewhere is referenced as it is.
  if (!credentials.has_value() && options.create_secret) sync.secret_name.clear();

  BootstrapResult result;
  absl::StatusOr<std::map<std::string, std::string>> files = RepositoryFiles(options.install, sync);
  if (!files.ok()) return files.status();
  result.repository_files = *files;
  absl::StatusOr<std::vector<Object>> install_objects = GenerateInstall(options.install);
  if (!install_objects.ok()) return install_objects.status();
  absl::StatusOr<std::vector<Object>> sync_objects = GenerateSync(sync);
  if (!sync_objects.ok()) return sync_objects.status();
  std::optional<Object> secret;
  if (options.create_secret && credentials.has_value()) {
    absl::StatusOr<Object> generated = GenerateSyncSecret(sync, *credentials);
    if (!generated.ok()) return generated.status();
    secret = std::move(*generated);
    // The labels let Uninstall tell our Secret from one the user made.
    secret->SetLabel(kPartOfLabel, "flux");
    secret->SetLabel(kInstanceLabel, sync.namespace_name);
  }
  std::optional<Object> pull_secret;
  if (!options.install.registry_credentials.empty()) {
    absl::StatusOr<Object> generated = GenerateImagePullSecret(options.install);
    if (!generated.ok()) return generated.status();
    pull_secret = std::move(*generated);
  }

  // Everything that can fail cheaply is checked before Git or the cluster change.
  if (absl::Status cluster = CheckCluster(client, progress); !cluster.ok()) return cluster;
  if (absl::Status access =
          CheckGitAccess(sync.url, options.git, progress,
                         std::min(deadline.Remaining(), std::chrono::seconds(30)));
      !access.ok()) {
    return access;
  }
  if (options.git.signing.enabled()) {
    absl::StatusOr<std::string> key_id = git::CheckSigningKey(options.git.signing);
    if (!key_id.ok()) return key_id.status();
    Say(progress, absl::StrCat("commits will be signed with OpenPGP key ", *key_id));
  }
  // A cluster that builds another folder is moved (see below) rather than cut over in one step.
  std::optional<std::string> previous_path = ClusterPath(client, sync);
  if (previous_path.has_value() && *previous_path == sync.CleanPath()) previous_path.reset();
  std::string previous_folder;
  if (previous_path.has_value()) {
    SyncOptions previous = sync;
    previous.path = *previous_path;
    previous_folder = BootstrapFolder(previous);
    Say(progress, absl::StrCat("the cluster builds ./", *previous_path, "; moving it to ./",
                               sync.CleanPath()));
  }

  // Git.
  absl::StatusOr<std::unique_ptr<ScratchFolder>> scratch = ScratchFolder::Create();
  if (!scratch.ok()) return scratch.status();
  std::string url = git::RedactUrl(sync.url);
  Say(progress, absl::StrCat("cloning branch ", sync.branch, " of ", url));
  const std::string root = (*scratch)->path() + "/repository";
  absl::StatusOr<std::unique_ptr<git::Repository>> repository =
      git::Repository::Clone(sync.url, root, {.branch = sync.branch, .auth = options.git.auth});
  if (!repository.ok()) return repository.status();
  bool existed = false;
  for (const auto& [path, content] : *files) {
    absl::StatusOr<std::string> current = (*repository)->ReadFile(path);
    if (current.ok()) existed = true;
    if (current.ok() && *current == content) continue;
    if (absl::Status written = (*repository)->WriteFile(path, content); !written.ok()) {
      return written;
    }
  }
  if (!sync.kustomization_override.empty()) {
    if (absl::Status built =
            BuildWithOverride(root, BootstrapFolder(sync), *install_objects, *sync_objects);
        !built.ok()) {
      return built;
    }
  }
  // Created in the cluster only, before the Deployment that pulls with it (ApplyAll puts Secrets
  // before Deployments); it never goes to Git.
  if (pull_secret.has_value()) install_objects->push_back(*pull_secret);

  std::string message = existed ? "Update Flux manifests"
                                : absl::StrCat("Add Flux ", options.install.ResolvedVersion(),
                                               " component and sync manifests");
  // Pushes the work tree's changes; false when there were none.
  auto commit_and_push = [&](const std::string& message) -> absl::StatusOr<bool> {
    absl::StatusOr<git::CommitResult> commit =
        (*repository)
            ->Commit({.author_name = options.git.author_name,
                      .author_email = options.git.author_email,
                      .message = CommitMessage(message, options.git),
                      .signing = options.git.signing});
    if (!commit.ok()) return commit.status();
    result.commit = commit->sha;
    if (!commit->created) return false;
    result.committed = true;
    Say(progress, absl::StrCat("committed ", ShortSha(commit->sha), " \"", message, "\""));
    absl::StatusOr<git::PushResult> pushed =
        (*repository)->Push({.max_attempts = options.git.push_attempts});
    if (!pushed.ok()) return pushed.status();
    result.commit = pushed->sha;
    Say(progress,
        absl::StrCat("pushed ", BranchRevision(sync.branch, pushed->sha), " to ", url,
                     pushed->reapplied > 0 ? absl::StrCat(" (re-applied on ", pushed->reapplied,
                                                          " newer remote head(s))")
                                           : ""));
    return true;
  };
  absl::StatusOr<bool> pushed = commit_and_push(message);
  if (!pushed.ok()) return pushed.status();
  if (!*pushed) {
    Say(progress, absl::StrCat("the files in ", BootstrapFolder(sync), "/ are up to date at ",
                               BranchRevision(sync.branch, result.commit)));
  }
  result.revision = BranchRevision(sync.branch, result.commit);
  // Whether a revision the cluster saw holds our last pushed commit.
  const ContainsCommit contains = [&repository, &result](const std::string& applied_sha) {
    return (*repository)->Contains(applied_sha, result.commit);
  };

  // The cluster.
  absl::StatusOr<kube::ChangeSet> install =
      ApplySet(client, *install_objects, "the install set", deadline, progress);
  if (!install.ok()) return install.status();
  result.install_changes = *install;
  Say(progress, absl::StrCat("waiting for the CRDs to be Established and ",
                             kube::DescribeObject(kDeploymentKind, sync.namespace_name,
                                                  kReconcilerDeployment),
                             " to be Available"));
  if (absl::Status ready = kube::WaitForSet(client, *install_objects,
                                            {.timeout = deadline.Remaining(),
                                             .interval = options.poll_interval,
                                             .cancel = options.cancel});
      !ready.ok()) {
    return absl::Status(ready.code(),
                        absl::StrCat("the install set is not ready: ", ready.message()));
  }
  Say(progress, "the install set is ready");

  if (secret.has_value()) {
    absl::StatusOr<kube::ChangeSet> applied =
        ApplySet(client, {*secret}, "the Git credentials Secret", deadline, progress);
    if (!applied.ok()) return applied.status();
    result.secret_changes = *applied;
  }

  // A move keeps the old folder in Git until the cluster builds the new one: the cluster first
  // handles the commit that adds the new folder while it still builds the old one (whose
  // gotk-sync.yaml names the old path, so nothing it applies points elsewhere), only then is its
  // Kustomization pointed at the new folder, and the old folder is removed last. No commit the
  // cluster builds ever lacks the install, so it never prunes itself.
  if (previous_path.has_value()) {
    if (absl::Status requested = RequestReconcile(client, sync, progress); !requested.ok()) {
      return requested;
    }
    if (absl::Status handled =
            WaitForAttempt(options, client, result.revision, contains, deadline, progress);
        !handled.ok()) {
      return handled;
    }
  }

  absl::StatusOr<kube::ChangeSet> applied_sync =
      ApplySet(client, *sync_objects, "the sync set", deadline, progress);
  if (!applied_sync.ok()) return applied_sync.status();
  result.sync_changes = *applied_sync;
  // An existing GitRepository would see the pushed commit only at its next interval (a new one is
  // fetched at once).
  bool source_created = false;
  for (const kube::Change& change : result.sync_changes.changes) {
    source_created = source_created || (change.action == kube::Action::kCreated &&
                                        absl::StrContains(change.subject, "GitRepository"));
  }
  if (FluxState source = StateOf(client, kGitRepositoryKind, sync.namespace_name, sync.name);
      !source_created && source.found && source.revision != result.revision) {
    if (absl::Status requested = RequestReconcile(client, sync, progress); !requested.ok()) {
      return requested;
    }
  }

  // With the old folder inside the new path, the new path holds both copies of the install until
  // the old one is removed, which kustomize refuses as duplicates: then only the removal's commit
  // can be Ready.
  const bool old_inside_new =
      previous_path.has_value() && IsInside(previous_folder, sync.CleanPath());
  if (!old_inside_new) {
    if (absl::Status reconciled =
            WaitForReconciler(options, client, result.revision, contains, deadline, progress);
        !reconciled.ok()) {
      return reconciled;
    }
  }
  if (previous_path.has_value()) {
    for (const char* name : {"gotk-components.yaml", "gotk-sync.yaml", "kustomization.yaml"}) {
      if (absl::Status removed =
              (*repository)->RemoveFile(absl::StrCat(previous_folder, "/", name));
          !removed.ok()) {
        return removed;
      }
    }
    absl::StatusOr<bool> removed = commit_and_push(absl::StrCat(
        "Move Flux manifests from ", previous_folder, "/ to ", BootstrapFolder(sync), "/"));
    if (!removed.ok()) return removed.status();
    if (*removed || old_inside_new) {
      result.revision = BranchRevision(sync.branch, result.commit);
      if (absl::Status requested = RequestReconcile(client, sync, progress); !requested.ok()) {
        return requested;
      }
      if (absl::Status reconciled =
              WaitForReconciler(options, client, result.revision, contains, deadline, progress);
          !reconciled.ok()) {
        return reconciled;
      }
    }
  }
  Say(progress, result.Unchanged() ? "bootstrap finished: nothing changed" : "bootstrap finished");
  return result;
}

}  // namespace fluxcpp::bootstrap
