#include "recommend/candidate_cache.h"

#include <gtest/gtest.h>

#include "common/errors.h"
#include "storage/redis/in_memory_redis.h"
#include "storage/redis/invalidation_feed.h"

namespace cinerec::recommend {
namespace {

class CandidateCacheTest : public ::testing::Test {
 protected:
  CandidateList List(std::int64_t epoch) {
    CandidateList list;
    list.model_version = "20260101T000000Z-000001";
    list.variant = "default";
    list.epoch = epoch;
    list.Add(5, 1.0f, Source::kPersonal, Reason::kForYou);
    return list;
  }

  ManualClock clock;
  InMemoryRedis redis{clock.AsFunction()};
  RedisKeys keys{"t:"};
  CandidateCache cache{redis, keys, {std::chrono::milliseconds(60000), std::chrono::milliseconds(0)}};
};

TEST_F(CandidateCacheTest, ReadsTheListWithRecentReactionsAndFinishedMovies) {
  EXPECT_EQ(cache.Read(1)->list, nullptr);
  cache.Write(1, List(0));
  redis.Command({"HSET", keys.UserReactions(1), "7", "1", "8", "-1", "9", "0"});
  redis.Command({"SADD", keys.UserFinished(1), "10", "11"});
  const auto state = cache.Read(1);
  ASSERT_NE(state->list, nullptr);
  EXPECT_EQ(*state->list, List(0));
  EXPECT_EQ(state->reactions, (std::vector<std::pair<std::int64_t, int>>{{7, 1}, {8, -1}, {9, 0}}));
  EXPECT_EQ(state->ReactionTo(8), -1);
  EXPECT_EQ(state->ReactionTo(12), 0);
  EXPECT_EQ(state->finished, (std::vector<std::int64_t>{10, 11}));
  EXPECT_EQ(state->hidden, (std::vector<std::int64_t>{7, 8, 10, 11}))
      << "a cleared reaction (9) hides nothing";
}

TEST_F(CandidateCacheTest, ListsExpireAfterTheTtl) {
  cache.Write(1, List(0));
  clock.Advance(std::chrono::milliseconds(60001));
  EXPECT_EQ(cache.Read(1)->list, nullptr);
}

TEST_F(CandidateCacheTest, ListsFromBeforeAnOutageAreNotTrusted) {
  cache.Write(1, List(cache.Epoch()));
  redis.SetAvailable(false);
  EXPECT_THROW(cache.Read(1), StoreError);
  redis.SetAvailable(true);
  const auto state = cache.Read(1);
  EXPECT_EQ(state->list, nullptr);
  EXPECT_TRUE(state->stale_epoch);
  EXPECT_EQ(cache.Epoch(), 1);
  cache.Write(1, List(cache.Epoch()));
  EXPECT_NE(cache.Read(1)->list, nullptr) << "lists of the new epoch are trusted";
}

TEST_F(CandidateCacheTest, AnOutageRetiresListsEvenWithinTheEpochRefreshPeriod) {
  // The epoch is normally re-read every `epoch_refresh`; a failure in between must not wait for it.
  CandidateCache slow{redis, keys, {std::chrono::milliseconds(60000), std::chrono::milliseconds(60000)}};
  slow.Write(1, List(slow.Epoch()));
  ASSERT_NE(slow.Read(1)->list, nullptr);
  redis.SetAvailable(false);
  EXPECT_THROW(slow.Read(1), StoreError);
  redis.SetAvailable(true);
  EXPECT_EQ(slow.Read(1)->list, nullptr) << "the list cached before the outage was trusted";
  EXPECT_EQ(slow.Epoch(), 1);
}

TEST_F(CandidateCacheTest, AnotherProcessMovingTheEpochInvalidatesToo) {
  cache.Write(1, List(cache.Epoch()));
  redis.Command({"INCR", keys.RecommendationEpoch()});  // e.g. the collection service after an outage
  EXPECT_EQ(cache.Read(1)->list, nullptr);
}

TEST_F(CandidateCacheTest, AnUnreadableListIsAMiss) {
  redis.Command({"SET", keys.UserRecommendations(1), "garbage"});
  EXPECT_EQ(cache.Read(1)->list, nullptr);
}

}  // namespace
}  // namespace cinerec::recommend

namespace cinerec::recommend {
namespace {

// A feed the test drives: it records the handlers and calls them when told to.
struct ManualFeed final : InvalidationFeed {
  std::uint64_t Subscribe(std::string prefix, Handler handler) override {
    handlers.emplace_back(std::move(prefix), std::move(handler));
    return handlers.size();
  }
  void Unsubscribe(std::uint64_t id) override { handlers.at(id - 1).second = nullptr; }
  bool live() const override { return true; }
  void Changed(const std::string& key) {
    for (const auto& [prefix, handler] : handlers)
      if (handler && key.starts_with(prefix)) handler(key);
  }
  std::vector<std::pair<std::string, Handler>> handlers;
};

class NearCandidateCacheTest : public CandidateCacheTest {
 protected:
  CandidateCache::Options NearOptions() {
    CandidateCache::Options options{std::chrono::milliseconds(60000), std::chrono::milliseconds(0)};
    options.feed = &feed;
    options.near_bytes = 1 << 20;
    return options;
  }
  ManualFeed feed;
  CandidateCache near{redis, keys, NearOptions()};
};

TEST_F(NearCandidateCacheTest, ServesTheSameStateFromMemoryUntilAKeyOfTheViewerChanges) {
  CandidateList list = List(near.Epoch());
  list.items.clear();
  list.Add(5, 3.5f, Source::kPersonal, Reason::kBecauseYouWatched, "17");
  list.Add(6, 2.5f, Source::kContent, Reason::kNewInYourGenres, "Science Fiction");
  list.Add(7, 1.5f, Source::kPopular, Reason::kPopularInGenre, "Science Fiction");
  list.Add(8, 0.5f, Source::kFoldIn, Reason::kForYou);
  near.Write(1, list);
  redis.Command({"HSET", keys.UserReactions(1), "9", "-1"});
  const auto first = near.Read(1);  // from Redis, kept
  ASSERT_NE(first->list, nullptr);
  EXPECT_EQ(*first->list, list) << "the copy in memory must not change the list";
  EXPECT_EQ(near.near_stats().entries, 1u);

  // A change the feed has not reported yet is not seen: the copy answers, with no round trip.
  redis.Command({"HSET", keys.UserReactions(1), "5", "1"});
  const auto second = near.Read(1);
  EXPECT_EQ(second, first) << "the very same state, shared";
  EXPECT_EQ(near.near_stats().hits, 1u);

  feed.Changed(keys.UserReactions(1));  // the collection service's write, as Redis reports it
  const auto third = near.Read(1);
  EXPECT_EQ(third->ReactionTo(5), 1);
  EXPECT_EQ(third->ReactionTo(9), -1);
}

TEST_F(NearCandidateCacheTest, WritingAListDropsTheCopyAtOnceAndTheEpochIsCheckedOnEveryRead) {
  near.Write(2, List(near.Epoch()));
  ASSERT_NE(near.Read(2)->list, nullptr);
  CandidateList newer = List(near.Epoch());
  newer.items[0].movie_id = 99;
  near.Write(2, newer);
  EXPECT_EQ(near.Read(2)->list->items[0].movie_id, 99);

  redis.Command({"INCR", keys.RecommendationEpoch()});  // another node moved the epoch...
  feed.Changed(keys.RecommendationEpoch());             // ...everything goes
  EXPECT_EQ(near.near_stats().entries, 0u);
  const auto state = near.Read(2);
  EXPECT_EQ(state->list, nullptr);
  EXPECT_TRUE(state->stale_epoch);
}

}  // namespace
}  // namespace cinerec::recommend
