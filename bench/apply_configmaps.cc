// Applies 1,000 ConfigMaps as one set to the test ground's API server, then applies the same set
// again unchanged. Prints one line of key=value figures: wall time, API requests and peak RSS of
// each pass.
//
// Run under the test ground: eval "$(tests/env/ground up)"; build/bin/bench_apply_configmaps
// [count]
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <random>
#include <string>

#include "lib/kube/apply.h"
#include "lib/kube/client.h"
#include "lib/kube/config.h"

namespace {

using fluxcpp::kube::Json;
using fluxcpp::kube::Object;

long PeakRssKilobytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

std::vector<Object> ConfigMaps(const std::string& namespace_name, int count) {
  std::vector<Object> objects;
  objects.reserve(count);
  for (int i = 0; i < count; ++i) {
    objects.emplace_back(
        Json{{"apiVersion", "v1"},
             {"kind", "ConfigMap"},
             {"metadata", {{"name", "bench-" + std::to_string(i)}, {"namespace", namespace_name}}},
             {"data", {{"index", std::to_string(i)}, {"payload", std::string(200, 'x')}}}});
  }
  return objects;
}

}  // namespace

int main(int argc, char** argv) {
  int count = argc > 1 ? std::atoi(argv[1]) : 1000;
  auto config = fluxcpp::kube::LoadKubeconfig();
  if (!config.ok()) {
    std::fprintf(stderr, "bench: %s\n", std::string(config.status().message()).c_str());
    return 1;
  }
  auto client = fluxcpp::kube::Client::Create(*config);
  if (!client.ok()) return 1;
  std::string namespace_name = "bench-" + std::to_string(std::random_device{}() % 100000);
  Object namespace_object(
      Json{{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", namespace_name}}}});
  if (!(*client)->Create(namespace_object).ok()) return 1;
  std::vector<Object> objects = ConfigMaps(namespace_name, count);

  auto timed_apply = [&](double& seconds, uint64_t& requests) {
    uint64_t before = (*client)->transport().requests_sent();
    auto start = std::chrono::steady_clock::now();
    auto result = fluxcpp::kube::ApplyAll(**client, objects, {.concurrency = 8});
    seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    requests = (*client)->transport().requests_sent() - before;
    if (!result.status.ok())
      std::fprintf(stderr, "bench: %s\n", std::string(result.status.message()).c_str());
    return result;
  };
  double first_seconds = 0, second_seconds = 0;
  uint64_t first_requests = 0, second_requests = 0;
  auto first = timed_apply(first_seconds, first_requests);
  auto second = timed_apply(second_seconds, second_requests);
  (void)(*client)->Delete({"", "v1", "Namespace"}, "", namespace_name);
  std::printf(
      "objects=%d apply_seconds=%.2f apply_requests=%llu created=%d reapply_seconds=%.2f "
      "reapply_requests=%llu unchanged=%d peak_rss_mib=%.1f\n",
      count, first_seconds, static_cast<unsigned long long>(first_requests),
      first.change_set.Count(fluxcpp::kube::Action::kCreated), second_seconds,
      static_cast<unsigned long long>(second_requests),
      second.change_set.Count(fluxcpp::kube::Action::kUnchanged), PeakRssKilobytes() / 1024.0);
  return first.status.ok() && second.status.ok() ? 0 : 1;
}
