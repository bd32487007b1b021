// RedisUserActivity against the test stack's Redis.
#include <gtest/gtest.h>

#include <map>

#include "collect/redis_user_activity.h"
#include "storage/redis/redis_pool.h"
#include "support/test_env.h"

namespace cinerec::collect {
namespace {

TEST(RedisUserActivityITest, WritesTheUsersKeysAndDropsTheirCachedLists) {
  Config config = testing::IsolatedConfig();
  RedisPool redis(config.redis);
  RedisKeys keys(config.redis.key_prefix);
  RedisUserActivity activity(redis, keys, {std::chrono::hours(24 * 7), std::chrono::seconds(5)});
  redis.Command({"SET", keys.UserRecommendations(1), "list", "EX", "600"});
  redis.Command({"SET", keys.UserRecommendations(2), "list", "EX", "600"});

  activity.Publish(std::vector<ReactionChange>{{1, 10, 1}, {1, 11, -1}, {1, 12, 0}},
                   std::vector<ViewChange>{{1, 20, true}, {2, 21, false}});
  EXPECT_EQ(activity.failures(), 0u);

  auto all = redis.Command({"HGETALL", keys.UserReactions(1)});
  std::map<std::string, std::string> reactions;
  for (std::size_t i = 0; i + 1 < all.elements.size(); i += 2)
    reactions[all.elements[i].str] = all.elements[i + 1].str;
  EXPECT_EQ(reactions, (std::map<std::string, std::string>{{"10", "1"}, {"11", "-1"}, {"12", "0"}}));
  EXPECT_EQ(redis.Command({"SISMEMBER", keys.UserFinished(1), "20"}).integer, 1);
  EXPECT_EQ(redis.Command({"EXISTS", keys.UserFinished(2)}).integer, 0);
  EXPECT_EQ(redis.Command({"TTL", keys.UserReactions(1)}).integer, 7 * 24 * 3600);
  EXPECT_EQ(redis.Command({"TTL", keys.UserFinished(1)}).integer, 7 * 24 * 3600);
  EXPECT_EQ(redis.Command({"EXISTS", keys.UserRecommendations(1), keys.UserRecommendations(2)}).integer, 0);

  redis.Command({"DEL", keys.UserReactions(1), keys.UserFinished(1)});
}

}  // namespace
}  // namespace cinerec::collect
