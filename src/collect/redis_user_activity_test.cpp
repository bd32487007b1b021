#include "collect/redis_user_activity.h"

#include <gtest/gtest.h>

#include <map>

#include "storage/redis/in_memory_redis.h"

namespace cinerec::collect {
namespace {

// Forwards to InMemoryRedis and counts round trips.
class CountingRedis final : public RedisClient {
 public:
  explicit CountingRedis(InMemoryRedis& inner) : inner_(inner) {}
  RedisReply Command(const RedisCommand& args) override {
    ++round_trips;
    return inner_.Command(args);
  }
  std::vector<RedisReply> Pipeline(const std::vector<RedisCommand>& commands) override {
    ++round_trips;
    return inner_.Pipeline(commands);
  }
  void Ping() override { inner_.Ping(); }
  int round_trips = 0;

 private:
  InMemoryRedis& inner_;
};

class RedisUserActivityTest : public ::testing::Test {
 protected:
  std::map<std::string, std::string> Hash(const std::string& key) {
    auto reply = redis.Command({"HGETALL", key});
    std::map<std::string, std::string> out;
    for (std::size_t i = 0; i + 1 < reply.elements.size(); i += 2)
      out[reply.elements[i].str] = reply.elements[i + 1].str;
    return out;
  }
  std::vector<std::string> Members(const std::string& key) {
    std::vector<std::string> out;
    for (const auto& element : redis.Command({"SMEMBERS", key}).elements)
      out.push_back(element.str);
    return out;
  }

  ManualClock clock;
  InMemoryRedis redis{clock.AsFunction()};
  CountingRedis counting{redis};
  RedisKeys keys{"t:"};
};

TEST_F(RedisUserActivityTest, WritesReactionsFinishedMoviesAndInvalidatesInOnePipeline) {
  RedisUserActivity activity(counting, keys, {std::chrono::hours(24), std::chrono::milliseconds(5000)});
  for (std::int64_t user : {1, 2, 3, 4})
    redis.Command({"SET", keys.UserRecommendations(user), "cached list", "EX", "600"});

  std::vector<ReactionChange> reactions = {{1, 10, 1}, {1, 11, -1}, {1, 12, 0}, {2, 10, 1}};
  std::vector<ViewChange> views = {{1, 20, true}, {3, 21, true}, {3, 22, false}, {4, 23, false}};
  activity.Publish(reactions, views);
  EXPECT_EQ(counting.round_trips, 1);

  EXPECT_EQ(Hash(keys.UserReactions(1)),
            (std::map<std::string, std::string>{{"10", "1"}, {"11", "-1"}, {"12", "0"}}));
  EXPECT_EQ(Hash(keys.UserReactions(2)), (std::map<std::string, std::string>{{"10", "1"}}));
  EXPECT_EQ(Members(keys.UserFinished(1)), (std::vector<std::string>{"20"}));
  EXPECT_EQ(Members(keys.UserFinished(3)), (std::vector<std::string>{"21"}));  // 22 is not finished
  EXPECT_EQ(
      redis.Command({"EXISTS", keys.UserReactions(3), keys.UserFinished(2), keys.UserFinished(4)}).integer,
      0);
  for (const auto& key :
       {keys.UserReactions(1), keys.UserReactions(2), keys.UserFinished(1), keys.UserFinished(3)})
    EXPECT_EQ(redis.Command({"TTL", key}).integer, 24 * 3600) << key;
  // Every user in either list lost their cached list, including user 4 who only stopped a view.
  for (std::int64_t user : {1, 2, 3, 4})
    EXPECT_EQ(redis.Command({"EXISTS", keys.UserRecommendations(user)}).integer, 0) << user;
  EXPECT_EQ(activity.failures(), 0u);
}

TEST_F(RedisUserActivityTest, LaterChangesWinAndWritesRenewTheTtl) {
  RedisUserActivity activity(redis, keys, {std::chrono::hours(1), std::chrono::milliseconds(5000)});
  activity.Publish(std::vector<ReactionChange>{{1, 10, 1}, {1, 10, -1}}, {});
  EXPECT_EQ(Hash(keys.UserReactions(1)), (std::map<std::string, std::string>{{"10", "-1"}}));
  clock.Advance(std::chrono::minutes(50));
  EXPECT_EQ(redis.Command({"TTL", keys.UserReactions(1)}).integer, 600);
  activity.Publish(std::vector<ReactionChange>{{1, 10, 0}}, {});  // cleared: a tombstone
  EXPECT_EQ(Hash(keys.UserReactions(1)), (std::map<std::string, std::string>{{"10", "0"}}));
  EXPECT_EQ(redis.Command({"TTL", keys.UserReactions(1)}).integer, 3600);
  clock.Advance(std::chrono::minutes(61));
  EXPECT_EQ(redis.KeyCount(), 0u);
}

TEST_F(RedisUserActivityTest, NothingToPublishMeansNoRoundTrip) {
  RedisUserActivity activity(counting, keys);
  activity.Publish({}, {});
  EXPECT_EQ(counting.round_trips, 0);
}

TEST_F(RedisUserActivityTest, NeverThrowsAndCountsFailures) {
  RedisUserActivity activity(redis, keys);
  redis.SetAvailable(false);
  EXPECT_NO_THROW(
      activity.Publish(std::vector<ReactionChange>{{1, 10, 1}}, std::vector<ViewChange>{{1, 2, true}}));
  EXPECT_EQ(activity.failures(), 1u);
  redis.SetAvailable(true);
  redis.Command({"SET", keys.UserFinished(1), "wrong type"});
  EXPECT_NO_THROW(activity.Publish({}, std::vector<ViewChange>{{1, 2, true}}));
  EXPECT_EQ(activity.failures(), 2u);
}

TEST_F(RedisUserActivityTest, MovesTheRecommendationEpochOnceAfterAFailure) {
  RedisUserActivity activity(redis, keys);
  activity.Publish(std::vector<ReactionChange>{{1, 10, 1}}, {});
  EXPECT_TRUE(redis.Command({"GET", keys.RecommendationEpoch()}).is_nil()) << "no failure, no move";
  redis.SetAvailable(false);
  activity.Publish(std::vector<ReactionChange>{{1, 11, 1}}, {});
  redis.SetAvailable(true);
  activity.Publish(std::vector<ReactionChange>{{1, 12, 1}}, {});
  EXPECT_EQ(redis.Command({"GET", keys.RecommendationEpoch()}).str, "1");
  activity.Publish(std::vector<ReactionChange>{{1, 13, 1}}, {});
  EXPECT_EQ(redis.Command({"GET", keys.RecommendationEpoch()}).str, "1") << "moved once per outage";
}

}  // namespace
}  // namespace cinerec::collect
