#include "reconciler/kustomization/kustomization_reconciler.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "lib/kube/apply.h"
#include "lib/kube/errors.h"
#include "lib/sops/sops.h"
#include "reconciler/kustomization/build.h"
#include "reconciler/kustomization/dependencies.h"
#include "reconciler/kustomization/history.h"
#include "reconciler/kustomization/inventory.h"
#include "reconciler/kustomization/prune.h"
#include "reconciler/kustomization/spec.h"
#include "reconciler/kustomization/substitute.h"
#include "reconciler/kustomization/workspace.h"
#include "reconciler/runtime/status.h"

namespace fluxcpp::reconciler::kustomization {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::system_clock;

const GroupVersionKind kGitRepositoryKind{"source.toolkit.fluxcd.io", "v1", "GitRepository"};

// Flux's Kustomization condition types and reasons beyond the shared ones.
constexpr std::string_view kHealthyCondition = "Healthy";
constexpr std::string_view kReconciliationSucceededReason = "ReconciliationSucceeded";
constexpr std::string_view kReconciliationFailedReason = "ReconciliationFailed";
constexpr std::string_view kArtifactFailedReason = "ArtifactFailed";
constexpr std::string_view kBuildFailedReason = "BuildFailed";
constexpr std::string_view kDecryptionFailedReason = "DecryptionFailed";
constexpr std::string_view kHealthCheckFailedReason = "HealthCheckFailed";
constexpr std::string_view kHealthCheckCanceledReason = "HealthCheckCanceled";
constexpr std::string_view kPruneFailedReason = "PruneFailed";

bool IsMissing(const absl::Status& status) {
  return kube::IsNotFoundError(status) || status.code() == absl::StatusCode::kNotFound;
}

bool HasFinalizer(const manifest::Object& object) {
  const Json& finalizers = object.json()["metadata"].value("finalizers", Json::array());
  for (const Json& finalizer : finalizers) {
    if (finalizer == kFinalizer) return true;
  }
  return false;
}

// A Secret whose content is still SOPS-encrypted carries a top-level `sops` block.
bool IsSopsEncrypted(const manifest::Object& object) {
  return object.Kind() == "Secret" && object.Gvk().group.empty() &&
         object.json().contains("sops") && object.json()["sops"].is_object();
}

// One reconcile's view of the object and the status it is going to write, once.
struct Attempt {
  manifest::Object object;
  Json status;
  int64_t generation = 0;
  Clock::time_point started = Clock::now();

  void Set(std::string_view type, std::string_view status_value, std::string_view reason,
           const std::string& message) {
    SetCondition(status["conditions"],
                 {.type = std::string(type),
                  .status = std::string(status_value),
                  .reason = std::string(reason),
                  .message = message,
                  .observed_generation = generation},
                 Clock::now());
  }
  void Remove(std::string_view type) { RemoveCondition(status["conditions"], type); }
};

// The resourceVersion each Kustomization had after this reconciler's last write to it (finalizer,
// status). The informer's copy lags behind such a write by the watch's latency; a copy older than
// the write would hide the status just written (the inventory: a prune would then miss objects),
// so it is read from the API server instead.
class WrittenVersions {
 public:
  void Record(const ObjectKey& key, const manifest::Object& written) {
    uint64_t version = 0;
    if (!absl::SimpleAtoi(written.json()["metadata"].value("resourceVersion", ""), &version)) {
      return;
    }
    std::lock_guard lock(mutex_);
    versions_[key] = version;
  }
  void Forget(const ObjectKey& key) {
    std::lock_guard lock(mutex_);
    versions_.erase(key);
  }
  // Whether `cached` is at least as new as the last write. resourceVersions are opaque to
  // clients, but the API server's are etcd revisions, which only grow; one that is not a number
  // is never trusted.
  bool IsCurrent(const ObjectKey& key, const manifest::Object& cached) const {
    uint64_t version = 0;
    if (!absl::SimpleAtoi(cached.json()["metadata"].value("resourceVersion", ""), &version)) {
      return false;
    }
    std::lock_guard lock(mutex_);
    auto written = versions_.find(key);
    return written == versions_.end() || version >= written->second;
  }

 private:
  mutable std::mutex mutex_;
  std::map<ObjectKey, uint64_t> versions_;
};

}  // namespace

struct KustomizationReconciler::State {
  Workspace workspace;
  WrittenVersions written_versions;
  std::mutex clients_mutex;
  // Clients for impersonated and remote applies, by what they act as; kept so discovery is not
  // repeated on every reconcile.
  std::map<std::string, std::unique_ptr<kube::Client>> clients;

  State(const std::string& root, const artifact::Storage& storage) : workspace(root, storage) {}
};

KustomizationReconciler::KustomizationReconciler(kube::Client& client,
                                                 const artifact::Storage& local_storage,
                                                 KustomizationReconcilerOptions options)
    : client_(client),
      local_storage_(local_storage),
      options_(std::move(options)),
      state_(std::make_unique<State>(options_.workspace_root, local_storage_)) {}

KustomizationReconciler::~KustomizationReconciler() = default;

namespace {

// Everything a reconcile needs besides the reconciler's members.
class Run {
 public:
  Run(kube::Client& client, const KustomizationReconcilerOptions& options, Workspace& workspace,
      WrittenVersions& written_versions, std::mutex& clients_mutex,
      std::map<std::string, std::unique_ptr<kube::Client>>& clients,
      const ReconcileContext& context)
      : client_(client),
        options_(options),
        workspace_(workspace),
        written_versions_(written_versions),
        clients_mutex_(clients_mutex),
        clients_(clients),
        context_(context) {}

  Outcome Reconcile(const ObjectKey& key);

 private:
  // The Kustomization from the informer cache when it is current, else from the API server.
  absl::StatusOr<manifest::Object> ReadKustomization(const ObjectKey& key);
  // The source the same way: Flux reads sources from its cache too.
  absl::StatusOr<manifest::Object> ReadSource(const CrossNamespaceReference& reference);
  std::string StatusManager() const { return "gotk-" + options_.field_manager; }
  Outcome Finalize(const KustomizationSpec* spec);
  Outcome Apply(const KustomizationSpec& spec);
  absl::StatusOr<kube::Client*> ApplyClient(const KustomizationSpec& spec);
  absl::StatusOr<Variables> CollectVariables(const PostBuild& post_build);
  absl::StatusOr<sops::KeyRing> DecryptionKeys(const KustomizationSpec& spec);
  absl::Status DecryptSecrets(std::vector<manifest::Object>& objects,
                              const KustomizationSpec& spec);
  absl::Status EnsureFinalizer();
  absl::Status DropFinalizer();

  // Writes the status and turns it into the outcome.
  Outcome Finish(Outcome outcome);
  // A run cut short by the reconciler's shutdown, which is no failure of the object: see the
  // definition.
  Outcome Interrupted(const std::string& why);
  // A failure: Ready=False with `reason`, Reconciling with retry (or Stalled when terminal).
  Outcome Fail(std::string_view reason, const std::string& message, Outcome outcome,
               bool terminal = false);
  void Event(const std::string& type, std::string_view reason, const std::string& message);

  kube::Client& client_;
  const KustomizationReconcilerOptions& options_;
  Workspace& workspace_;
  WrittenVersions& written_versions_;
  std::mutex& clients_mutex_;
  std::map<std::string, std::unique_ptr<kube::Client>>& clients_;
  const ReconcileContext& context_;
  Attempt attempt_;
};

void Run::Event(const std::string& type, std::string_view reason, const std::string& message) {
  // Events are best effort: a lost event must not fail the reconcile.
  (void)client_.RecordEvent(attempt_.object, type, std::string(reason), message,
                            options_.field_manager);
}

absl::StatusOr<manifest::Object> Run::ReadKustomization(const ObjectKey& key) {
  if (const ObjectCache* cache = context_.CacheOf(kKustomizationKind)) {
    std::optional<manifest::Object> cached = cache->Get(key);
    if (cached && written_versions_.IsCurrent(key, *cached)) return std::move(*cached);
  }
  return client_.Get(kKustomizationKind, key.namespace_name, key.name);
}

absl::StatusOr<manifest::Object> Run::ReadSource(const CrossNamespaceReference& reference) {
  // Sources outside the cache's namespace or label selector are read from the API server.
  if (const ObjectCache* cache = context_.CacheOf(kGitRepositoryKind)) {
    std::optional<manifest::Object> cached = cache->Get({reference.namespace_name, reference.name});
    if (cached) return std::move(*cached);
  }
  return client_.Get(kGitRepositoryKind, reference.namespace_name, reference.name);
}

Outcome Run::Finish(Outcome outcome) {
  attempt_.status["observedGeneration"] = attempt_.generation;
  ObjectKey key{attempt_.object.Namespace(), attempt_.object.Name()};
  auto written = PatchStatus(client_, kKustomizationKind, key.namespace_name, key.name,
                             attempt_.status, StatusManager());
  if (!written.ok()) {
    if (IsMissing(written.status())) {
      written_versions_.Forget(key);
      return Outcome::Done();
    }
    return Outcome::Retry(written.status());
  }
  written_versions_.Record(key, *written);
  outcome.conditions = attempt_.status["conditions"];
  return outcome;
}

// The inventory (what was applied so far, so a later prune finds it) and the revision attempted
// are written; the conditions stay as they were: this run saw no failure, and a health check it
// did not finish says nothing about the objects. The next run — the next leader's, when shutting
// down: its informer lists the object at once — reconciles it in full.
Outcome Run::Interrupted(const std::string& why) {
  Json status = Json::object();
  for (const char* field : {"inventory", "lastAttemptedRevision"}) {
    if (attempt_.status.contains(field)) status[field] = attempt_.status[field];
  }
  ObjectKey key{attempt_.object.Namespace(), attempt_.object.Name()};
  absl::Status error = absl::CancelledError("interrupted by the reconciler's shutdown: " + why);
  if (!status.empty()) {
    auto written = PatchStatus(client_, kKustomizationKind, key.namespace_name, key.name, status,
                               StatusManager());
    if (written.ok()) {
      written_versions_.Record(key, *written);
    } else if (IsMissing(written.status())) {
      written_versions_.Forget(key);
      return Outcome::Done();
    } else {
      error = absl::CancelledError(std::string(error.message()) + "; " +
                                   std::string(written.status().message()));
    }
  }
  Outcome outcome = Outcome::RequeueAfter(std::chrono::milliseconds(0));
  outcome.error = std::move(error);
  return outcome;
}

Outcome Run::Fail(std::string_view reason, const std::string& message, Outcome outcome,
                  bool terminal) {
  attempt_.Set(kReadyCondition, "False", reason, message);
  if (terminal) {
    attempt_.Set(kStalledCondition, "True", reason, message);
    attempt_.Remove(kReconcilingCondition);
  } else {
    attempt_.Remove(kStalledCondition);
    attempt_.Set(kReconcilingCondition, "True", kProgressingWithRetryReason, message);
  }
  Event("Warning", reason, message);
  if (outcome.error.ok() && outcome.kind != Outcome::Kind::kDone) {
    outcome.error = absl::FailedPreconditionError(message);
  }
  return Finish(std::move(outcome));
}

absl::Status Run::EnsureFinalizer() {
  if (HasFinalizer(attempt_.object)) return absl::OkStatus();
  const Json& metadata = attempt_.object.json()["metadata"];
  Json patch = metadata.contains("finalizers") && metadata["finalizers"].is_array()
                   ? Json::array({{{"op", "add"},
                                   {"path", "/metadata/finalizers/-"},
                                   {"value", std::string(kFinalizer)}}})
                   : Json::array({{{"op", "add"},
                                   {"path", "/metadata/finalizers"},
                                   {"value", Json::array({std::string(kFinalizer)})}}});
  auto patched =
      client_.Patch(kKustomizationKind, attempt_.object.Namespace(), attempt_.object.Name(),
                    kube::PatchType::kJson, patch.dump(), "", StatusManager());
  if (!patched.ok()) return patched.status();
  written_versions_.Record({attempt_.object.Namespace(), attempt_.object.Name()}, *patched);
  return absl::OkStatus();
}

absl::Status Run::DropFinalizer() {
  const Json& finalizers = attempt_.object.json()["metadata"].value("finalizers", Json::array());
  Json kept = Json::array();
  for (const Json& finalizer : finalizers) {
    if (finalizer != kFinalizer) kept.push_back(finalizer);
  }
  // The test makes the patch fail instead of dropping a finalizer someone added meanwhile.
  Json patch =
      Json::array({{{"op", "test"}, {"path", "/metadata/finalizers"}, {"value", finalizers}},
                   {{"op", "replace"}, {"path", "/metadata/finalizers"}, {"value", kept}}});
  auto patched =
      client_.Patch(kKustomizationKind, attempt_.object.Namespace(), attempt_.object.Name(),
                    kube::PatchType::kJson, patch.dump(), "", StatusManager());
  if (!patched.ok() && !IsMissing(patched.status())) return patched.status();
  written_versions_.Forget({attempt_.object.Namespace(), attempt_.object.Name()});
  return absl::OkStatus();
}

absl::StatusOr<kube::Client*> Run::ApplyClient(const KustomizationSpec& spec) {
  if (!spec.kube_config && spec.service_account_name.empty()) return &client_;
  kube::ClusterConfig config = options_.cluster_config;
  std::string cache_key;
  const std::string& namespace_name = attempt_.object.Namespace();
  if (spec.kube_config) {
    auto secret = client_.Get({"", "v1", "Secret"}, namespace_name, spec.kube_config->name);
    if (!secret.ok()) {
      return absl::Status(secret.status().code(), "spec.kubeConfig.secretRef: Secret/" +
                                                      namespace_name + "/" +
                                                      spec.kube_config->name + ": " +
                                                      std::string(secret.status().message()));
    }
    const Json& data = secret->json().value("data", Json::object());
    std::vector<std::string> keys = spec.kube_config->key.empty()
                                        ? std::vector<std::string>{"value", "value.yaml"}
                                        : std::vector<std::string>{spec.kube_config->key};
    std::string text;
    for (const std::string& key : keys) {
      if (data.contains(key) && data[key].is_string() &&
          absl::Base64Unescape(data[key].get<std::string>(), &text)) {
        break;
      }
    }
    if (text.empty()) {
      return absl::InvalidArgumentError("spec.kubeConfig.secretRef: Secret/" + namespace_name +
                                        "/" + spec.kube_config->name + " has no key " + keys[0]);
    }
    auto remote = kube::ParseKubeconfig(text, workspace_.root());
    if (!remote.ok()) {
      return absl::InvalidArgumentError("spec.kubeConfig: " +
                                        std::string(remote.status().message()));
    }
    config = *remote;
    cache_key = "kubeconfig:" + namespace_name + "/" + spec.kube_config->name + "@" +
                secret->json()["metadata"].value("resourceVersion", "");
  }
  if (!spec.service_account_name.empty()) {
    config = config.ImpersonatingServiceAccount(namespace_name, spec.service_account_name);
    cache_key += "|sa:" + namespace_name + "/" + spec.service_account_name;
  }
  std::lock_guard lock(clients_mutex_);
  auto& cached = clients_[cache_key];
  if (!cached) {
    auto created = kube::Client::Create(config);
    if (!created.ok()) return created.status();
    cached = std::move(*created);
  }
  return cached.get();
}

// The keys of spec.decryption: the secretRef Secret's `*.agekey` (age identities) and `*.asc`
// (OpenPGP private keys) entries, as Flux names them, and the controller's default age key file.
absl::StatusOr<sops::KeyRing> Run::DecryptionKeys(const KustomizationSpec& spec) {
  sops::KeyRing keys;
  const std::string& namespace_name = attempt_.object.Namespace();
  if (!spec.decryption_secret.empty()) {
    std::string label =
        "spec.decryption.secretRef: Secret/" + namespace_name + "/" + spec.decryption_secret;
    auto secret = client_.Get({"", "v1", "Secret"}, namespace_name, spec.decryption_secret);
    if (!secret.ok()) {
      return absl::Status(secret.status().code(),
                          label + ": " + std::string(secret.status().message()));
    }
    const Json& data = secret->json().value("data", Json::object());
    for (const auto& [entry, value] : data.items()) {
      bool age = absl::EndsWith(entry, ".agekey");
      bool pgp = absl::EndsWith(entry, ".asc");
      if ((!age && !pgp) || !value.is_string()) continue;
      std::string text;
      // get_ref: no temporary copy of the (base64) key outlives the wipe below.
      if (!absl::Base64Unescape(value.get_ref<const std::string&>(), &text)) {
        sops::WipeJson(secret->json());
        return absl::InvalidArgumentError(label + ": entry " + entry + " is not valid base64");
      }
      std::string source = label + " entry " + entry;
      absl::Status added = absl::OkStatus();
      if (age) {
        added = keys.AddAgeKeys(text, source);
      } else {
        keys.AddPgpKey(text, source);
      }
      sops::WipeString(text);
      if (!added.ok()) {
        sops::WipeJson(secret->json());
        return added;
      }
    }
    sops::WipeJson(secret->json());
  }
  if (!options_.sops_age_key_file.empty()) {
    // Read straight into one string (no stream buffer keeps a copy), wiped below.
    std::ifstream in(options_.sops_age_key_file, std::ios::binary | std::ios::ate);
    std::string text;
    if (in) {
      text.resize(static_cast<size_t>(std::max<std::streamoff>(in.tellg(), 0)));
      in.seekg(0);
      in.read(text.data(), static_cast<std::streamsize>(text.size()));
    }
    if (!in) {
      sops::WipeString(text);
      return absl::FailedPreconditionError("the default age key file " +
                                           options_.sops_age_key_file + " cannot be read");
    }
    absl::Status added = keys.AddAgeKeys(text, options_.sops_age_key_file);
    sops::WipeString(text);
    if (!added.ok()) return added;
  }
  return keys;
}

// Decrypts the SOPS-encrypted Secrets among the built objects in place, as Flux does; a Secret
// still encrypted without spec.decryption is an error naming it.
absl::Status Run::DecryptSecrets(std::vector<manifest::Object>& objects,
                                 const KustomizationSpec& spec) {
  std::optional<sops::KeyRing> keys;
  for (manifest::Object& object : objects) {
    if (!IsSopsEncrypted(object)) continue;
    if (!spec.decryption) {
      return absl::FailedPreconditionError(
          object.Describe() + " is SOPS-encrypted and spec.decryption is not configured");
    }
    if (!keys) {
      auto loaded = DecryptionKeys(spec);
      if (!loaded.ok()) return loaded.status();
      keys = std::move(*loaded);
    }
    std::string name = object.Describe();
    if (absl::Status decrypted = sops::DecryptTree(object.json(), *keys, name); !decrypted.ok()) {
      sops::WipeJson(object.json());
      return decrypted;
    }
    // An unquoted number or boolean decrypts to its type, which a Secret cannot hold: the API
    // server would refuse it quoting the value in its error, and so in our status and events.
    for (const char* field : {"data", "stringData"}) {
      const Json& values = object.json().value(field, Json::object());
      if (!values.is_object()) continue;
      for (const auto& [key, value] : values.items()) {
        if (value.is_string() || value.is_null()) continue;
        std::string type = value.type_name();
        sops::WipeJson(object.json());
        return absl::InvalidArgumentError(name + ": " + field + "." + key + " decrypts to a " +
                                          type +
                                          ", but Secret values must be strings (quote it before "
                                          "encrypting)");
      }
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<Variables> Run::CollectVariables(const PostBuild& post_build) {
  std::vector<Variables> sources;
  const std::string& namespace_name = attempt_.object.Namespace();
  for (size_t i = 0; i < post_build.substitute_from.size(); ++i) {
    const SubstituteReference& reference = post_build.substitute_from[i];
    auto source = client_.Get({"", "v1", reference.kind}, namespace_name, reference.name);
    if (!source.ok()) {
      if (IsMissing(source.status()) && reference.optional) continue;
      return absl::Status(source.status().code(),
                          "spec.postBuild.substituteFrom[" + std::to_string(i) +
                              "]: " + reference.kind + "/" + namespace_name + "/" + reference.name +
                              ": " + std::string(source.status().message()));
    }
    auto variables = VariablesOf(*source);
    if (!variables.ok()) return variables.status();
    sources.push_back(std::move(*variables));
  }
  return MergeVariables(sources, post_build.substitute);
}

Outcome Run::Reconcile(const ObjectKey& key) {
  auto object = ReadKustomization(key);
  if (!object.ok()) {
    if (IsMissing(object.status())) {
      written_versions_.Forget(key);
      return Outcome::Done();
    }
    return Outcome::Retry(object.status());
  }
  attempt_.object = std::move(*object);
  const Json& metadata = attempt_.object.json()["metadata"];
  attempt_.generation = metadata.value("generation", int64_t{0});
  attempt_.status = attempt_.object.json().value("status", Json::object());
  if (!attempt_.status.is_object()) attempt_.status = Json::object();
  attempt_.status.erase("observedGeneration");

  auto spec = ParseSpec(attempt_.object);
  if (metadata.contains("deletionTimestamp")) {
    return Finalize(spec.ok() ? &*spec : nullptr);
  }
  if (spec.ok() && spec->suspend) return Outcome::Done();
  if (absl::Status added = EnsureFinalizer(); !added.ok()) {
    if (IsMissing(added)) return Outcome::Done();
    return Outcome::Retry(added);
  }
  if (std::string requested = attempt_.object.Annotation(kRequestedAtAnnotation);
      !requested.empty()) {
    attempt_.status["lastHandledReconcileAt"] = requested;
  }
  if (!spec.ok()) {
    return Fail(kInvalidSpecReason, std::string(spec.status().message()), Outcome::Done(), true);
  }
  if (spec->source_ref.kind != "GitRepository") {
    return Fail(kArtifactFailedReason,
                "spec.sourceRef.kind: " + spec->source_ref.kind +
                    " sources are not supported by this reconciler (only GitRepository)",
                Outcome::Done(), true);
  }

  // Dependencies: a cycle never resolves; anything else not ready is waited for.
  if (!spec->depends_on.empty()) {
    auto all = client_.List(kKustomizationKind, "");
    if (all.ok()) {
      auto cycle = FindDependencyCycle(all->items, key);
      if (!cycle.empty()) {
        return Fail(kDependencyNotReadyReason,
                    "circular dependency: " + DescribeCycle(cycle) + "; it can never be ready",
                    Outcome::Done(), true);
      }
    }
    absl::Status ready = DependenciesReady(client_, spec->depends_on);
    if (!ready.ok()) {
      if (ready.code() != absl::StatusCode::kFailedPrecondition) return Outcome::Retry(ready);
      return Fail(kDependencyNotReadyReason,
                  std::string(ready.message()) + ", retrying in " +
                      FormatDuration(options_.requeue_dependency),
                  Outcome::RequeueAfter(options_.requeue_dependency));
    }
  }
  return Apply(*spec);
}

Outcome Run::Apply(const KustomizationSpec& spec) {
  const std::string& namespace_name = attempt_.object.Namespace();
  const std::string source_name =
      "GitRepository/" + spec.source_ref.namespace_name + "/" + spec.source_ref.name;
  auto source = ReadSource(spec.source_ref);
  if (!source.ok()) {
    if (!IsMissing(source.status())) return Outcome::Retry(source.status());
    return Fail(kArtifactFailedReason, "Source '" + source_name + "' not found",
                Outcome::RequeueAfter(options_.requeue_dependency));
  }
  const Json& source_status = source->json().value("status", Json::object());
  if (!source_status.contains("artifact") || source_status["artifact"].is_null()) {
    return Fail(kArtifactFailedReason,
                "Source '" + source_name + "' is not ready, artifact not found",
                Outcome::RequeueAfter(options_.requeue_dependency));
  }
  auto artifact = artifact::Artifact::FromJson(source_status["artifact"]);
  if (!artifact.ok()) {
    return Fail(kArtifactFailedReason,
                "Source '" + source_name + "': " + std::string(artifact.status().message()),
                Outcome::RequeueAfter(options_.requeue_dependency));
  }
  const std::string revision = artifact->revision;
  attempt_.status["lastAttemptedRevision"] = revision;
  Outcome retry = Outcome::RequeueAfter(spec.retry_interval);

  auto tree = workspace_.Acquire(*artifact);
  if (!tree.ok()) {
    return Fail(kArtifactFailedReason, std::string(tree.status().message()), retry);
  }

  // Build into the objects to apply: nothing is applied unless every step succeeds.
  std::vector<manifest::Object> objects;
  // Copies of the objects awaited by the health check (spec.wait).
  std::vector<manifest::Object> awaited;
  // Decrypted Secrets (and generated ones) hold plaintext: every Secret here and in the awaited
  // copies is wiped when the reconcile ends, however it ends. See lib/sops/sops.h for what else
  // holds plaintext for a while and is not wiped.
  struct SecretWiper {
    std::vector<manifest::Object>& objects;
    std::vector<manifest::Object>& awaited;
    ~SecretWiper() {
      for (auto* list : {&objects, &awaited}) {
        for (manifest::Object& object : *list) {
          if (object.Kind() == "Secret") sops::WipeJson(object.json());
        }
      }
    }
  } secret_wiper{objects, awaited};
  {
    // secretGenerator sources (env files and files) that are SOPS-encrypted are decrypted as the
    // build reads them, in memory, as Flux decrypts them before its build.
    std::optional<sops::KeyRing> generator_keys;
    kustomize::BuildOptions build_options;
    build_options.secret_source_filter = [&](const std::string& path,
                                             std::string content) -> absl::StatusOr<std::string> {
      sops::Format format = sops::FormatFromPath(path);
      if (!sops::IsEncrypted(content, format)) return content;
      if (!spec.decryption) {
        return absl::FailedPreconditionError(
            "secretGenerator source " + path +
            " is SOPS-encrypted and spec.decryption is not configured");
      }
      if (!generator_keys) {
        auto loaded = DecryptionKeys(spec);
        if (!loaded.ok()) return loaded.status();
        generator_keys = std::move(*loaded);
      }
      auto plain = sops::DecryptDocument(content, format, *generator_keys, path);
      if (!plain.ok()) return plain.status();
      // This copy is kustomize's: its secretGenerator wipes it once the Secret is generated (the
      // generated Secret itself is wiped with the other objects).
      return std::string(plain->view());
    };
    auto built = BuildKustomization((*tree)->path(), spec, build_options);
    if (!built.ok()) {
      return Fail(kBuildFailedReason,
                  "kustomize build failed: " + std::string(built.status().message()), retry);
    }
    objects = std::move(*built);
  }
  // Decrypted right after the build, before anything else edits the objects (the MAC covers their
  // clear-text values too).
  if (absl::Status decrypted = DecryptSecrets(objects, spec); !decrypted.ok()) {
    for (manifest::Object& object : objects) sops::WipeJson(object.json());
    return Fail(kDecryptionFailedReason, std::string(decrypted.message()) + "; nothing was applied",
                retry);
  }
  ApplyCommonMetadata(objects, spec);
  if (spec.post_build) {
    auto variables = CollectVariables(*spec.post_build);
    if (!variables.ok()) {
      return Fail(kBuildFailedReason, std::string(variables.status().message()), retry);
    }
    if (absl::Status substituted = SubstituteObjects(objects, *variables); !substituted.ok()) {
      return Fail(kBuildFailedReason, std::string(substituted.message()), retry);
    }
  }
  for (manifest::Object& object : objects) {
    object.SetLabel(kOwnerNameLabel, attempt_.object.Name());
    object.SetLabel(kOwnerNamespaceLabel, namespace_name);
  }
  const std::string digest = BuildDigest(objects);

  auto old_inventory = InventoryFromJson(attempt_.status.value("inventory", Json()));
  if (!old_inventory.ok()) old_inventory = Inventory{};

  auto apply_client = ApplyClient(spec);
  if (!apply_client.ok()) {
    return Fail(kReconciliationFailedReason, std::string(apply_client.status().message()), retry);
  }
  auto record_history = [&](std::string_view status) {
    UpdateHistory(attempt_.status["history"],
                  {.digest = digest,
                   .revision = revision,
                   .status = std::string(status),
                   .time = Clock::now(),
                   .duration = std::chrono::duration_cast<std::chrono::milliseconds>(
                       Clock::now() - attempt_.started)});
  };

  kube::ApplyResult applied = kube::ApplyAll(**apply_client, objects,
                                             {.field_manager = options_.field_manager,
                                              .force = spec.force,
                                              .concurrency = options_.apply_concurrency,
                                              // Only a shutdown stops an apply half-way: a new
                                              // revision is applied after this one, as Flux does.
                                              .cancel = context_.shutting_down});
  Inventory new_inventory = InventoryOf(applied.change_set);
  if (applied.status.code() == absl::StatusCode::kCancelled) {
    attempt_.status["inventory"] = InventoryToJson(Union(*old_inventory, new_inventory));
    return Interrupted(std::string(applied.status.message()));
  }
  if (!applied.status.ok()) {
    // What did get applied is ours now: keep it in the inventory so a later prune finds it.
    attempt_.status["inventory"] = InventoryToJson(Union(*old_inventory, new_inventory));
    record_history(kReconciliationFailedReason);
    return Fail(kReconciliationFailedReason, std::string(applied.status.message()), retry);
  }
  std::string changed;
  for (const kube::Change& change : applied.change_set.changes) {
    if (change.action == kube::Action::kCreated || change.action == kube::Action::kConfigured) {
      changed += change.subject + " " + std::string(kube::ToString(change.action)) + "\n";
    }
  }

  // Prune what left the inventory; failed deletions stay in it.
  Inventory inventory = new_inventory;
  if (spec.prune) {
    Inventory stale = InventoryDiff(*old_inventory, new_inventory);
    if (!stale.empty()) {
      PruneResult pruned = Prune(**apply_client, stale,
                                 {.owner_name = attempt_.object.Name(),
                                  .owner_namespace = namespace_name,
                                  .concurrency = options_.apply_concurrency});
      for (const kube::Change& change : pruned.change_set.changes) {
        if (change.action == kube::Action::kDeleted) changed += change.subject + " deleted\n";
      }
      inventory = Union(new_inventory, pruned.failed);
      if (!pruned.status.ok()) {
        attempt_.status["inventory"] = InventoryToJson(inventory);
        record_history(kPruneFailedReason);
        return Fail(kPruneFailedReason, std::string(pruned.status.message()), retry);
      }
    }
  }
  attempt_.status["inventory"] = InventoryToJson(inventory);
  if (!changed.empty()) {
    changed.pop_back();
    Event("Normal", kProgressingReason, changed);
  }

  // Health: everything applied (wait) or the listed objects.
  if (spec.wait) {
    for (const manifest::Object& object : objects) {
      bool skipped = false;
      for (const kube::Change& change : applied.change_set.changes) {
        if (change.identity == object.Identity() && change.action == kube::Action::kSkipped) {
          skipped = true;
        }
      }
      if (!skipped) awaited.push_back(object);
    }
  } else {
    for (const CrossNamespaceReference& check : spec.health_checks) {
      Json json{{"apiVersion", check.api_version.empty() ? "v1" : check.api_version},
                {"kind", check.kind},
                {"metadata", {{"name", check.name}, {"namespace", check.namespace_name}}}};
      awaited.emplace_back(std::move(json));
    }
  }
  if (!awaited.empty()) {
    absl::Status healthy =
        kube::WaitForSet(**apply_client, awaited,
                         {.timeout = std::chrono::duration_cast<std::chrono::seconds>(spec.timeout),
                          .interval = std::chrono::milliseconds(1000),
                          .cancel = &context_.cancel});
    if (healthy.code() == absl::StatusCode::kCancelled && context_.ShuttingDown()) {
      return Interrupted(std::string(healthy.message()));
    }
    if (healthy.code() == absl::StatusCode::kCancelled) {
      attempt_.Set(kHealthyCondition, "Unknown", kHealthCheckCanceledReason,
                   std::string(healthy.message()));
      return Fail(kHealthCheckCanceledReason, std::string(healthy.message()),
                  Outcome::RequeueAfter(std::chrono::milliseconds(0)));
    }
    if (!healthy.ok()) {
      attempt_.Set(kHealthyCondition, "False", kHealthCheckFailedReason,
                   std::string(healthy.message()));
      record_history(kHealthCheckFailedReason);
      return Fail(kHealthCheckFailedReason, std::string(healthy.message()), retry);
    }
    attempt_.Set(kHealthyCondition, "True", kSucceededReason, "Health check passed");
  } else {
    attempt_.Remove(kHealthyCondition);
  }

  std::string message = "Applied revision: " + revision;
  attempt_.Set(kReadyCondition, "True", kReconciliationSucceededReason, message);
  attempt_.Remove(kReconcilingCondition);
  attempt_.Remove(kStalledCondition);
  attempt_.status["lastAppliedRevision"] = revision;
  if (source_status["artifact"].contains("metadata")) {
    // Flux records the origin revision when the source publishes one.
    std::string origin =
        source_status["artifact"]["metadata"].value("org.opencontainers.image.revision", "");
    if (!origin.empty()) attempt_.status["lastAppliedOriginRevision"] = origin;
  }
  record_history(kReconciliationSucceededReason);
  return Finish(Outcome::RequeueAfter(spec.interval, true));
}

Outcome Run::Finalize(const KustomizationSpec* spec) {
  if (!HasFinalizer(attempt_.object)) return Outcome::Done();
  bool prune = false;
  bool wait = false;
  if (spec != nullptr && !spec->suspend) {
    prune = (spec->deletion_policy == "MirrorPrune" && spec->prune) ||
            spec->deletion_policy == "Delete" || spec->deletion_policy == "WaitForTermination";
    wait = spec->deletion_policy == "WaitForTermination";
  }
  if (prune) {
    auto inventory = InventoryFromJson(attempt_.status.value("inventory", Json()));
    auto apply_client = ApplyClient(*spec);
    if (inventory.ok() && !inventory->empty() && apply_client.ok()) {
      PruneResult pruned =
          Prune(**apply_client, InventoryDiff(*inventory, {}),
                {.owner_name = attempt_.object.Name(),
                 .owner_namespace = attempt_.object.Namespace(),
                 .concurrency = options_.apply_concurrency,
                 .wait_for_termination = wait ? spec->timeout : std::chrono::milliseconds(0),
                 .cancel = context_.shutting_down});
      if (pruned.termination.code() == absl::StatusCode::kCancelled) {
        // The finalizer stays: the next run (or leader) deletes again — a no-op for what is gone
        // — and waits for the rest.
        Outcome outcome = Outcome::RequeueAfter(std::chrono::milliseconds(0));
        outcome.error = pruned.termination;
        return outcome;
      }
      if (!pruned.status.ok()) {
        Event("Warning", kPruneFailedReason, std::string(pruned.status.message()));
        return Outcome::Retry(pruned.status);
      }
      std::string deleted;
      for (const kube::Change& change : pruned.change_set.changes) {
        if (change.action == kube::Action::kDeleted) deleted += change.subject + " deleted\n";
      }
      if (!deleted.empty()) {
        deleted.pop_back();
        Event("Normal", "Progressing", deleted);
      }
      // As Flux: objects that outlive the wait are reported, and the Kustomization goes anyway
      // (they were deleted; what holds them is not the Kustomization's to resolve).
      if (!pruned.termination.ok()) {
        Event("Warning", kPruneFailedReason,
              "failed to wait for resources termination: " +
                  std::string(pruned.termination.message()));
      }
    }
  }
  if (absl::Status dropped = DropFinalizer(); !dropped.ok()) return Outcome::Retry(dropped);
  return Outcome::Done();
}

}  // namespace

Outcome KustomizationReconciler::Reconcile(const ObjectKey& key, const ReconcileContext& context) {
  Run run(client_, options_, state_->workspace, state_->written_versions, state_->clients_mutex,
          state_->clients, context);
  return run.Reconcile(key);
}

namespace {

bool UsesSource(const manifest::Object& kustomization, const manifest::Object& source) {
  const Json& json = kustomization.json();
  auto spec = json.find("spec");
  if (spec == json.end() || !spec->is_object()) return false;
  auto reference = spec->find("sourceRef");
  if (reference == spec->end() || !reference->is_object()) return false;
  std::string namespace_name = reference->value("namespace", "");
  if (namespace_name.empty()) namespace_name = kustomization.Namespace();
  return reference->value("kind", "") == source.Kind() &&
         reference->value("name", "") == source.Name() && namespace_name == source.Namespace();
}

// Flux wakes a Kustomization when its source's artifact revision changes, not on every change of
// the source: a GitRepository whose spec just changed (a new branch) still carries its old
// artifact, and applying that again would undo the change before the new revision is fetched.
bool AwaitsSourceRevision(const manifest::Object& kustomization, const manifest::Object& source) {
  if (!UsesSource(kustomization, source)) return false;
  const Json& source_status = source.json().value("status", Json::object());
  const Json& artifact = source_status.value("artifact", Json::object());
  std::string revision = artifact.is_object() ? artifact.value("revision", "") : "";
  if (revision.empty()) return false;
  const Json& status = kustomization.json().value("status", Json::object());
  std::string attempted = status.is_object() ? status.value("lastAttemptedRevision", "") : "";
  return attempted != revision;
}

bool DependsOn(const manifest::Object& kustomization, const ObjectKey& dependency) {
  for (const ObjectKey& key : DependencyKeys(kustomization)) {
    if (key == dependency) return true;
  }
  return false;
}

}  // namespace

void KustomizationReconciler::AdoptSourceTree(const artifact::Artifact& artifact,
                                              const std::string& tree) {
  state_->workspace.Adopt(artifact, tree);
}

std::vector<ObjectKey> KustomizationReconciler::UsersOfSource(
    const std::vector<manifest::Object>& kustomizations, const manifest::Object& source) {
  std::vector<ObjectKey> users;
  for (const manifest::Object& kustomization : kustomizations) {
    if (AwaitsSourceRevision(kustomization, source)) {
      users.push_back({kustomization.Namespace(), kustomization.Name()});
    }
  }
  return users;
}

std::vector<ObjectKey> KustomizationReconciler::UsersOfSource(const ObjectCache& kustomizations,
                                                              const manifest::Object& source) {
  std::vector<ObjectKey> users;
  kustomizations.ForEach([&](const manifest::Object& kustomization) {
    if (AwaitsSourceRevision(kustomization, source)) {
      users.push_back({kustomization.Namespace(), kustomization.Name()});
    }
  });
  return users;
}

std::vector<ObjectKey> KustomizationReconciler::Dependents(
    const std::vector<manifest::Object>& kustomizations, const manifest::Object& dependency) {
  std::vector<ObjectKey> dependents;
  ObjectKey dependency_key{dependency.Namespace(), dependency.Name()};
  for (const manifest::Object& kustomization : kustomizations) {
    if (DependsOn(kustomization, dependency_key)) {
      dependents.push_back({kustomization.Namespace(), kustomization.Name()});
    }
  }
  return dependents;
}

}  // namespace fluxcpp::reconciler::kustomization
