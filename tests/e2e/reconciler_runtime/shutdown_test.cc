// Graceful shutdown of the real flux-reconciler binary (with --leader-elect) on SIGTERM, as a
// rollout or a Pod deletion sends it: in-flight reconciles are cancelled or, when they cannot be,
// abandoned after --graceful-shutdown-timeout; the leader Lease is released last (holder cleared,
// leaseDurationSeconds 1, as client-go releases), all well within the Pod's
// terminationGracePeriodSeconds (10 s in the install; the kubelet — or the ground's pod runner —
// sends SIGKILL after it, and a Lease left held keeps a successor waiting for 35 s). An interrupted
// health check leaves the Kustomization's conditions as they were.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "reconciler/runtime/status.h"
#include "tests/e2e/git/silent_server.h"
#include "tests/e2e/reconciler_runtime/runtime_fixture.h"
#include "tests/e2e/support/ground.h"

namespace fluxcpp::testing {
namespace {

using manifest::Json;
using reconciler::testing::Eventually;
using Clock = std::chrono::steady_clock;

const manifest::GroupVersionKind kKustomization{"kustomize.toolkit.fluxcd.io", "v1",
                                                "Kustomization"};
const manifest::GroupVersionKind kLease{"coordination.k8s.io", "v1", "Lease"};
const manifest::GroupVersionKind kDeployment{"apps", "v1", "Deployment"};
constexpr const char* kLeaseName = "flux-reconciler-leader-election";
// The install's terminationGracePeriodSeconds: the kubelet's SIGKILL follows it.
constexpr auto kTerminationGracePeriod = std::chrono::seconds(10);

// One flux-reconciler process for the namespace `runtime_namespace`, its output in a file;
// killed (SIGKILL) when the scope ends if still running.
class ReconcilerProcess {
 public:
  ReconcilerProcess(const std::string& runtime_namespace, const std::string& storage_path,
                    const std::string& log_path, std::vector<std::string> extra_args = {})
      : log_path_(log_path) {
    std::vector<std::string> args = {FLUX_RECONCILER_BIN,
                                     "--leader-elect",
                                     "--watch-all-namespaces=false",
                                     "--health-addr=127.0.0.1:0",
                                     "--metrics-addr=127.0.0.1:0",
                                     "--storage-addr=127.0.0.1:0",
                                     "--storage-adv-addr=127.0.0.1:1",
                                     "--storage-path=" + storage_path};
    for (std::string& arg : extra_args) args.push_back(std::move(arg));
    pid_ = ::fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      ::setenv("RUNTIME_NAMESPACE", runtime_namespace.c_str(), 1);
      FILE* log = std::fopen(log_path.c_str(), "a");
      if (log == nullptr) ::_exit(127);
      ::dup2(::fileno(log), 1);
      ::dup2(::fileno(log), 2);
      std::vector<char*> argv;
      for (std::string& arg : args) argv.push_back(arg.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
  }
  ~ReconcilerProcess() {
    if (pid_ > 0 && !exited_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  ReconcilerProcess(const ReconcilerProcess&) = delete;
  ReconcilerProcess& operator=(const ReconcilerProcess&) = delete;

  // Sends SIGTERM and waits for the exit, at most `limit` (then SIGKILL, as the kubelet does).
  // Returns how long the process took.
  Clock::duration Terminate(Clock::duration limit = std::chrono::seconds(120)) {
    const auto sent = Clock::now();
    REQUIRE(::kill(pid_, SIGTERM) == 0);
    while (true) {
      int status = 0;
      pid_t reaped = ::waitpid(pid_, &status, WNOHANG);
      REQUIRE(reaped >= 0);
      if (reaped == pid_) {
        exited_ = true;
        exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        return Clock::now() - sent;
      }
      if (Clock::now() - sent > limit) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
        exited_ = true;
        return Clock::now() - sent;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

  int exit_code() const { return exit_code_; }
  std::string Log() const {
    std::ifstream in(log_path_);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  // The identity this process acquired the Lease as, once it logged that; else empty.
  std::string LeaderIdentity() const {
    std::istringstream lines(Log());
    for (std::string line; std::getline(lines, line);) {
      if (line.find("successfully acquired lease") == std::string::npos) continue;
      Json entry = Json::parse(line, nullptr, false);
      if (entry.is_object()) return entry.value("identity", "");
    }
    return "";
  }

 private:
  std::string log_path_;
  pid_t pid_ = -1;
  bool exited_ = false;
  int exit_code_ = -1;
};

// Drops the reconciler's finalizers from the Kustomization `app` and the GitRepository `source`
// when the scope ends (declare it after the ScopedNamespace): no reconciler runs by then to
// finalize them, the namespace would stay Terminating, and a later reconciler watching every
// namespace would prune the Kustomization's inventory.
class KustomizationFinalizerDrop {
 public:
  KustomizationFinalizerDrop(kube::Client& client, std::string namespace_name)
      : client_(client), namespace_name_(std::move(namespace_name)) {}
  ~KustomizationFinalizerDrop() {
    (void)client_.Patch(kKustomization, namespace_name_, "app", kube::PatchType::kMerge,
                        R"({"metadata":{"finalizers":null}})");
    (void)client_.Patch(reconciler::testing::kGitRepository, namespace_name_, "source",
                        kube::PatchType::kMerge, R"({"metadata":{"finalizers":null}})");
  }
  KustomizationFinalizerDrop(const KustomizationFinalizerDrop&) = delete;
  KustomizationFinalizerDrop& operator=(const KustomizationFinalizerDrop&) = delete;

 private:
  kube::Client& client_;
  std::string namespace_name_;
};

double Seconds(Clock::duration duration) { return std::chrono::duration<double>(duration).count(); }

Json LeaseSpec(kube::Client& client, const std::string& namespace_name) {
  auto lease = client.Get(kLease, namespace_name, kLeaseName);
  return lease.ok() ? lease->json().value("spec", Json::object()) : Json::object();
}

Json Condition(const Json& object, const std::string& type) {
  const Json conditions = object.value("status", Json::object()).value("conditions", Json::array());
  const Json* found = reconciler::FindCondition(conditions, type);
  return found == nullptr ? Json() : *found;
}

// What every case starts from: the Flux CRDs, a namespace of its own (the reconciler's runtime
// namespace, where its Lease lives; finalizers dropped at the end) and a scratch folder.
struct ShutdownGround {
  explicit ShutdownGround(const std::string& namespace_prefix)
      : client(ClientWithFluxCrds()),
        ns(*client, namespace_prefix),
        finalizer_drop(*client, ns.name()) {}

  static std::unique_ptr<kube::Client> ClientWithFluxCrds() {
    auto client = AdminClient();
    reconciler::testing::InstallFluxCrds(*client);
    return client;
  }

  // Released as client-go releases a Lease: no holder, a one-second lease.
  void CheckLeaseReleased() {
    Json lease = LeaseSpec(*client, ns.name());
    INFO(lease.dump());
    CHECK(lease.value("holderIdentity", "x").empty());
    CHECK(lease.value("leaseDurationSeconds", 0) == 1);
  }

  std::unique_ptr<kube::Client> client;
  ScopedNamespace ns;
  KustomizationFinalizerDrop finalizer_drop;
  ScratchDirectory scratch;
};

// A ground repository (plain HTTP) holding the files of `folder`.
std::string SeededRepository(const std::string& folder) {
  const std::string name = "shutdown-" + RandomSuffix();
  const std::string urls = RunGround({"repo", name});
  const std::string key = "GIT_HTTP_URL=";
  const size_t at = urls.find(key);
  REQUIRE(at != std::string::npos);
  std::string url = urls.substr(at + key.size(), urls.find('\n', at) - at - key.size());
  RunGround({"seed", name, folder});
  return url;
}

void CreateGitRepository(kube::Client& client, const std::string& namespace_name,
                         const std::string& url, const std::string& timeout) {
  auto created = client.Create(manifest::Object(Json{
      {"apiVersion", "source.toolkit.fluxcd.io/v1"},
      {"kind", "GitRepository"},
      {"metadata", {{"name", "source"}, {"namespace", namespace_name}}},
      {"spec",
       {{"url", url}, {"interval", "10m"}, {"timeout", timeout}, {"ref", {{"branch", "main"}}}}}}));
  INFO((created.ok() ? "" : created.status().ToString()));
  REQUIRE(created.ok());
}

TEST_CASE(
    "SIGTERM during a health check: the reconciler exits at once, releases its Lease, "
    "leaves the conditions as they were, and a successor takes over at once",
    "[shutdown]") {
  ShutdownGround ground("shutdown-health");
  auto& client = ground.client;
  auto& ns = ground.ns;
  auto& scratch = ground.scratch;
  CreateGitRepository(*client, ns.name(), SeededRepository(std::string(TESTDATA_DIR) + "/stuck"),
                      "60s");
  // wait: the Deployment never becomes Available (no node matches), so the health check runs
  // for the whole timeout.
  auto created = client->Create(
      manifest::Object(Json{{"apiVersion", kKustomization.ApiVersion()},
                            {"kind", kKustomization.kind},
                            {"metadata", {{"name", "app"}, {"namespace", ns.name()}}},
                            {"spec",
                             {{"interval", "10m"},
                              {"path", "./"},
                              {"prune", true},
                              {"wait", true},
                              {"timeout", "10m"},
                              {"targetNamespace", ns.name()},
                              {"sourceRef", {{"kind", "GitRepository"}, {"name", "source"}}}}}}));
  REQUIRE(created.ok());

  const std::string storage = scratch.path() + "/storage";
  ReconcilerProcess first(ns.name(), storage, scratch.path() + "/first.log");
  // The apply is done once the Deployment exists; the health check follows at once and lasts.
  bool applied = Eventually(
      [&] {
        return client->Get(kDeployment, ns.name(), "stuck").ok() && !first.LeaderIdentity().empty();
      },
      std::chrono::seconds(60));
  INFO(first.Log());
  REQUIRE(applied);
  std::this_thread::sleep_for(std::chrono::seconds(2));
  auto before = client->Get(kKustomization, ns.name(), "app");
  REQUIRE(before.ok());
  CHECK(Condition(before->json(), "Healthy").is_null());  // still checking
  const std::string first_identity = first.LeaderIdentity();
  REQUIRE(LeaseSpec(*client, ns.name()).value("holderIdentity", "") == first_identity);

  const auto took = first.Terminate();
  INFO(first.Log());
  INFO("first reconciler exited after " << Seconds(took) << " s");
  CHECK(first.exit_code() == 0);
  CHECK(took < kTerminationGracePeriod);
  ground.CheckLeaseReleased();
  // The interrupted health check reported nothing: no HealthCheckCanceled, no Healthy condition,
  // Ready as it was; but what was applied is in the inventory.
  auto after = client->Get(kKustomization, ns.name(), "app");
  REQUIRE(after.ok());
  INFO(after->json()["status"].dump());
  CHECK(Condition(after->json(), "Ready") == Condition(before->json(), "Ready"));
  CHECK(Condition(after->json(), "Healthy").is_null());
  const Json inventory = after->json()["status"].value("inventory", Json::object());
  CHECK(
      inventory.value("entries", Json::array()).dump().find(ns.name() + "_stuck_apps_Deployment") !=
      std::string::npos);
  const std::string log = first.Log();
  CHECK(log.find("HealthCheckCanceled") == std::string::npos);
  CHECK(log.find("released leader lease") != std::string::npos);

  // The successor finds the Lease free: it leads at its first attempt, not after the 35 s an
  // unreleased Lease would last.
  const auto started = Clock::now();
  ReconcilerProcess second(ns.name(), storage, scratch.path() + "/second.log");
  bool leading = Eventually(
      [&] {
        const std::string identity = second.LeaderIdentity();
        return !identity.empty() &&
               LeaseSpec(*client, ns.name()).value("holderIdentity", "") == identity;
      },
      std::chrono::seconds(40));
  const auto acquired_after = Clock::now() - started;
  INFO(second.Log());
  INFO("the successor led after " << Seconds(acquired_after) << " s");
  REQUIRE(leading);
  CHECK(acquired_after < kTerminationGracePeriod);
  CHECK(second.LeaderIdentity() != first_identity);
  // It picks the health check up again, and stops as promptly.
  CHECK(Eventually([&] { return second.Log().find("starting workers") != std::string::npos; }));
  CHECK(second.Terminate() < kTerminationGracePeriod);
  CHECK(second.exit_code() == 0);
  CHECK(LeaseSpec(*client, ns.name()).value("holderIdentity", "x").empty());
}

// Creates the Kustomization `app` of `source` with `spec`'s fields over these defaults.
void CreateKustomization(kube::Client& client, const std::string& namespace_name, Json spec) {
  Json defaults = {{"interval", "10m"},
                   {"path", "./"},
                   {"prune", true},
                   {"targetNamespace", namespace_name},
                   {"sourceRef", {{"kind", "GitRepository"}, {"name", "source"}}}};
  for (auto& [key, value] : defaults.items()) {
    if (!spec.contains(key)) spec[key] = value;
  }
  auto created = client.Create(
      manifest::Object(Json{{"apiVersion", kKustomization.ApiVersion()},
                            {"kind", kKustomization.kind},
                            {"metadata", {{"name", "app"}, {"namespace", namespace_name}}},
                            {"spec", std::move(spec)}}));
  INFO((created.ok() ? "" : created.status().ToString()));
  REQUIRE(created.ok());
}

TEST_CASE(
    "SIGTERM while an apply waits for a Namespace that never becomes Active: the wait is "
    "cancelled and the Lease released at once",
    "[shutdown]") {
  // The apply of a Namespace waits until it is Active before the objects that follow (up to 60 s,
  // which kept the reconciler's Lease held past the Pod's grace period). A Namespace being
  // deleted stays Terminating while an object in it keeps a finalizer.
  ShutdownGround ground("shutdown-namespace");
  auto& client = ground.client;
  auto& ns = ground.ns;
  auto& scratch = ground.scratch;
  const std::string held = "shutdown-held-" + RandomSuffix();
  const manifest::GroupVersionKind namespace_kind{"", "v1", "Namespace"};
  REQUIRE(client
              ->Create(manifest::Object(Json{
                  {"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", held}}}}))
              .ok());
  REQUIRE(client
              ->Create(manifest::Object(
                  Json{{"apiVersion", "v1"},
                       {"kind", "ConfigMap"},
                       {"metadata",
                        {{"name", "hold"},
                         {"namespace", held},
                         {"finalizers", Json::array({"shutdown.fluxcpp.test/hold"})}}}}))
              .ok());
  // Lets the Namespace go when the test ends, however it ends.
  struct Unhold {
    kube::Client& client;
    std::string held;
    ~Unhold() {
      (void)client.Patch({"", "v1", "ConfigMap"}, held, "hold", kube::PatchType::kMerge,
                         R"({"metadata":{"finalizers":null}})");
    }
  } unhold{*client, held};
  REQUIRE(client->Delete(namespace_kind, "", held).ok());
  REQUIRE(Eventually([&] {
    auto live = client->Get(namespace_kind, "", held);
    return live.ok() && live->json()["status"].value("phase", "") == "Terminating";
  }));

  ScratchDirectory source;
  source.Write("namespace.yaml",
               "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + held + "\n");
  CreateGitRepository(*client, ns.name(), SeededRepository(source.path()), "60s");
  CreateKustomization(*client, ns.name(), Json{{"prune", false}});
  ReconcilerProcess reconciler(ns.name(), scratch.path() + "/storage",
                               scratch.path() + "/reconciler.log");
  // Once the source has an artifact, the Kustomization applies it and waits on the Namespace.
  bool waiting = Eventually(
      [&] {
        auto source = client->Get(reconciler::testing::kGitRepository, ns.name(), "source");
        return source.ok() && source->json().value("status", Json::object()).contains("artifact");
      },
      std::chrono::seconds(60));
  INFO(reconciler.Log());
  REQUIRE(waiting);
  std::this_thread::sleep_for(std::chrono::seconds(2));
  auto before = client->Get(kKustomization, ns.name(), "app");
  REQUIRE(before.ok());
  // Still waiting: no Kustomization reconcile has finished since the artifact came.
  REQUIRE(reconciler.Log().find("Namespace/" + held) == std::string::npos);

  const auto took = reconciler.Terminate();
  INFO(reconciler.Log());
  INFO("exited after " << Seconds(took) << " s");
  CHECK(took < kTerminationGracePeriod);
  CHECK(reconciler.exit_code() == 0);
  ground.CheckLeaseReleased();
  auto after = client->Get(kKustomization, ns.name(), "app");
  REQUIRE(after.ok());
  CHECK(Condition(after->json(), "Ready") == Condition(before->json(), "Ready"));
  CHECK(reconciler.Log().find("interrupted by the reconciler's shutdown") != std::string::npos);
}

TEST_CASE(
    "SIGTERM in the middle of a large apply: the apply stops, every object it applied is "
    "in the inventory, and the Lease is released",
    "[shutdown]") {
  ShutdownGround ground("shutdown-apply");
  auto& client = ground.client;
  auto& ns = ground.ns;
  auto& scratch = ground.scratch;
  constexpr int kCount = 400;
  std::string manifests;
  for (int i = 0; i < kCount; ++i) {
    manifests += "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bulk-" +
                 std::to_string(1000 + i) + "\ndata:\n  index: \"" + std::to_string(i) + "\"\n";
  }
  ScratchDirectory source;
  source.Write("configmaps.yaml", manifests);
  CreateGitRepository(*client, ns.name(), SeededRepository(source.path()), "60s");
  CreateKustomization(*client, ns.name(), Json::object());

  ReconcilerProcess reconciler(ns.name(), scratch.path() + "/storage",
                               scratch.path() + "/reconciler.log");
  auto applied = [&] {
    auto listed = client->List({"", "v1", "ConfigMap"}, ns.name());
    std::set<std::string> names;
    if (!listed.ok()) return names;
    for (const manifest::Object& item : listed->items) {
      if (item.Name().rfind("bulk-", 0) == 0) names.insert(item.Name());
    }
    return names;
  };
  bool started = Eventually([&] { return applied().size() >= 5; }, std::chrono::seconds(60));
  INFO(reconciler.Log());
  REQUIRE(started);
  auto before = client->Get(kKustomization, ns.name(), "app");
  REQUIRE(before.ok());

  const auto took = reconciler.Terminate();
  INFO(reconciler.Log());
  INFO("exited after " << Seconds(took) << " s");
  CHECK(took < kTerminationGracePeriod);
  CHECK(reconciler.exit_code() == 0);
  CHECK(LeaseSpec(*client, ns.name()).value("holderIdentity", "x").empty());

  const std::set<std::string> live = applied();
  auto after = client->Get(kKustomization, ns.name(), "app");
  REQUIRE(after.ok());
  std::set<std::string> inventory;
  const Json status = after->json().value("status", Json::object());
  for (const Json& entry :
       status.value("inventory", Json::object()).value("entries", Json::array())) {
    inventory.insert(entry.value("id", ""));
  }
  if (reconciler.Log().find("apply cancelled") == std::string::npos) {
    WARN("the apply finished before the signal; " << live.size() << " ConfigMaps");
  } else {
    CHECK(live.size() < static_cast<size_t>(kCount));
    // The interrupted apply is no failure: Ready stays as it was.
    CHECK(Condition(after->json(), "Ready") == Condition(before->json(), "Ready"));
  }
  // Whatever exists is in the inventory, so a later prune would find it.
  for (const std::string& name : live) {
    INFO(name);
    CHECK(inventory.count(ns.name() + "_" + name + "__ConfigMap") == 1);
  }
}

TEST_CASE(
    "SIGTERM while a reconcile cannot be cancelled: the Lease is released after "
    "--graceful-shutdown-timeout and the process exits",
    "[shutdown]") {
  ShutdownGround ground("shutdown-stuck");
  auto& client = ground.client;
  auto& ns = ground.ns;
  auto& scratch = ground.scratch;
  SilentServer silent;
  CreateGitRepository(*client, ns.name(),
                      "http://127.0.0.1:" + std::to_string(silent.port()) + "/silent.git", "120s");
  ReconcilerProcess reconciler(ns.name(), scratch.path() + "/storage",
                               scratch.path() + "/reconciler.log",
                               {"--graceful-shutdown-timeout=2s"});
  bool fetching = Eventually(
      [&] {
        return !reconciler.LeaderIdentity().empty() &&
               reconciler.Log().find("starting workers") != std::string::npos;
      },
      std::chrono::seconds(60));
  INFO(reconciler.Log());
  REQUIRE(fetching);
  // The fetch has connected and waits for an answer that never comes (for 120 s).
  std::this_thread::sleep_for(std::chrono::seconds(2));
  REQUIRE(reconciler.Log().find("\"controller\":\"gitrepository\",\"kind\"") == std::string::npos);

  const auto took = reconciler.Terminate();
  INFO(reconciler.Log());
  INFO("exited after " << Seconds(took) << " s");
  CHECK(took >= std::chrono::seconds(2));  // the in-flight fetch had its time
  CHECK(took < kTerminationGracePeriod);
  CHECK(reconciler.exit_code() == 1);
  const std::string log = reconciler.Log();
  CHECK(log.find("graceful shutdown timed out") != std::string::npos);
  CHECK(log.find("released leader lease") != std::string::npos);
  ground.CheckLeaseReleased();
}

}  // namespace
}  // namespace fluxcpp::testing
