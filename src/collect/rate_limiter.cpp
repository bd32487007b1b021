#include "collect/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace cinerec::collect {

RateLimiter::RateLimiter(double rate_per_s, double burst, std::size_t max_clients)
    : rate_(rate_per_s), burst_(std::max(burst, 1.0)), max_clients_(max_clients) {}

std::int64_t RateLimiter::Take(const std::string& client, double cost, Clock::time_point now) {
  if (rate_ <= 0) return 0;
  std::lock_guard lock(mutex_);
  auto it = buckets_.find(client);
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_clients_) PruneLocked(now);
    it = buckets_.emplace(client, Bucket{burst_, now}).first;
  }
  auto& bucket = it->second;
  const double elapsed = std::chrono::duration<double>(now - bucket.updated).count();
  bucket.tokens = std::min(burst_, bucket.tokens + std::max(0.0, elapsed) * rate_);
  bucket.updated = now;
  if (cost > burst_) return static_cast<std::int64_t>(std::ceil(cost / rate_));  // never fits: say how slow
  if (bucket.tokens >= cost) {
    bucket.tokens -= cost;
    return 0;
  }
  return std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil((cost - bucket.tokens) / rate_)));
}

void RateLimiter::PruneLocked(Clock::time_point now) {
  std::erase_if(buckets_, [&](const auto& entry) {
    const double elapsed = std::chrono::duration<double>(now - entry.second.updated).count();
    return entry.second.tokens + elapsed * rate_ >= burst_;
  });
  if (buckets_.size() >= max_clients_)
    buckets_.clear();  // all busy: forgetting is safe (it only lets traffic in)
}

}  // namespace cinerec::collect
