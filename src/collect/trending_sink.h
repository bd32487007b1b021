#pragma once
// TrendingSink: the spool consumer "redis". It turns events into popularity counters: one sorted set per hour
// (the hour of the EVENT time, UTC) and scope ("all", and "g:<genre>" for each genre of the movie from the
// MovieDirectory snapshot; only "all" while the directory is not loaded), member = movie id, score += the
// signal's weight (kTrendingWeights). Keys: RedisKeys::TrendingBucket (redis_keys.h); each bucket expires
// `bucket_ttl` after the end of its hour. TrendingReader (trending.h) combines the buckets with decay.
//
// A batch is aggregated in C++ first (one ZINCRBY per bucket and movie), then written as pipelines of about
// `max_pipeline_commands` commands, each chunk ending with one EXPIRE per bucket it touched (so a bucket
// never exists without a TTL), commands grouped by scope (one hash slot) within a chunk.
//
// Approximate by design, unlike the other sinks:
//  - Redis down (StoreError) or an error reply: the batch is counted in batches_skipped(), a warning is
//    logged at most every `log_interval`, and Deliver returns normally, so the spool is never held up by
//    trending. The increments of that batch (or the rest of it) are lost; trending is stale while Redis is
//    down and undercounts that period afterwards.
//  - Not idempotent: after a crash the spool re-delivers the last uncommitted batch, which is then counted
//    twice.
//  - Events older than bucket_ttl, of movie id 0, of movies the directory knows as deleted, and with weight 0
//    are skipped.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>

#include "collect/sink.h"
#include "storage/redis/redis_keys.h"

namespace cinerec {
class RedisClient;
namespace catalog {
class MovieDirectory;
struct MovieInfo;
}  // namespace catalog
}  // namespace cinerec

namespace cinerec::collect {

// The weight of each signal in the popularity score. Watching and liking count most; a dislike counts
// against; browsing counts a little. Progress, pause, seek, search, page views and clearing a reaction say
// nothing about a movie's popularity (weight 0: skipped).
struct TrendingWeights {
  double view_start = 1;
  double view_completed = 2;  // a view_stop with watched_s >= completion_threshold x the movie's length
  double like = 2;
  double dislike = -1;
  double trailer_play = 0.5;
  double click = 0.25;
};
inline constexpr TrendingWeights kTrendingWeights{};

// The weight of one event. `movie` may be nullptr (unknown movie or directory not loaded): a view_stop then
// cannot be judged complete and weighs 0, as does a view_stop of a movie of unknown length (duration_s 0).
double TrendingWeight(const Event& event, const catalog::MovieInfo* movie, double completion_threshold);

class TrendingSink final : public EventSink {
 public:
  struct Options {
    std::chrono::seconds bucket_ttl{8 * 24 * 3600};  // CollectConfig::trending_bucket_ttl_s
    double completion_threshold = 0.9;               // CollectConfig::completion_threshold
    std::size_t max_pipeline_commands = 1000;
    std::chrono::milliseconds log_interval{5000};
    std::function<std::int64_t()> now_ms;  // Unix milliseconds; empty = the system clock
  };
  // REQUIRES: redis and movies outlive this.
  TrendingSink(RedisClient& redis, RedisKeys keys, const catalog::MovieDirectory& movies, Options options);

  std::string_view name() const override { return "redis"; }
  // Never throws StoreError (see above).
  void Deliver(std::span<const Event> events) override;

  std::uint64_t batches_skipped() const { return batches_skipped_.load(); }

 private:
  std::int64_t NowMs() const;
  void WarnSkipped(const std::string& reason, std::size_t events);

  RedisClient& redis_;
  RedisKeys keys_;
  const catalog::MovieDirectory& movies_;
  Options options_;
  std::atomic<std::uint64_t> batches_skipped_{0};
  std::atomic<std::int64_t> last_warning_ms_{0};  // steady clock, ms since its epoch
};

}  // namespace cinerec::collect
