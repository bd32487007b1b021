#include "collect/redis_user_activity.h"

#include <spdlog/spdlog.h>

#include <map>
#include <set>
#include <string>

#include "common/errors.h"
#include "storage/redis/redis_client.h"

namespace cinerec::collect {
namespace {

struct UserChanges {
  std::map<std::int64_t, int> reactions;  // movie -> value; the last change of a movie wins
  std::set<std::int64_t> finished;
};

std::int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

RedisUserActivity::RedisUserActivity(RedisClient& redis, RedisKeys keys, Options options)
    : redis_(redis), keys_(std::move(keys)), options_(options), last_warning_ms_(-(std::int64_t{1} << 62)) {}

void RedisUserActivity::WarnFailed(const std::string& reason) {
  const std::uint64_t failed = ++failures_;
  const std::int64_t now = SteadyMs();
  std::int64_t last = last_warning_ms_.load();
  if (now - last < options_.log_interval.count()) return;
  if (!last_warning_ms_.compare_exchange_strong(last, now)) return;
  spdlog::warn("user activity: changes not written to Redis ({}); {} publishes failed so far", reason,
               failed);
}

void RedisUserActivity::Publish(std::span<const ReactionChange> reactions,
                                std::span<const ViewChange> views) {
  std::map<std::int64_t, UserChanges> users;
  for (const auto& change : reactions)
    users[change.user_id].reactions[change.movie_id] = change.value;
  for (const auto& change : views) {
    auto& user = users[change.user_id];
    if (change.completed) user.finished.insert(change.movie_id);
  }
  if (users.empty()) return;

  const std::string ttl = std::to_string(std::max<std::int64_t>(1, options_.ttl.count()));
  std::vector<RedisCommand> commands;
  for (const auto& [user_id, changes] : users) {
    if (!changes.reactions.empty()) {
      const auto key = keys_.UserReactions(user_id);
      RedisCommand hset{"HSET", key};
      for (const auto& [movie, value] : changes.reactions) {
        hset.push_back(std::to_string(movie));
        hset.push_back(std::to_string(value));
      }
      commands.push_back(std::move(hset));
      commands.push_back({"EXPIRE", key, ttl});
    }
    if (!changes.finished.empty()) {
      const auto key = keys_.UserFinished(user_id);
      RedisCommand sadd{"SADD", key};
      for (auto movie : changes.finished)
        sadd.push_back(std::to_string(movie));
      commands.push_back(std::move(sadd));
      commands.push_back({"EXPIRE", key, ttl});
    }
    commands.push_back({"DEL", keys_.UserRecommendations(user_id)});
  }
  try {
    for (const auto& reply : redis_.Pipeline(commands)) {
      if (reply.is_error()) throw StoreError("redis", reply.str);
    }
    // Changes were lost while Redis failed: move the recommendation cache epoch, so that lists cached
    // before are no longer trusted (recommend/candidate_cache.h).
    if (epoch_dirty_.load()) {
      const auto reply = redis_.Command({"INCR", keys_.RecommendationEpoch()});
      if (reply.is_error()) throw StoreError("redis", reply.str);
      epoch_dirty_.store(false);
    }
  } catch (const std::exception& e) {  // never throws, whatever went wrong
    epoch_dirty_.store(true);
    WarnFailed(e.what());
  }
}

}  // namespace cinerec::collect
