// A Controller over real GitRepository objects on the test ground: what reconciles, what does not,
// backoff, requeues and the cancel flag.
#include "reconciler/runtime/controller.h"

#include <catch2/catch.hpp>
#include <thread>

#include "reconciler/runtime/metrics.h"
#include "reconciler/runtime/status.h"
#include "runtime_fixture.h"
#include "tests/e2e/support/ground.h"

namespace fluxcpp::reconciler {
namespace {

using namespace std::chrono_literals;
using testing::Eventually;
using testing::kGitRepository;
using testing::RecordingReconciler;

// Runs a controller on its own thread for the scope of a test.
class RunningController {
 public:
  RunningController(kube::Client& client, Reconciler& reconciler, ControllerOptions options)
      : controller_(client, reconciler, std::move(options)),
        thread_([this] { result_ = controller_.Run(stop_); }) {
    REQUIRE(Eventually([this] { return controller_.Synced(); }));
  }
  ~RunningController() { Stop().IgnoreError(); }
  absl::Status Stop() {
    stop_.store(true);
    if (thread_.joinable()) thread_.join();
    return result_;
  }
  Controller& controller() { return controller_; }

 private:
  std::atomic<bool> stop_{false};
  absl::Status result_;
  Controller controller_;
  std::thread thread_;
};

ControllerOptions Options(const std::string& namespace_name, Metrics* metrics = nullptr) {
  return ControllerOptions{.name = "gitrepository",
                           .kind = kGitRepository,
                           .namespace_name = namespace_name,
                           .workers = 2,
                           .metrics = metrics};
}

TEST_CASE("Controller reconciles created and changed objects, not its own status writes") {
  auto client = fluxcpp::testing::AdminClient();
  testing::InstallFluxCrds(*client);
  fluxcpp::testing::ScopedNamespace ns(*client, "rt-ctrl");
  RecordingReconciler reconciler(*client);
  Metrics metrics;
  RunningController running(*client, reconciler, Options(ns.name(), &metrics));
  ObjectKey key{ns.name(), "apps"};

  testing::CreateGitRepository(*client, ns.name(), "apps");
  REQUIRE(Eventually([&] { return reconciler.CallsFor(key) == 1; }));
  // The reconcile wrote status (a new resourceVersion): that must not reconcile again.
  auto stored = client->Get(kGitRepository, ns.name(), "apps");
  REQUIRE(stored.ok());
  CHECK(IsConditionTrue(stored->json()["status"]["conditions"], kReadyCondition));
  REQUIRE(running.controller().cache().Get(key));
  std::this_thread::sleep_for(1500ms);
  CHECK(reconciler.CallsFor(key) == 1);

  SECTION("a spec change (new generation) reconciles") {
    testing::PatchGitRepository(*client, ns.name(), "apps", {{"spec", {{"interval", "5m"}}}});
    REQUIRE(Eventually([&] { return reconciler.CallsFor(key) == 2; }));
    std::this_thread::sleep_for(1s);
    CHECK(reconciler.CallsFor(key) == 2);
    CHECK(running.controller().cache().Get(key)->json()["spec"]["interval"] == "5m");
  }
  SECTION("a label change alone does not reconcile, the requestedAt annotation does") {
    testing::PatchGitRepository(*client, ns.name(), "apps",
                                {{"metadata", {{"labels", {{"team", "a"}}}}}});
    REQUIRE(Eventually([&] {
      auto cached = running.controller().cache().Get(key);
      return cached && cached->Label("team") == "a";
    }));
    std::this_thread::sleep_for(1s);
    CHECK(reconciler.CallsFor(key) == 1);

    testing::PatchGitRepository(
        *client, ns.name(), "apps",
        {{"metadata", {{"annotations", {{kRequestedAtAnnotation, "2026-11-29T13:40:00Z"}}}}}});
    REQUIRE(Eventually([&] { return reconciler.CallsFor(key) == 2; }));
  }
  SECTION("a deletion reconciles, and the object is then gone") {
    REQUIRE(client->Delete(kGitRepository, ns.name(), "apps").ok());
    REQUIRE(Eventually([&] { return reconciler.CallsFor(key) == 2; }));
    CHECK_FALSE(reconciler.Calls().back().found);
    CHECK_FALSE(running.controller().cache().Get(key));
    CHECK(metrics.Value("gotk_reconcile_condition", {{"kind", "GitRepository"},
                                                     {"name", "apps"},
                                                     {"namespace", ns.name()},
                                                     {"status", "Deleted"},
                                                     {"type", "Ready"}}) == 1);
  }
  CHECK(metrics.Value("controller_runtime_reconcile_total",
                      {{"controller", "gitrepository"}, {"result", "success"}}) >= 1);
  CHECK(running.Stop().ok());
}

TEST_CASE("Controller backs off a failing object and resets after success") {
  auto client = fluxcpp::testing::AdminClient();
  testing::InstallFluxCrds(*client);
  fluxcpp::testing::ScopedNamespace ns(*client, "rt-backoff");
  RecordingReconciler reconciler(*client);
  reconciler.SetBehaviour([](const ObjectKey& key, const ReconcileContext&, int call) {
    if (call <= 5) return Outcome::Retry(absl::UnavailableError(key.ToString() + ": flaky"));
    return Outcome::Done();
  });
  Metrics metrics;
  ControllerOptions options = Options(ns.name(), &metrics);
  options.backoff = {.initial = 100ms, .maximum = 1s};
  RunningController running(*client, reconciler, options);
  ObjectKey key{ns.name(), "flaky"};
  testing::CreateGitRepository(*client, ns.name(), "flaky");

  REQUIRE(Eventually([&] { return reconciler.CallsFor(key) == 6; }));
  auto calls = reconciler.Calls();
  REQUIRE(calls.size() == 6);
  // Gaps after failures 1..5: 100, 200, 400, 800, 1000 (capped) ms, plus the reconcile itself.
  std::vector<std::chrono::milliseconds> expected = {100ms, 200ms, 400ms, 800ms, 1000ms};
  for (size_t i = 0; i < expected.size(); ++i) {
    auto gap = std::chrono::duration_cast<std::chrono::milliseconds>(calls[i + 1].at - calls[i].at);
    INFO("gap " << i << ": " << gap.count() << " ms");
    CHECK(gap >= expected[i]);
    CHECK(gap < expected[i] + 400ms);
  }
  std::this_thread::sleep_for(1500ms);
  CHECK(reconciler.CallsFor(key) == 6);  // Done: no more runs
  CHECK(metrics.Value("controller_runtime_reconcile_total",
                      {{"controller", "gitrepository"}, {"result", "error"}}) == 5);
  CHECK(metrics.Value("controller_runtime_reconcile_errors_total",
                      {{"controller", "gitrepository"}}) == 5);
}

TEST_CASE("Controller requeues after the delay an object asks for") {
  auto client = fluxcpp::testing::AdminClient();
  testing::InstallFluxCrds(*client);
  fluxcpp::testing::ScopedNamespace ns(*client, "rt-requeue");
  RecordingReconciler reconciler(*client);
  reconciler.SetBehaviour([](const ObjectKey&, const ReconcileContext&, int call) {
    return call < 3 ? Outcome::RequeueAfter(300ms, /*jitter=*/true) : Outcome::Done();
  });
  RunningController running(*client, reconciler, Options(ns.name()));
  ObjectKey key{ns.name(), "periodic"};
  testing::CreateGitRepository(*client, ns.name(), "periodic");
  REQUIRE(Eventually([&] { return reconciler.CallsFor(key) == 3; }));
  auto calls = reconciler.Calls();
  for (size_t i = 1; i < calls.size(); ++i) {
    auto gap = std::chrono::duration_cast<std::chrono::milliseconds>(calls[i].at - calls[i - 1].at);
    INFO("gap " << gap.count() << " ms");
    CHECK(gap >= 300ms);
    CHECK(gap < 300ms + 30ms + 300ms);
  }
}

TEST_CASE("Controller cancels a running reconcile when its object changes, then runs it again") {
  auto client = fluxcpp::testing::AdminClient();
  testing::InstallFluxCrds(*client);
  fluxcpp::testing::ScopedNamespace ns(*client, "rt-cancel");
  RecordingReconciler reconciler(*client);
  std::atomic<int> concurrent{0};
  std::atomic<int> most_concurrent{0};
  std::atomic<bool> first_started{false};
  reconciler.SetBehaviour([&](const ObjectKey&, const ReconcileContext& context, int call) {
    int now = ++concurrent;
    most_concurrent = std::max(most_concurrent.load(), now);
    if (call == 1) {
      first_started = true;
      // A long health check: waits until told the object changed.
      Eventually([&] { return context.cancel.load(); }, 10s);
    }
    --concurrent;
    return Outcome::Done();
  });
  ControllerOptions options = Options(ns.name());
  options.workers = 4;
  RunningController running(*client, reconciler, options);
  ObjectKey key{ns.name(), "slow"};
  testing::CreateGitRepository(*client, ns.name(), "slow");
  REQUIRE(Eventually([&] { return first_started.load(); }));
  auto changed_at = std::chrono::steady_clock::now();
  testing::PatchGitRepository(*client, ns.name(), "slow", {{"spec", {{"interval", "2m"}}}});
  REQUIRE(Eventually([&] { return reconciler.CallsFor(key) == 2; }));
  auto calls = reconciler.Calls();
  CHECK(calls[0].cancelled);
  CHECK_FALSE(calls[1].cancelled);
  CHECK(calls[0].at - changed_at < 5s);
  CHECK(most_concurrent == 1);  // never two workers on one key
}

TEST_CASE("Controller enqueues the keys a related kind's changes map to") {
  auto client = fluxcpp::testing::AdminClient();
  testing::InstallFluxCrds(*client);
  fluxcpp::testing::ScopedNamespace ns(*client, "rt-related");
  RecordingReconciler reconciler(*client);
  Controller controller(*client, reconciler, Options(ns.name()));
  const manifest::GroupVersionKind config_map{"", "v1", "ConfigMap"};
  controller.WatchRelated(config_map, [&](const kube::WatchEvent& event) {
    std::string target = event.object.Label("example.com/repository");
    return target.empty() ? std::vector<ObjectKey>{}
                          : std::vector<ObjectKey>{{event.object.Namespace(), target}};
  });
  std::atomic<bool> stop{false};
  absl::Status result;
  std::thread thread([&] { result = controller.Run(stop); });
  REQUIRE(Eventually([&] { return controller.Synced(); }));
  ObjectKey key{ns.name(), "related"};
  testing::CreateGitRepository(*client, ns.name(), "related");
  REQUIRE(Eventually([&] { return reconciler.CallsFor(key) == 1; }));
  manifest::Object map(manifest::Json{{"apiVersion", "v1"},
                                      {"kind", "ConfigMap"},
                                      {"metadata",
                                       {{"name", "settings"},
                                        {"namespace", ns.name()},
                                        {"labels", {{"example.com/repository", "related"}}}}},
                                      {"data", {{"a", "1"}}}});
  REQUIRE(client->Create(map).ok());
  CHECK(Eventually([&] { return reconciler.CallsFor(key) == 2; }));
  stop = true;
  thread.join();
  CHECK(result.ok());
}

TEST_CASE("Controller maps its own kind's events without a second watch, from a slim cache") {
  auto client = fluxcpp::testing::AdminClient();
  testing::InstallFluxCrds(*client);
  fluxcpp::testing::ScopedNamespace ns(*client, "rt-own");
  RecordingReconciler reconciler(*client);
  Controller controller(*client, reconciler, Options(ns.name()));
  // "follower" follows whichever GitRepository names it in a label.
  std::atomic<int> mapped{0};
  controller.WatchRelated(kGitRepository, [&](const kube::WatchEvent& event) {
    ++mapped;
    std::string follower = event.object.Label("example.com/follower");
    return follower.empty() ? std::vector<ObjectKey>{}
                            : std::vector<ObjectKey>{{event.object.Namespace(), follower}};
  });
  std::atomic<bool> stop{false};
  absl::Status result;
  std::thread thread([&] { result = controller.Run(stop); });
  REQUIRE(Eventually([&] { return controller.Synced(); }));
  ObjectKey follower{ns.name(), "follower"};
  testing::CreateGitRepository(*client, ns.name(), "follower");
  REQUIRE(Eventually([&] { return reconciler.CallsFor(follower) == 1; }));
  CHECK(mapped.load() >= 1);  // the mapper saw the controller's own events

  // A label change alone does not reconcile the leader, but maps to its follower.
  testing::CreateGitRepository(*client, ns.name(), "leader");
  ObjectKey leader{ns.name(), "leader"};
  REQUIRE(Eventually([&] { return reconciler.CallsFor(leader) == 1; }));
  testing::PatchGitRepository(
      *client, ns.name(), "leader",
      {{"metadata",
        {{"labels", {{"example.com/follower", "follower"}}},
         {"annotations", {{"kubectl.kubernetes.io/last-applied-configuration", "{}"}}}}}});
  CHECK(Eventually([&] { return reconciler.CallsFor(follower) == 2; }));
  CHECK(reconciler.CallsFor(leader) == 1);

  // The cache holds neither managedFields nor kubectl's last-applied copy; ForEach visits all.
  auto cached = controller.cache().Get(leader);
  REQUIRE(cached);
  CHECK(cached->Label("example.com/follower") == "follower");
  CHECK_FALSE(cached->json()["metadata"].contains("managedFields"));
  CHECK(cached->Annotation("kubectl.kubernetes.io/last-applied-configuration").empty());
  auto live = client->Get(kGitRepository, ns.name(), "leader");
  REQUIRE(live.ok());
  CHECK(live->json()["metadata"].contains("managedFields"));
  std::vector<std::string> visited;
  controller.cache().ForEach(
      [&](const manifest::Object& object) { visited.push_back(object.Name()); });
  CHECK(visited == std::vector<std::string>{"follower", "leader"});
  stop = true;
  thread.join();
  CHECK(result.ok());
}

TEST_CASE("Controller fails to run for a kind the server does not serve") {
  auto client = fluxcpp::testing::AdminClient();
  RecordingReconciler reconciler(*client);
  Controller controller(
      *client, reconciler,
      ControllerOptions{.name = "missing", .kind = {"example.com", "v1", "NoSuchKind"}});
  std::atomic<bool> stop{false};
  absl::Status result = controller.Run(stop);
  REQUIRE_FALSE(result.ok());
  CHECK(std::string(result.message()).find("NoSuchKind") != std::string::npos);
}

TEST_CASE("Controller::Run returns on stop only after in-flight reconciles finished") {
  auto client = fluxcpp::testing::AdminClient();
  testing::InstallFluxCrds(*client);
  fluxcpp::testing::ScopedNamespace ns(*client, "rt-stop");
  RecordingReconciler reconciler(*client);
  std::atomic<bool> started{false};
  std::atomic<bool> saw_cancel{false};
  reconciler.SetBehaviour([&](const ObjectKey&, const ReconcileContext& context, int) {
    started = true;
    Eventually([&] { return context.cancel.load(); }, 10s);
    saw_cancel = context.cancel.load();
    std::this_thread::sleep_for(300ms);  // cleaning up after the cancelled work
    return Outcome::Done();
  });
  Controller controller(*client, reconciler, Options(ns.name()));
  std::atomic<bool> stop{false};
  absl::Status result;
  std::thread thread([&] { result = controller.Run(stop); });
  REQUIRE(Eventually([&] { return controller.Synced(); }));
  ObjectKey key{ns.name(), "busy"};
  testing::CreateGitRepository(*client, ns.name(), "busy");
  REQUIRE(Eventually([&] { return started.load(); }));
  stop = true;
  thread.join();
  CHECK(saw_cancel);
  CHECK(reconciler.CallsFor(key) == 1);  // the run finished before Run returned
  CHECK(result.ok());
  CHECK(controller.Run(stop).code() == absl::StatusCode::kFailedPrecondition);
}

// A figure, not a check: how fast one controller drains many objects (each reconcile reads the
// object and writes its status). Hidden; run with `reconciler_runtime_e2e_test "[bench]"`.
TEST_CASE("Controller throughput over many objects", "[.][bench]") {
  auto client = fluxcpp::testing::AdminClient();
  testing::InstallFluxCrds(*client);
  fluxcpp::testing::ScopedNamespace ns(*client, "rt-bench");
  RecordingReconciler reconciler(*client);
  ControllerOptions options = Options(ns.name());
  options.workers = 4;
  RunningController running(*client, reconciler, options);
  constexpr int kObjects = 300;
  auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < kObjects; ++i) {
    testing::CreateGitRepository(*client, ns.name(), "repo-" + std::to_string(i));
  }
  auto created = std::chrono::steady_clock::now();
  REQUIRE(Eventually([&] { return reconciler.Calls().size() >= kObjects; }, 120s));
  auto done = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(1s);
  CHECK(reconciler.Calls().size() == kObjects);  // the status writes triggered nothing
  auto ms = [](auto d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d).count(); };
  WARN("objects=" << kObjects << " create_ms=" << ms(created - started)
                  << " all_reconciled_ms=" << ms(done - started)
                  << " cached=" << running.controller().cache().List().size());
}

}  // namespace
}  // namespace fluxcpp::reconciler
