#include "collect/trending.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include "catalog/movie_directory.h"
#include "common/errors.h"
#include "storage/redis/redis_client.h"

namespace cinerec::collect {
namespace {

constexpr std::int64_t kHourMs = 3600 * 1000;
constexpr int kMaxPages = 3;  // reads of the window when deleted / unknown movies fill the first ones

void Check(const RedisReply& reply) {
  if (reply.is_error()) throw StoreError("redis", reply.str);
}

struct Scored {
  std::int64_t movie_id = 0;
  double score = 0;
};

// A ZREVRANGE ... WITHSCORES reply; members that are not movie ids are skipped.
std::vector<Scored> ParseScored(const RedisReply& reply) {
  Check(reply);
  std::vector<Scored> out;
  for (std::size_t i = 0; i + 1 < reply.elements.size(); i += 2) {
    const std::string& member = reply.elements[i].str;
    Scored item;
    auto [end, ec] = std::from_chars(member.data(), member.data() + member.size(), item.movie_id);
    if (ec != std::errc() || end != member.data() + member.size()) continue;
    item.score = std::strtod(reply.elements[i + 1].str.c_str(), nullptr);
    out.push_back(item);
  }
  return out;
}

}  // namespace

TrendingReader::TrendingReader(RedisClient& redis, RedisKeys keys, const catalog::MovieDirectory& movies,
                               Options options)
    : redis_(redis),
      keys_(std::move(keys)),
      movies_(movies),
      options_(std::move(options)),
      last_warning_ms_(-(std::int64_t{1} << 62)) {}

std::int64_t TrendingReader::NowMs() const {
  if (options_.now_ms) return options_.now_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::vector<double> TrendingReader::BucketWeights(int window_hours, double hour_fraction) {
  const double half_life = std::max(1.0, window_hours / 2.0);
  std::vector<double> weights(static_cast<std::size_t>(window_hours) + 1);
  for (int age = 0; age <= window_hours; ++age)
    weights[static_cast<std::size_t>(age)] = std::pow(0.5, age / half_life);
  weights.back() *= 1.0 - std::clamp(hour_fraction, 0.0, 1.0);
  return weights;
}

std::vector<TrendingItem> TrendingReader::Top(const TrendingQuery& query) {
  if (query.window_hours < 1 || query.window_hours > kMaxTrendingWindowHours)
    throw Unprocessable("window_hours", fmt::format("must be between 1 and {}", kMaxTrendingWindowHours));
  if (query.limit < 1 || query.limit > kMaxTrendingLimit)
    throw Unprocessable("limit", fmt::format("must be between 1 and {}", kMaxTrendingLimit));

  const std::int64_t now_ms = NowMs();
  CacheKey key{query.genre, query.window_hours, query.limit};
  {
    std::lock_guard lock(mutex_);
    auto it = cache_.find(key);
    if (it != cache_.end() && now_ms - it->second.computed_ms < options_.cache_ttl.count())
      return it->second.items;
  }
  try {
    auto items = Compute(query, now_ms);
    std::lock_guard lock(mutex_);
    if (cache_.size() >= options_.max_cached_queries && !cache_.contains(key)) {
      auto oldest = std::min_element(cache_.begin(), cache_.end(), [](const auto& a, const auto& b) {
        return a.second.computed_ms < b.second.computed_ms;
      });
      cache_.erase(oldest);
    }
    cache_[key] = CacheEntry{now_ms, items};
    return items;
  } catch (const StoreError& e) {
    std::lock_guard lock(mutex_);
    auto it = cache_.find(key);
    if (it == cache_.end()) throw;
    std::int64_t last = last_warning_ms_.load();
    if (now_ms - last >= options_.log_interval.count()
        && last_warning_ms_.compare_exchange_strong(last, now_ms))
      spdlog::warn("trending: serving cached answers ({}); this one is {} s old", e.what(),
                   (now_ms - it->second.computed_ms) / 1000);
    return it->second.items;
  }
}

std::vector<TrendingItem> TrendingReader::Compute(const TrendingQuery& query, std::int64_t now_ms) {
  const auto snapshot = movies_.snapshot();
  if (snapshot == nullptr) throw StoreError("postgres", "the movie directory is not loaded yet");

  const std::string scope = RedisKeys::TrendingScope(query.genre);
  const std::string window = keys_.TrendingWindow(scope, query.window_hours);
  const auto limit = static_cast<std::size_t>(query.limit);
  const std::size_t page = limit + 10 + limit / 4;  // slack for deleted and unknown movies
  auto range = [&](std::size_t start) {
    return RedisCommand{"ZREVRANGE", window, std::to_string(start), std::to_string(start + page - 1),
                        "WITHSCORES"};
  };

  auto replies = redis_.Pipeline({range(0), {"PTTL", window}});
  Check(replies.at(1));
  std::vector<Scored> scored;
  if (replies.at(1).integer < 0) {  // missing (-2), or left without a TTL (-1): rebuild it
    const std::int64_t hour = RedisKeys::HourIndex(now_ms);
    const double fraction = static_cast<double>(now_ms - hour * kHourMs) / kHourMs;
    const auto weights = BucketWeights(query.window_hours, fraction);
    RedisCommand unionstore{"ZUNIONSTORE", window, std::to_string(weights.size())};
    for (std::size_t age = 0; age < weights.size(); ++age)
      unionstore.push_back(keys_.TrendingBucket(scope, hour - static_cast<std::int64_t>(age)));
    unionstore.push_back("WEIGHTS");
    for (double weight : weights)
      unionstore.push_back(fmt::format("{}", weight));
    auto rebuilt = redis_.Pipeline(
        {unionstore,
         {"PEXPIRE", window, std::to_string(std::max<std::int64_t>(1, options_.window_ttl.count()))},
         range(0)});
    Check(rebuilt.at(0));
    Check(rebuilt.at(1));
    scored = ParseScored(rebuilt.at(2));
  } else {
    scored = ParseScored(replies.at(0));
  }

  std::vector<TrendingItem> items;
  for (int round = 1;; ++round) {
    bool positive = true;
    for (const auto& [movie_id, score] : scored) {
      if (score <= 0) {
        positive = false;
        break;
      }
      const catalog::MovieInfo* movie = snapshot->Find(movie_id);
      if (movie == nullptr || movie->deleted) continue;
      items.push_back({movie_id, movie->title, movie->genres, score});
      if (items.size() == limit) return items;
    }
    if (!positive || scored.size() < page || round == kMaxPages) return items;
    scored = ParseScored(redis_.Command(range(static_cast<std::size_t>(round) * page)));
  }
}

}  // namespace cinerec::collect
