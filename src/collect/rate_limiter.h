#pragma once
// Per-client event rate limits for POST /v1/events: a token bucket per client key (viewer id, admin key),
// refilled at `rate` events per second up to `burst`. A batch costs one token per event; a batch that does
// not fit is refused whole (429 + Retry-After), never split.
//
// Memory is bounded: buckets that have refilled completely carry no information and are dropped when the
// table grows past `max_clients`.
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace cinerec::collect {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  RateLimiter(double rate_per_s, double burst, std::size_t max_clients = 100000);

  // Takes `cost` tokens from `client`'s bucket. Returns 0 when allowed, otherwise the seconds to wait
  // before the batch would fit (at least 1). A rate of 0 means unlimited.
  std::int64_t Take(const std::string& client, double cost, Clock::time_point now = Clock::now());

 private:
  struct Bucket {
    double tokens;
    Clock::time_point updated;
  };
  void PruneLocked(Clock::time_point now);  // REQUIRES: mutex_ held

  const double rate_, burst_;
  const std::size_t max_clients_;
  std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;  // GUARDED_BY(mutex_)
};

}  // namespace cinerec::collect
