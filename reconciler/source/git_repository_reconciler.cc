#include "reconciler/source/git_repository_reconciler.h"

#include <filesystem>
#include <optional>
#include <system_error>
#include <variant>
#include <vector>

#include "absl/strings/str_cat.h"
#include "lib/git/mirror.h"
#include "lib/git/submodules.h"
#include "lib/kube/errors.h"
#include "reconciler/runtime/status.h"
#include "reconciler/source/git_repository_spec.h"
#include "reconciler/source/ignore.h"

namespace fluxcpp::reconciler::source {
namespace {

namespace fs = std::filesystem;

// Condition types and reasons of source.toolkit.fluxcd.io/v1.
constexpr std::string_view kArtifactInStorageCondition = "ArtifactInStorage";
constexpr std::string_view kArtifactOutdatedCondition = "ArtifactOutdated";
constexpr std::string_view kFetchFailedCondition = "FetchFailed";
constexpr std::string_view kStorageOperationFailedCondition = "StorageOperationFailed";
constexpr char kAuthenticationFailedReason[] = "AuthenticationFailed";
constexpr char kGitOperationFailedReason[] = "GitOperationFailed";
constexpr char kArchiveOperationFailedReason[] = "ArchiveOperationFailed";
constexpr char kUrlInvalidReason[] = "URLInvalid";
constexpr char kNewArtifactReason[] = "NewArtifact";
constexpr char kGarbageCollectionFailedReason[] = "GarbageCollectionFailed";
constexpr char kReportingComponent[] = "source-controller";

const GroupVersionKind kSecretKind{"", "v1", "Secret"};

// Why a reconcile did not produce an artifact, sorted as STYLE.md asks.
struct Failure {
  std::string condition;  // FetchFailed, StorageOperationFailed, or Stalled for a terminal one
  std::string reason;
  std::string message;
  bool terminal = false;
};

struct SyncResult {
  artifact::Artifact artifact;
  bool new_artifact = false;  // a file was written for a revision the status did not have
  bool fetched = false;
};

// Removes a folder when the scope ends (the checked-out tree of one reconcile).
class FolderGuard {
 public:
  explicit FolderGuard(fs::path path) : path_(std::move(path)) {}
  ~FolderGuard() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  FolderGuard(const FolderGuard&) = delete;
  FolderGuard& operator=(const FolderGuard&) = delete;

 private:
  fs::path path_;
};

std::string StoredMessage(const std::string& revision) {
  return absl::StrCat("stored artifact for revision '", revision, "'");
}

Failure FetchFailure(const absl::Status& status, const std::string& context) {
  return Failure{.condition = std::string(kFetchFailedCondition),
                 .reason = status.code() == absl::StatusCode::kUnauthenticated
                               ? kAuthenticationFailedReason
                               : kGitOperationFailedReason,
                 .message = absl::StrCat(context, ": ", status.message())};
}

std::optional<artifact::Artifact> CurrentArtifact(const Json& status) {
  if (!status.is_object()) return std::nullopt;
  auto it = status.find("artifact");
  if (it == status.end() || it->is_null()) return std::nullopt;
  absl::StatusOr<artifact::Artifact> artifact = artifact::Artifact::FromJson(*it);
  if (!artifact.ok()) return std::nullopt;
  return *artifact;
}

// Whether what went into the last artifact besides the revision (the ignore rules, submodules)
// is what the spec asks for now.
bool ContentConfigUnchanged(const Json& status, const GitRepositorySpec& spec) {
  std::optional<std::string> observed_ignore;
  bool observed_submodules = false;
  if (status.is_object()) {
    if (auto it = status.find("observedIgnore"); it != status.end() && it->is_string()) {
      observed_ignore = it->get<std::string>();
    }
    if (auto it = status.find("observedRecurseSubmodules");
        it != status.end() && it->is_boolean()) {
      observed_submodules = it->get<bool>();
    }
  }
  return observed_ignore == spec.ignore && observed_submodules == spec.recurse_submodules;
}

std::vector<std::string> Finalizers(const manifest::Object& object) {
  std::vector<std::string> finalizers;
  const Json& metadata = object.json().value("metadata", Json::object());
  if (auto it = metadata.find("finalizers"); it != metadata.end() && it->is_array()) {
    for (const Json& item : *it) {
      if (item.is_string()) finalizers.push_back(item.get<std::string>());
    }
  }
  return finalizers;
}

}  // namespace

GitRepositoryReconciler::GitRepositoryReconciler(kube::Client& client,
                                                 const artifact::Storage& storage,
                                                 GitRepositoryReconcilerOptions options)
    : client_(client), storage_(storage), options_(std::move(options)) {}

namespace {

class Run {
 public:
  Run(kube::Client& client, const artifact::Storage& storage,
      const GitRepositoryReconcilerOptions& options, manifest::Object object)
      : client_(client), storage_(storage), options_(options), object_(std::move(object)) {
    key_ = ObjectKey{object_.Namespace(), object_.Name()};
    clone_directory_ = fs::path(options_.clone_root) / key_.namespace_name / key_.name;
    object_directory_ =
        artifact::Storage::ObjectDirectory(kGitRepositoryKind.kind, key_.namespace_name, key_.name);
  }

  Outcome Reconcile();

 private:
  Outcome Finalize();
  std::string ResourceVersion() const {
    return object_.json()["metadata"].value("resourceVersion", "");
  }
  absl::Status EnsureFinalizer();
  absl::StatusOr<git::AuthOptions> Auth(const GitRepositorySpec& spec, Failure& failure);
  std::variant<SyncResult, Failure> Sync(const GitRepositorySpec& spec, const Json& status);
  void Event(const std::string& type, const std::string& reason, const std::string& message) {
    // Events are best effort: a reconcile does not fail because one could not be recorded.
    (void)client_.RecordEvent(object_, type, reason, message, kReportingComponent);
  }

  kube::Client& client_;
  const artifact::Storage& storage_;
  const GitRepositoryReconcilerOptions& options_;
  manifest::Object object_;
  ObjectKey key_;
  fs::path clone_directory_;
  std::string object_directory_;
};

absl::Status Run::EnsureFinalizer() {
  std::vector<std::string> finalizers = Finalizers(object_);
  if (std::find(finalizers.begin(), finalizers.end(), kFinalizer) != finalizers.end()) {
    return absl::OkStatus();
  }
  finalizers.emplace_back(kFinalizer);
  Json patch = {{"metadata", {{"finalizers", finalizers}, {"resourceVersion", ResourceVersion()}}}};
  absl::StatusOr<manifest::Object> patched =
      client_.Patch(kGitRepositoryKind, key_.namespace_name, key_.name, kube::PatchType::kMerge,
                    patch.dump(), "", options_.field_manager);
  if (!patched.ok()) {
    return absl::Status(
        patched.status().code(),
        absl::StrCat(object_.Describe(), ": adding the finalizer: ", patched.status().message()));
  }
  object_ = *std::move(patched);
  return absl::OkStatus();
}

Outcome Run::Finalize() {
  std::vector<std::string> finalizers = Finalizers(object_);
  auto ours = std::find(finalizers.begin(), finalizers.end(), kFinalizer);
  if (ours == finalizers.end()) return Outcome::Done();
  if (absl::Status status = storage_.GarbageCollect(object_directory_, ""); !status.ok()) {
    Event("Warning", kGarbageCollectionFailedReason, std::string(status.message()));
    return Outcome::Retry(
        absl::Status(status.code(), absl::StrCat(object_.Describe(), ": ", status.message())));
  }
  std::error_code error;
  fs::remove_all(clone_directory_, error);
  if (error) {
    return Outcome::Retry(
        absl::InternalError(absl::StrCat(object_.Describe(), ": removing the clone ",
                                         clone_directory_.string(), ": ", error.message())));
  }
  finalizers.erase(ours);
  Json patch = {{"metadata", {{"finalizers", finalizers}, {"resourceVersion", ResourceVersion()}}}};
  absl::StatusOr<manifest::Object> patched =
      client_.Patch(kGitRepositoryKind, key_.namespace_name, key_.name, kube::PatchType::kMerge,
                    patch.dump(), "", options_.field_manager);
  if (!patched.ok() && !kube::IsNotFoundError(patched.status())) {
    return Outcome::Retry(absl::Status(
        patched.status().code(), absl::StrCat(object_.Describe(), ": removing the finalizer: ",
                                              patched.status().message())));
  }
  return Outcome::Done();
}

absl::StatusOr<git::AuthOptions> Run::Auth(const GitRepositorySpec& spec, Failure& failure) {
  git::AuthOptions auth;
  auth.allow_insecure_http = spec.url.rfind("http://", 0) == 0;
  if (spec.secret_name.empty()) return auth;
  absl::StatusOr<manifest::Object> secret =
      client_.Get(kSecretKind, key_.namespace_name, spec.secret_name);
  if (!secret.ok()) {
    failure = Failure{.condition = std::string(kFetchFailedCondition),
                      .reason = kAuthenticationFailedReason,
                      .message = absl::StrCat("failed to get secret '", key_.namespace_name, "/",
                                              spec.secret_name, "': ", secret.status().message())};
    return secret.status();
  }
  absl::StatusOr<git::AuthOptions> from_secret = AuthFromSecret(spec.url, *secret);
  if (!from_secret.ok()) {
    failure = Failure{.condition = std::string(kFetchFailedCondition),
                      .reason = kAuthenticationFailedReason,
                      .message = absl::StrCat("failed to configure authentication options: ",
                                              from_secret.status().message())};
    return from_secret.status();
  }
  return from_secret;
}

std::variant<SyncResult, Failure> Run::Sync(const GitRepositorySpec& spec, const Json& status) {
  Failure failure;
  absl::StatusOr<git::AuthOptions> auth = Auth(spec, failure);
  if (!auth.ok()) return failure;
  git::Deadline deadline = std::chrono::steady_clock::now() + spec.timeout;
  const std::string context = "failed to checkout and determine revision";

  // Ask the remote first: when its head is the artifact we have, nothing is fetched.
  absl::StatusOr<std::vector<git::RemoteRef>> refs = git::ListRemoteRefs(spec.url, *auth, deadline);
  if (!refs.ok()) return FetchFailure(refs.status(), context);
  absl::StatusOr<git::ResolvedReference> resolved = git::ResolveReference(spec.reference, *refs);
  if (!resolved.ok()) {
    return FetchFailure(resolved.status(), absl::StrCat(context, " of ", git::RedactUrl(spec.url)));
  }
  std::optional<artifact::Artifact> current = CurrentArtifact(status);
  if (current.has_value() && current->revision == resolved->revision &&
      ContentConfigUnchanged(status, spec) && storage_.Has(*current)) {
    return SyncResult{.artifact = *current};
  }

  absl::StatusOr<std::unique_ptr<git::Mirror>> mirror =
      git::Mirror::Open(spec.url, clone_directory_.string(), *auth);
  if (!mirror.ok()) return FetchFailure(mirror.status(), context);
  bool fetched = false;
  if (!(*mirror)->HasCommit(resolved->commit)) {
    absl::StatusOr<size_t> received = (*mirror)->Fetch(resolved->remote_ref, deadline);
    if (!received.ok()) return FetchFailure(received.status(), context);
    fetched = true;
    if (!(*mirror)->HasCommit(resolved->commit)) {
      return FetchFailure(
          absl::NotFoundError(absl::StrCat(
              "commit '", resolved->commit, "' is not in ",
              resolved->remote_ref.empty() ? "any branch or tag" : resolved->remote_ref, " of ",
              git::RedactUrl(spec.url))),
          context);
    }
  }

  fs::path tree = clone_directory_.string() + ".tree";
  std::error_code error;
  fs::remove_all(tree, error);
  FolderGuard remove_tree(tree);
  if (spec.recurse_submodules) {
    // The submodules' clones live in the repository's own, where git keeps them ($GIT_DIR/modules),
    // so they are fetched incrementally and removed with it.
    absl::StatusOr<std::vector<git::WrittenSubmodule>> submodules = git::WriteTreeWithSubmodules(
        **mirror, resolved->commit, tree.string(),
        {.cache_directory = (clone_directory_ / "modules").string(), .deadline = deadline});
    if (!submodules.ok()) return FetchFailure(submodules.status(), context);
    for (const git::WrittenSubmodule& submodule : *submodules) {
      fetched = fetched || submodule.received_objects > 0;
    }
  } else if (absl::Status written = (*mirror)->WriteTree(resolved->commit, tree.string());
             !written.ok()) {
    return FetchFailure(written, context);
  }
  absl::StatusOr<IgnoreMatcher> matcher = SourceIgnoreMatcher(tree.string(), spec.ignore);
  if (!matcher.ok()) {
    return Failure{.condition = std::string(kStorageOperationFailedCondition),
                   .reason = kArchiveOperationFailedReason,
                   .message = absl::StrCat("failed to load source ignore patterns: ",
                                           matcher.status().message())};
  }
  std::string relative = absl::StrCat(object_directory_, "/", resolved->commit, ".tar.gz");
  absl::StatusOr<artifact::Artifact> archived =
      storage_.Archive(tree.string(), relative, matcher->Filter());
  if (!archived.ok()) {
    return Failure{.condition = std::string(kStorageOperationFailedCondition),
                   .reason = kArchiveOperationFailedReason,
                   .message = absl::StrCat("unable to archive artifact to storage: ",
                                           archived.status().message())};
  }
  archived->revision = resolved->revision;
  archived->last_update_time = FormatTime(std::chrono::system_clock::now());
  if (absl::Status collected = storage_.GarbageCollect(object_directory_, relative);
      !collected.ok()) {
    Event("Warning", kGarbageCollectionFailedReason, std::string(collected.message()));
  }
  // The tree is written once per revision: the Kustomizations of this process read it as it is
  // rather than unpacking the archive again.
  if (options_.archived_tree && artifact::KeepOnlyArchived(tree.string(), matcher->Filter()).ok()) {
    options_.archived_tree(*archived, tree.string());
  }
  bool is_new = !current.has_value() || current->revision != archived->revision ||
                current->digest != archived->digest;
  return SyncResult{.artifact = *std::move(archived), .new_artifact = is_new, .fetched = fetched};
}

Outcome Run::Reconcile() {
  const Json& metadata = object_.json().value("metadata", Json::object());
  if (metadata.contains("deletionTimestamp") && !metadata["deletionTimestamp"].is_null()) {
    return Finalize();
  }
  if (absl::Status status = EnsureFinalizer(); !status.ok()) {
    if (kube::IsNotFoundError(status)) return Outcome::Done();
    return Outcome::Retry(status);
  }

  Json status = object_.json().value("status", Json::object());
  if (!status.is_object()) status = Json::object();
  Json conditions = status.value("conditions", Json::array());
  int64_t generation = object_.json()["metadata"].value("generation", int64_t{0});
  auto now = std::chrono::system_clock::now();
  const Json* ready_before = FindCondition(conditions, kReadyCondition);
  std::string ready_status_before =
      ready_before != nullptr ? ready_before->value("status", "") : "";
  std::string ready_message_before =
      ready_before != nullptr ? ready_before->value("message", "") : "";
  auto set = [&](std::string_view type, const char* condition_status, const std::string& reason,
                 const std::string& message) {
    SetCondition(conditions,
                 Condition{.type = std::string(type),
                           .status = condition_status,
                           .reason = reason,
                           .message = message,
                           .observed_generation = generation},
                 now);
  };

  Json patch = Json::object();
  std::string requested_at = object_.Annotation(kRequestedAtAnnotation);
  if (!requested_at.empty()) patch["lastHandledReconcileAt"] = requested_at;

  absl::StatusOr<GitRepositorySpec> spec = ParseGitRepositorySpec(object_.json());
  if (spec.ok() && spec->suspend) return Outcome::Done();

  std::variant<SyncResult, Failure> result =
      spec.ok() ? Sync(*spec, status)
                : std::variant<SyncResult, Failure>(Failure{
                      .condition = std::string(kStalledCondition),
                      .reason = std::string(spec.status().message()).rfind("spec.url", 0) == 0
                                    ? kUrlInvalidReason
                                    : std::string(kInvalidSpecReason),
                      .message = std::string(spec.status().message()),
                      .terminal = true});

  Outcome outcome;
  if (const auto* success = std::get_if<SyncResult>(&result)) {
    std::string message = StoredMessage(success->artifact.revision);
    patch["artifact"] = success->artifact.ToJson();
    patch["observedGeneration"] = generation;
    patch["observedIgnore"] = spec->ignore.has_value() ? Json(*spec->ignore) : Json(nullptr);
    patch["observedRecurseSubmodules"] = spec->recurse_submodules ? Json(true) : Json(nullptr);
    for (std::string_view type : {kReconcilingCondition, kStalledCondition, kFetchFailedCondition,
                                  kStorageOperationFailedCondition, kArtifactOutdatedCondition}) {
      RemoveCondition(conditions, type);
    }
    set(kArtifactInStorageCondition, "True", std::string(kSucceededReason), message);
    set(kReadyCondition, "True", std::string(kSucceededReason), message);
    if (success->new_artifact) {
      Event("Normal", kNewArtifactReason, message);
    } else if (ready_status_before == "False") {
      Event("Normal", std::string(kSucceededReason), message);
    }
    outcome = Outcome::RequeueAfter(spec->interval, /*jitter=*/true);
  } else {
    const Failure& failure = std::get<Failure>(result);
    if (failure.terminal) {
      RemoveCondition(conditions, kReconcilingCondition);
      set(kStalledCondition, "True", failure.reason, failure.message);
      patch["observedGeneration"] = generation;
      outcome = Outcome::Done();
      outcome.error =
          absl::InvalidArgumentError(absl::StrCat(object_.Describe(), ": ", failure.message));
    } else {
      RemoveCondition(conditions, kStalledCondition);
      set(failure.condition, "True", failure.reason, failure.message);
      set(kReconcilingCondition, "True", std::string(kProgressingWithRetryReason), failure.message);
      outcome = Outcome::Retry(
          absl::UnavailableError(absl::StrCat(object_.Describe(), ": ", failure.message)));
    }
    // The last good artifact stays, in storage and in status, for its consumers.
    std::optional<artifact::Artifact> current = CurrentArtifact(status);
    if (current.has_value() && storage_.Has(*current)) {
      set(kArtifactInStorageCondition, "True", std::string(kSucceededReason),
          StoredMessage(current->revision));
    } else {
      RemoveCondition(conditions, kArtifactInStorageCondition);
    }
    set(kReadyCondition, "False", failure.reason, failure.message);
    if (ready_status_before != "False" || ready_message_before != failure.message) {
      Event("Warning", failure.reason, failure.message);
    }
  }
  patch["conditions"] = conditions;
  outcome.conditions = conditions;
  if (auto written = PatchStatus(client_, kGitRepositoryKind, key_.namespace_name, key_.name, patch,
                                 options_.field_manager);
      !written.ok()) {
    if (kube::IsNotFoundError(written.status())) return Outcome::Done();
    return Outcome::Retry(written.status());
  }
  return outcome;
}

}  // namespace

Outcome GitRepositoryReconciler::Reconcile(const ObjectKey& key,
                                           const ReconcileContext& /*context*/) {
  absl::StatusOr<manifest::Object> object =
      client_.Get(kGitRepositoryKind, key.namespace_name, key.name);
  if (!object.ok()) {
    if (kube::IsNotFoundError(object.status())) return Outcome::Done();
    return Outcome::Retry(object.status());
  }
  Run run(client_, storage_, options_, *std::move(object));
  return run.Reconcile();
}

}  // namespace fluxcpp::reconciler::source
