#pragma once
// A minimal parallel-for for the training loops. [0, n) is cut into fixed chunks of `grain` indices that
// threads take in turn; chunk boundaries depend only on n and grain, never on the thread count, so a
// caller that keeps one result per chunk (and reduces them in chunk order) gets bit-identical results
// with 1 or 16 threads.
#include <cstdint>
#include <functional>

namespace cinerec::ml {

// The threads to use for `requested` (0 = every core, at least 1).
int ResolveThreads(int requested);

// Calls fn(chunk, begin, end) once per chunk, chunk = begin / grain, from up to `threads` threads (the
// caller's thread is one of them). Returns when every chunk is done; the first exception thrown by fn is
// rethrown here (remaining chunks are skipped).
void ParallelFor(std::int64_t n, std::int64_t grain, int threads,
                 const std::function<void(std::int64_t chunk, std::int64_t begin, std::int64_t end)>& fn);

inline std::int64_t ChunkCount(std::int64_t n, std::int64_t grain) {
  return n <= 0 ? 0 : (n + grain - 1) / grain;
}

}  // namespace cinerec::ml
