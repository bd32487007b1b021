#pragma once
// TrendingReader: what is popular now, overall or in one genre, from the hourly buckets TrendingSink writes.
//
// Score of a movie over a window of W hours ending now (hour h0 = the current, partial hour; f = the share
// of it that has passed):
//   sum over the buckets of ages a = 0..W of  weight(a) x bucket score,
//   weight(a) = 0.5^(a / half_life) with half_life = max(1, W / 2) hours; weight(0) = 1,
//   and the oldest bucket (a = W) is further multiplied by (1 - f),
// so the window slides smoothly (always about W hours of data, no jump at the top of the hour) and recent
// hours count more. Movies with a total score <= 0 are not trending and are left out.
//
// Redis: ZREVRANGE ... WITHSCORES of the top `limit + slack` of RedisKeys::TrendingWindow(scope, W), with
// its PTTL, in one round trip; when that key is missing (or has lost its TTL) a second round trip rebuilds
// it: ZUNIONSTORE ... WEIGHTS over the scope's buckets, PEXPIRE `window_ttl` (2 s), ZREVRANGE. Several API
// nodes thus share one union per scope and window every 2 s; new events show within window_ttl + cache_ttl.
// The ids are mapped through the MovieDirectory: unknown and deleted movies are dropped (more is read if
// that leaves fewer than `limit`), title and genres come from it.
//
// An in-process cache (cache_ttl, 1 s) per (genre, window, limit) sits in front. When Redis is down or the
// directory is not loaded yet, Top throws StoreError, unless that query has a cached answer: it is then
// served stale (however old; logged at most every few seconds).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

#include "storage/redis/redis_keys.h"

namespace cinerec {
class RedisClient;
namespace catalog {
class MovieDirectory;
}
}  // namespace cinerec

namespace cinerec::collect {

inline constexpr int kMaxTrendingWindowHours = 168;
inline constexpr int kMaxTrendingLimit = 100;

struct TrendingQuery {
  std::string genre;      // empty = all movies; otherwise a genre name exactly as the catalogue spells it
  int window_hours = 24;  // 1..kMaxTrendingWindowHours
  int limit = 20;         // 1..kMaxTrendingLimit
};

struct TrendingItem {
  std::int64_t movie_id = 0;
  std::string title;
  std::vector<std::string> genres;
  double score = 0;

  bool operator==(const TrendingItem&) const = default;
};

class TrendingReader {
 public:
  struct Options {
    std::chrono::milliseconds window_ttl{2000};  // TTL of the union in Redis
    std::chrono::milliseconds cache_ttl{1000};   // in-process cache
    std::size_t max_cached_queries = 4096;       // beyond this the oldest cached answer is dropped
    std::chrono::milliseconds log_interval{5000};
    std::function<std::int64_t()> now_ms;  // Unix milliseconds; empty = the system clock
  };
  // REQUIRES: redis and movies outlive this.
  TrendingReader(RedisClient& redis, RedisKeys keys, const catalog::MovieDirectory& movies, Options options);

  // Best first. Throws Unprocessable (422) for a window or limit out of range, StoreError as above.
  // Thread-safe.
  std::vector<TrendingItem> Top(const TrendingQuery& query);

  // The decay weight of each bucket, index = age in hours (0..window_hours); `hour_fraction` = f above.
  static std::vector<double> BucketWeights(int window_hours, double hour_fraction);

 private:
  using CacheKey = std::tuple<std::string, int, int>;
  struct CacheEntry {
    std::int64_t computed_ms = 0;
    std::vector<TrendingItem> items;
  };

  std::vector<TrendingItem> Compute(const TrendingQuery& query, std::int64_t now_ms);
  std::int64_t NowMs() const;

  RedisClient& redis_;
  RedisKeys keys_;
  const catalog::MovieDirectory& movies_;
  Options options_;
  std::mutex mutex_;
  std::map<CacheKey, CacheEntry> cache_;  // GUARDED_BY(mutex_)
  std::atomic<std::int64_t> last_warning_ms_;
};

}  // namespace cinerec::collect
