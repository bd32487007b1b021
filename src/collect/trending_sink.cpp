#include "collect/trending_sink.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>

#include "catalog/movie_directory.h"
#include "common/errors.h"
#include "storage/redis/redis_client.h"

namespace cinerec::collect {
namespace {

constexpr std::int64_t kHourS = 3600;

// The increments of one bucket within a batch.
struct BucketIncrements {
  std::int64_t hour = 0;
  std::map<std::int64_t, double> by_movie;
};

std::string FormatDelta(double delta) {
  return fmt::format("{}", delta);  // shortest text that reads back as the same double
}

std::int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

double TrendingWeight(const Event& event, const catalog::MovieInfo* movie, double completion_threshold) {
  const auto& w = kTrendingWeights;
  switch (event.type) {
    case EventType::kViewStart:
      return w.view_start;
    case EventType::kViewStop:
      if (movie == nullptr || movie->duration_s == 0) return 0;
      return static_cast<double>(event.watched_s) >= completion_threshold * movie->duration_s
                 ? w.view_completed
                 : 0;
    case EventType::kLike:
      return w.like;
    case EventType::kDislike:
      return w.dislike;
    case EventType::kTrailerPlay:
      return w.trailer_play;
    case EventType::kClick:
      return w.click;
    case EventType::kViewProgress:
    case EventType::kViewPause:
    case EventType::kViewSeek:
    case EventType::kReactionClear:
    case EventType::kSearch:
    case EventType::kPageView:
      return 0;
  }
  return 0;
}

TrendingSink::TrendingSink(RedisClient& redis, RedisKeys keys, const catalog::MovieDirectory& movies,
                           Options options)
    : redis_(redis),
      keys_(std::move(keys)),
      movies_(movies),
      options_(std::move(options)),
      last_warning_ms_(-(std::int64_t{1} << 62)) {
  options_.max_pipeline_commands = std::max<std::size_t>(options_.max_pipeline_commands, 2);
}

std::int64_t TrendingSink::NowMs() const {
  if (options_.now_ms) return options_.now_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void TrendingSink::WarnSkipped(const std::string& reason, std::size_t events) {
  const std::uint64_t skipped = ++batches_skipped_;
  const std::int64_t now = SteadyMs();
  std::int64_t last = last_warning_ms_.load();
  if (now - last < options_.log_interval.count()) return;
  if (!last_warning_ms_.compare_exchange_strong(last, now)) return;
  spdlog::warn(
      "trending sink: batch of {} events not counted ({}); {} batches skipped so far, trending is "
      "stale until Redis is back",
      events, reason, skipped);
}

void TrendingSink::Deliver(std::span<const Event> events) {
  const std::int64_t now_ms = NowMs();
  const std::int64_t ttl_s = options_.bucket_ttl.count();
  const std::int64_t oldest_ms = now_ms - ttl_s * 1000;
  const auto snapshot = movies_.snapshot();

  // Ordered by key: the buckets of one scope (one hash slot) are adjacent.
  std::map<std::string, BucketIncrements> buckets;
  auto add = [&](std::string_view scope, std::int64_t hour, std::int64_t movie, double weight) {
    auto& bucket = buckets[keys_.TrendingBucket(scope, hour)];
    bucket.hour = hour;
    bucket.by_movie[movie] += weight;
  };
  for (const Event& event : events) {
    if (event.movie_id <= 0 || event.event_time_ms < oldest_ms) continue;
    const catalog::MovieInfo* movie = snapshot ? snapshot->Find(event.movie_id) : nullptr;
    if (movie != nullptr && movie->deleted) continue;
    const double weight = TrendingWeight(event, movie, options_.completion_threshold);
    if (weight == 0) continue;
    const std::int64_t hour = RedisKeys::HourIndex(event.event_time_ms);
    add("all", hour, event.movie_id, weight);
    if (movie != nullptr) {
      for (const auto& genre : movie->genres)
        add(RedisKeys::TrendingScope(genre), hour, event.movie_id, weight);
    }
  }
  if (buckets.empty()) return;

  const std::int64_t now_s = now_ms / 1000;
  auto expire = [&](const std::string& key, std::int64_t hour) {
    const std::int64_t seconds = std::max<std::int64_t>(1, (hour + 1) * kHourS + ttl_s - now_s);
    return RedisCommand{"EXPIRE", key, std::to_string(seconds)};
  };
  std::vector<RedisCommand> chunk;
  auto flush = [&] {
    if (chunk.empty()) return;
    for (const auto& reply : redis_.Pipeline(chunk)) {
      if (reply.is_error()) throw StoreError("redis", reply.str);
    }
    chunk.clear();
  };
  try {
    // Each chunk keeps room for the EXPIRE of the bucket it is incrementing.
    for (const auto& [key, bucket] : buckets) {
      bool needs_expire = false;
      for (const auto& [movie, delta] : bucket.by_movie) {
        if (delta == 0) continue;
        if (chunk.size() + 2 > options_.max_pipeline_commands) {
          if (needs_expire) chunk.push_back(expire(key, bucket.hour));
          needs_expire = false;
          flush();
        }
        chunk.push_back({"ZINCRBY", key, FormatDelta(delta), std::to_string(movie)});
        needs_expire = true;
      }
      if (needs_expire) chunk.push_back(expire(key, bucket.hour));
    }
    flush();
  } catch (const StoreError& e) {
    WarnSkipped(e.what(), events.size());
  }
}

}  // namespace cinerec::collect
