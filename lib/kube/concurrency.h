// A bounded fan-out used by the batch operations: runs fn(0..count-1) on at most `concurrency`
// threads and returns when all are done. Private to lib/kube.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

namespace fluxcpp::kube {

template <typename Function>
void ForEachConcurrently(size_t count, int concurrency, const Function& function) {
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t index; (index = next.fetch_add(1)) < count;) function(index);
  };
  size_t threads_wanted = std::min(count, static_cast<size_t>(std::max(concurrency, 1)));
  std::vector<std::thread> threads;
  for (size_t i = 1; i < threads_wanted; ++i) threads.emplace_back(worker);
  worker();  // the calling thread works too
  for (std::thread& thread : threads) thread.join();
}

}  // namespace fluxcpp::kube
