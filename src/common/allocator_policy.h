#pragma once
// Process-wide allocator settings for the long-running server (glibc malloc). Release builds link jemalloc
// (src/CMakeLists.txt), which returns unused memory by itself (decay); these settings then concern only the
// few allocations glibc still makes itself, and the sanitizer builds.
//
// Why: the collection pipeline allocates buffers of tens of megabytes (ClickHouse batches of 50,000 rows,
// spool reads) from several threads. With glibc's defaults a freed large buffer raises the mmap threshold
// to its size, so the next ones come from the heap and are never given back, and each thread's arena keeps
// its own high-water mark: after a store outage (when batches queue up) RSS stayed ~50 % above its level
// before, though nothing leaked (docs/benchmarks.md, soak). Fixed thresholds and fewer arenas keep RSS
// close to what is in use; a periodic malloc_trim returns what the heap still holds after a burst.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace cinerec {

// Buffers of at least 1 MiB are mapped and unmapped on their own; at most 4 arenas. Call once, early,
// before other threads start. No-op without glibc.
void ConfigureAllocatorForServer();

// Calls malloc_trim every `period` on a thread of its own, until destroyed.
class MemoryTrimmer {
 public:
  explicit MemoryTrimmer(std::chrono::seconds period);
  ~MemoryTrimmer();
  MemoryTrimmer(const MemoryTrimmer&) = delete;
  MemoryTrimmer& operator=(const MemoryTrimmer&) = delete;

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;  // GUARDED_BY(mutex_)
  std::thread thread_;
};

}  // namespace cinerec
