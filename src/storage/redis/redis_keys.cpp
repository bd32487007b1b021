#include "storage/redis/redis_keys.h"

#include <fmt/format.h>

#include <iterator>

#include "common/errors.h"

namespace cinerec {
namespace {

constexpr std::int64_t kHourMs = 3600 * 1000;

void AppendEncoded(std::string& out, std::string_view text) {
  for (char c : text) {
    if (c == '{' || c == '}' || c == '%') {
      fmt::format_to(std::back_inserter(out), "%{:02X}", static_cast<unsigned char>(c));
    } else {
      out += c;
    }
  }
}

}  // namespace

RedisKeys::RedisKeys(std::string prefix) : prefix_(std::move(prefix)) {
  if (prefix_.find_first_of("{}") != std::string::npos)
    throw ConfigError("redis.key_prefix: must not contain '{' or '}' (they would move the hash tag)");
}

std::string RedisKeys::UserKey(std::int64_t user_id, std::string_view what) const {
  return fmt::format("{}{{u:{}}}:{}", prefix_, user_id, what);
}

std::string RedisKeys::UserReactions(std::int64_t user_id) const {
  return UserKey(user_id, "reactions");
}
std::string RedisKeys::UserFinished(std::int64_t user_id) const {
  return UserKey(user_id, "finished");
}
std::string RedisKeys::UserRecommendations(std::int64_t user_id) const {
  return UserKey(user_id, "recs");
}

std::string RedisKeys::RecommendationEpoch() const {
  return prefix_ + "{recs}:epoch";
}

std::string RedisKeys::TrendingScope(std::string_view genre) {
  return genre.empty() ? std::string("all") : "g:" + std::string(genre);
}

std::string RedisKeys::TrendingKey(std::string_view scope) const {
  std::string key = prefix_ + "{trending:";
  AppendEncoded(key, scope);
  key += "}:";
  return key;
}

std::string RedisKeys::TrendingBucket(std::string_view scope, std::int64_t hour_index) const {
  return TrendingKey(scope) + fmt::format("h:{}", hour_index);
}

std::string RedisKeys::TrendingWindow(std::string_view scope, int hours) const {
  return TrendingKey(scope) + fmt::format("w:{}", hours);
}

std::int64_t RedisKeys::HourIndex(std::int64_t unix_ms) {
  std::int64_t hour = unix_ms / kHourMs;
  if (unix_ms % kHourMs < 0) --hour;
  return hour;
}

}  // namespace cinerec
