// CandidateCache's in-process layer on the test stack's Redis: a reaction written by another client (the
// collection service, as RedisUserActivity writes it) reaches the next read, although the list is served
// from memory.
#include <gtest/gtest.h>

#include <thread>

#include "common/config.h"
#include "recommend/candidate_cache.h"
#include "storage/redis/invalidation_listener.h"
#include "storage/redis/redis_pool.h"
#include "support/eventually.h"
#include "support/test_env.h"

namespace cinerec::recommend {
namespace {

using std::chrono::milliseconds;

TEST(NearCandidateCacheOnRedisTest, AReactionFromAnotherClientReachesTheNextRead) {
  const auto config = cinerec::testing::StackConfig().redis;
  RedisKeys keys("cinerec:" + cinerec::testing::UniqueName() + ":");
  RedisPool redis(config);
  RedisInvalidationListener listener(config);
  CandidateCache::Options options;
  options.feed = &listener;
  options.near_bytes = 16 << 20;
  CandidateCache cache(redis, keys, options);
  ASSERT_TRUE(cinerec::testing::Eventually([&] { return listener.live(); }));

  CandidateList list;
  list.model_version = "20260101T000000Z-000001";
  list.variant = "default";
  list.epoch = cache.Epoch();
  for (int i = 1; i <= 300; ++i)
    list.Add(i, 1.0f / static_cast<float>(i), Source::kPersonal, Reason::kForYou);
  const std::int64_t user = 5;
  cache.Write(user, list);
  ASSERT_EQ(*cache.Read(user)->list, list);
  for (int i = 0; i < 10; ++i)
    ASSERT_EQ(*cache.Read(user)->list, list);
  EXPECT_GE(cache.near_stats().hits, 9u);

  RedisPool collector(config);  // another process
  collector.Pipeline({{"HSET", keys.UserReactions(user), "3", "1"}, {"DEL", keys.UserRecommendations(user)}});
  // The promise: the next request reflects it within a second.
  bool seen = false;
  const auto start = std::chrono::steady_clock::now();
  while (!seen && std::chrono::steady_clock::now() - start < milliseconds(1000)) {
    const auto state = cache.Read(user);
    seen = state->list == nullptr && state->ReactionTo(3) == 1;
    if (!seen) std::this_thread::sleep_for(milliseconds(2));
  }
  EXPECT_TRUE(seen) << "the reaction and the deleted list were not seen within a second";
  redis.Command({"DEL", keys.UserReactions(user)});
}

}  // namespace
}  // namespace cinerec::recommend
