#include "common/allocator_policy.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace cinerec {

void ConfigureAllocatorForServer() {
#if defined(__GLIBC__)
  mallopt(M_MMAP_THRESHOLD, 1 << 20);  // also turns off the dynamic threshold
  mallopt(M_TRIM_THRESHOLD, 4 << 20);
  mallopt(M_ARENA_MAX, 4);
#endif
}

MemoryTrimmer::MemoryTrimmer(std::chrono::seconds period)
    : thread_([this, period] {
        std::unique_lock lock(mutex_);
        while (!wake_.wait_for(lock, period, [this] { return stop_; })) {
#if defined(__GLIBC__)
          malloc_trim(0);
#endif
        }
      }) {
}

MemoryTrimmer::~MemoryTrimmer() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

}  // namespace cinerec
