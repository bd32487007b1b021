#pragma once
// RedisUserActivity: the Redis side of UserActivityPublisher (user_activity.h). Per Publish, one pipeline:
//   HSET  UserReactions(user) <movie> <value>   for every ReactionChange ("1", "-1", and "0" = cleared, kept
//                                               so that it overrides an older PostgreSQL read)
//   SADD  UserFinished(user) <movie>            for every completed ViewChange
//   EXPIRE both keys (Options::ttl), renewed on every write: a user's keys live `ttl` after their last change
//   DEL   UserRecommendations(user)             for every user in either list (the cached list is stale)
// and, on the first successful Publish after a failed one, INCR RecommendationEpoch (lists cached before the
// failure may have missed their DEL).
// Keys: redis_keys.h. Commands are grouped by user (one hash slot per group). Within one Publish a later
// change of the same (user, movie) wins, as in the lists' order.
//
// Never throws: on a Redis outage or an error reply the Publish is counted in failures() and a warning is
// logged at most every `log_interval`. The changes are then missing from Redis (PostgreSQL stays the truth;
// serving distrusts lists cached before an outage, issue 6).
#include <atomic>
#include <chrono>
#include <cstdint>

#include "collect/user_activity.h"
#include "storage/redis/redis_keys.h"

namespace cinerec {
class RedisClient;
}

namespace cinerec::collect {

class RedisUserActivity final : public UserActivityPublisher {
 public:
  struct Options {
    std::chrono::seconds ttl{7 * 24 * 3600};
    std::chrono::milliseconds log_interval{5000};
  };
  // REQUIRES: redis outlives this.
  RedisUserActivity(RedisClient& redis, RedisKeys keys, Options options);
  RedisUserActivity(RedisClient& redis, RedisKeys keys)
      : RedisUserActivity(redis, std::move(keys), Options{}) {}

  void Publish(std::span<const ReactionChange> reactions, std::span<const ViewChange> views) override;

  // Publish calls whose changes were not (or not all) written.
  std::uint64_t failures() const { return failures_.load(); }

 private:
  void WarnFailed(const std::string& reason);

  RedisClient& redis_;
  RedisKeys keys_;
  Options options_;
  std::atomic<std::uint64_t> failures_{0};
  std::atomic<bool> epoch_dirty_{false};  // a Publish failed since the epoch last moved
  std::atomic<std::int64_t> last_warning_ms_;  // steady clock, ms since its epoch
};

}  // namespace cinerec::collect
