#include "recommend/candidate_cache.h"

#include <gtest/gtest.h>

#include "common/errors.h"
#include "storage/redis/in_memory_redis.h"

namespace cinerec::recommend {
namespace {

class CandidateCacheTest : public ::testing::Test {
 protected:
  CandidateList List(std::int64_t epoch) {
    CandidateList list;
    list.model_version = "20260101T000000Z-000001";
    list.variant = "default";
    list.epoch = epoch;
    list.items = {{5, 1.0f, Source::kPersonal, Reason::kForYou, ""}};
    return list;
  }

  ManualClock clock;
  InMemoryRedis redis{clock.AsFunction()};
  RedisKeys keys{"t:"};
  CandidateCache cache{redis, keys, {std::chrono::milliseconds(60000), std::chrono::milliseconds(0)}};
};

TEST_F(CandidateCacheTest, ReadsTheListWithRecentReactionsAndFinishedMovies) {
  EXPECT_FALSE(cache.Read(1).list.has_value());
  cache.Write(1, List(0));
  redis.Command({"HSET", keys.UserReactions(1), "7", "1", "8", "-1", "9", "0"});
  redis.Command({"SADD", keys.UserFinished(1), "10", "11"});
  const auto state = cache.Read(1);
  ASSERT_TRUE(state.list.has_value());
  EXPECT_EQ(*state.list, List(0));
  EXPECT_EQ(state.reactions, (std::unordered_map<std::int64_t, int>{{7, 1}, {8, -1}, {9, 0}}));
  EXPECT_EQ(state.finished, (std::unordered_set<std::int64_t>{10, 11}));
}

TEST_F(CandidateCacheTest, ListsExpireAfterTheTtl) {
  cache.Write(1, List(0));
  clock.Advance(std::chrono::milliseconds(60001));
  EXPECT_FALSE(cache.Read(1).list.has_value());
}

TEST_F(CandidateCacheTest, ListsFromBeforeAnOutageAreNotTrusted) {
  cache.Write(1, List(cache.Epoch()));
  redis.SetAvailable(false);
  EXPECT_THROW(cache.Read(1), StoreError);
  redis.SetAvailable(true);
  const auto state = cache.Read(1);
  EXPECT_FALSE(state.list.has_value());
  EXPECT_TRUE(state.stale_epoch);
  EXPECT_EQ(cache.Epoch(), 1);
  cache.Write(1, List(cache.Epoch()));
  EXPECT_TRUE(cache.Read(1).list.has_value()) << "lists of the new epoch are trusted";
}

TEST_F(CandidateCacheTest, AnOutageRetiresListsEvenWithinTheEpochRefreshPeriod) {
  // The epoch is normally re-read every `epoch_refresh`; a failure in between must not wait for it.
  CandidateCache slow{redis, keys, {std::chrono::milliseconds(60000), std::chrono::milliseconds(60000)}};
  slow.Write(1, List(slow.Epoch()));
  ASSERT_TRUE(slow.Read(1).list.has_value());
  redis.SetAvailable(false);
  EXPECT_THROW(slow.Read(1), StoreError);
  redis.SetAvailable(true);
  EXPECT_FALSE(slow.Read(1).list.has_value()) << "the list cached before the outage was trusted";
  EXPECT_EQ(slow.Epoch(), 1);
}

TEST_F(CandidateCacheTest, AnotherProcessMovingTheEpochInvalidatesToo) {
  cache.Write(1, List(cache.Epoch()));
  redis.Command({"INCR", keys.RecommendationEpoch()});  // e.g. the collection service after an outage
  EXPECT_FALSE(cache.Read(1).list.has_value());
}

TEST_F(CandidateCacheTest, AnUnreadableListIsAMiss) {
  redis.Command({"SET", keys.UserRecommendations(1), "garbage"});
  EXPECT_FALSE(cache.Read(1).list.has_value());
}

}  // namespace
}  // namespace cinerec::recommend
