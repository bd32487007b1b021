#include "ml/parallel.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

namespace cinerec::ml {

int ResolveThreads(int requested) {
  if (requested > 0) return requested;
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

void ParallelFor(std::int64_t n, std::int64_t grain, int threads,
                 const std::function<void(std::int64_t, std::int64_t, std::int64_t)>& fn) {
  if (grain <= 0) throw std::invalid_argument("ParallelFor: grain must be positive");
  const std::int64_t chunks = ChunkCount(n, grain);
  if (chunks == 0) return;
  const auto workers = static_cast<std::int64_t>(std::min<std::int64_t>(ResolveThreads(threads), chunks));

  std::atomic<std::int64_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto run = [&] {
    for (std::int64_t chunk = next++; chunk < chunks && !failed; chunk = next++) {
      try {
        const std::int64_t begin = chunk * grain;
        fn(chunk, begin, std::min(n, begin + grain));
      } catch (...) {
        std::lock_guard lock(error_mutex);
        if (!error) error = std::current_exception();
        failed = true;
      }
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(static_cast<std::size_t>(workers - 1));
  for (std::int64_t t = 1; t < workers; ++t)
    pool.emplace_back(run);
  run();
  for (auto& thread : pool)
    thread.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace cinerec::ml
