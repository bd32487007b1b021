#include "collect/trending.h"

#include <gtest/gtest.h>

#include <cmath>

#include "catalog/movie_directory.h"
#include "collect/collect_test_support.h"
#include "collect/trending_sink.h"
#include "common/errors.h"
#include "storage/redis/in_memory_redis.h"

namespace cinerec::collect {
namespace {

using catalog::MovieInfo;
using std::chrono::milliseconds;

constexpr std::int64_t kHourMs = 3600 * 1000;
constexpr std::int64_t kHour = 475020;                    // 2024-03-10T12:00Z
constexpr std::int64_t kNow = kHour * kHourMs + 1800000;  // 12:30

using testing_support::QuietDirectory;

std::vector<MovieInfo> Movies() {
  std::vector<MovieInfo> movies = {
      {1, "Toy Story", {"Animation", "Comedy"}, 4800, 7, false},
      {2, "Heat", {"Action", "Crime"}, 10200, 7, false},
      {3, "Gone", {"Drama"}, 6000, 7, true},  // deleted
      {4, "Clerks", {"Comedy"}, 5520, 7, false},
  };
  for (int id = 100; id < 130; ++id)
    movies.push_back({id, "Deleted " + std::to_string(id), {"Drama"}, 0, 7, true});
  return movies;
}

std::vector<std::int64_t> Ids(const std::vector<TrendingItem>& items) {
  std::vector<std::int64_t> ids;
  for (const auto& item : items)
    ids.push_back(item.movie_id);
  return ids;
}

class TrendingReaderTest : public ::testing::Test {
 protected:
  TrendingReaderTest() { EXPECT_TRUE(directory.RefreshNow()); }

  TrendingReader::Options Options() {
    TrendingReader::Options options;
    options.now_ms = [this] { return now; };
    return options;
  }
  // Moves both the reader's wall clock and the fake's TTL clock.
  void Advance(milliseconds delta) {
    now += delta.count();
    clock.Advance(delta);
  }
  void Add(std::string_view genre, std::int64_t hour, std::int64_t movie, double score) {
    redis.Command({"ZINCRBY", keys.TrendingBucket(RedisKeys::TrendingScope(genre), hour),
                   std::to_string(score), std::to_string(movie)});
  }

  ManualClock clock;
  InMemoryRedis redis{clock.AsFunction()};
  RedisKeys keys{"t:"};
  catalog::MovieDirectory directory{[] { return Movies(); }, QuietDirectory()};
  std::int64_t now = kNow;
};

TEST(TrendingWeightsTest, HalfLifeIsHalfTheWindowAndTheOldestHourSlidesOut) {
  auto w = TrendingReader::BucketWeights(24, 0.25);
  ASSERT_EQ(w.size(), 25u);
  EXPECT_EQ(w[0], 1.0);
  EXPECT_DOUBLE_EQ(w[12], 0.5);
  EXPECT_DOUBLE_EQ(w[6], std::pow(0.5, 0.5));
  EXPECT_DOUBLE_EQ(w[24], 0.25 * 0.75);  // two half-lives, and a quarter of that hour has slid out
  for (std::size_t a = 1; a < w.size(); ++a)
    EXPECT_LT(w[a], w[a - 1]);
  auto one = TrendingReader::BucketWeights(1, 0.0);  // half-life at least one hour
  ASSERT_EQ(one.size(), 2u);
  EXPECT_DOUBLE_EQ(one[1], 0.5);
  EXPECT_DOUBLE_EQ(TrendingReader::BucketWeights(3, 0.5)[2], std::pow(0.5, 2 / 1.5));
}

TEST_F(TrendingReaderTest, RanksWithDecayAndMapsThroughTheDirectory) {
  Add("", kHour, 2, 6);       // now
  Add("", kHour - 5, 1, 10);  // five hours ago
  Add("", kHour - 1, 4, 1);
  TrendingReader reader(redis, keys, directory, Options());
  // Window 6 h (half-life 3 h): 10 x 0.5^(5/3) = 3.15 < 6.
  auto items = reader.Top({"", 6, 10});
  EXPECT_EQ(Ids(items), (std::vector<std::int64_t>{2, 1, 4}));
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[0], (TrendingItem{2, "Heat", {"Action", "Crime"}, 6}));
  EXPECT_NEAR(items[1].score, 10 * std::pow(0.5, 5 / 3.0), 1e-9);
  EXPECT_NEAR(items[2].score, std::pow(0.5, 1 / 3.0), 1e-9);
  // Window 7 days (half-life 84 h): the older, bigger count wins.
  EXPECT_EQ(Ids(reader.Top({"", 168, 10})), (std::vector<std::int64_t>{1, 2, 4}));
  // Window 1 h: the current hour, plus the half of hour -1 that is still inside the window (x 0.5 decay).
  auto last_hour = reader.Top({"", 1, 10});
  EXPECT_EQ(Ids(last_hour), (std::vector<std::int64_t>{2, 4}));
  EXPECT_DOUBLE_EQ(last_hour[1].score, 0.25);
  EXPECT_EQ(Ids(reader.Top({"", 6, 1})), (std::vector<std::int64_t>{2}));  // cut to the limit
}

TEST_F(TrendingReaderTest, GenreScopes) {
  Add("", kHour, 2, 6);
  Add("", kHour, 1, 3);
  Add("", kHour, 4, 2);
  Add("Comedy", kHour, 1, 3);
  Add("Comedy", kHour, 4, 2);
  TrendingReader reader(redis, keys, directory, Options());
  EXPECT_EQ(Ids(reader.Top({"Comedy", 24, 10})), (std::vector<std::int64_t>{1, 4}));
  EXPECT_EQ(Ids(reader.Top({"", 24, 10})), (std::vector<std::int64_t>{2, 1, 4}));
  EXPECT_TRUE(reader.Top({"Western", 24, 10}).empty());
}

TEST_F(TrendingReaderTest, DropsDeletedUnknownAndNonPositiveMoviesAndReadsOnPastThem) {
  for (int id = 100; id < 130; ++id)
    Add("", kHour, id, 100 + id);  // 30 deleted movies on top
  Add("", kHour, 3, 99);           // deleted
  Add("", kHour, 999, 98);         // unknown to the directory
  Add("", kHour, 1, 5);
  Add("", kHour, 2, -1);  // disliked more than liked: not trending
  Add("", kHour, 4, 0);
  TrendingReader reader(redis, keys, directory, Options());
  EXPECT_EQ(Ids(reader.Top({"", 24, 1})), (std::vector<std::int64_t>{1}));  // past 3 pages of 11
  EXPECT_EQ(Ids(reader.Top({"", 24, 10})), (std::vector<std::int64_t>{1}));
}

TEST_F(TrendingReaderTest, WindowIsSharedForTwoSecondsAndNewEventsShowWithinSeconds) {
  TrendingSink sink(redis, keys, directory,
                    {std::chrono::hours(192), 0.9, 1000, milliseconds(5000), [this] { return now; }});
  TrendingReader reader(redis, keys, directory, Options());
  TrendingReader other_node(redis, keys, directory, Options());
  Event like;
  like.type = EventType::kLike;
  like.movie_id = 4;
  like.event_time_ms = now;
  sink.Deliver(std::vector<Event>{like});
  EXPECT_EQ(Ids(reader.Top({"", 24, 10})), (std::vector<std::int64_t>{4}));
  const auto window = keys.TrendingWindow("all", 24);
  auto pttl = redis.Command({"PTTL", window}).integer;
  EXPECT_GT(pttl, 0);
  EXPECT_LE(pttl, 2000);

  like.movie_id = 1;
  like.event_time_ms = now;
  sink.Deliver(std::vector<Event>{like, like});
  // Another node within the window's TTL reads the shared union: not yet updated.
  EXPECT_EQ(Ids(other_node.Top({"", 24, 10})), (std::vector<std::int64_t>{4}));
  Advance(milliseconds(2000));
  EXPECT_EQ(Ids(other_node.Top({"", 24, 10})), (std::vector<std::int64_t>{1, 4}));
  EXPECT_EQ(Ids(reader.Top({"", 24, 10})), (std::vector<std::int64_t>{1, 4}));
}

TEST_F(TrendingReaderTest, AWindowWithoutTtlIsRebuilt) {
  const auto window = keys.TrendingWindow("all", 24);
  redis.Command({"ZADD", window, "50", "2"});  // e.g. left behind without its PEXPIRE
  Add("", kHour, 1, 1);
  TrendingReader reader(redis, keys, directory, Options());
  EXPECT_EQ(Ids(reader.Top({"", 24, 10})), (std::vector<std::int64_t>{1}));
  EXPECT_GT(redis.Command({"PTTL", window}).integer, 0);
}

TEST_F(TrendingReaderTest, CachesForASecondAndServesStaleWhileRedisIsDown) {
  Add("", kHour, 1, 1);
  TrendingReader reader(redis, keys, directory, Options());
  EXPECT_EQ(Ids(reader.Top({"", 24, 10})), (std::vector<std::int64_t>{1}));
  redis.SetAvailable(false);
  EXPECT_EQ(Ids(reader.Top({"", 24, 10})), (std::vector<std::int64_t>{1}));  // fresh from the cache
  Advance(milliseconds(60000));
  EXPECT_EQ(Ids(reader.Top({"", 24, 10})), (std::vector<std::int64_t>{1}));  // stale, but an answer
  EXPECT_THROW(reader.Top({"", 24, 9}), StoreError);                         // nothing cached for this one
  EXPECT_THROW(reader.Top({"Comedy", 24, 10}), StoreError);
  redis.SetAvailable(true);
  Add("", kHour, 2, 5);
  EXPECT_EQ(Ids(reader.Top({"", 24, 10})), (std::vector<std::int64_t>{2, 1}));
}

TEST_F(TrendingReaderTest, ServesFromTheCacheWithinASecond) {
  Add("", kHour, 1, 1);
  TrendingReader reader(redis, keys, directory, Options());
  EXPECT_EQ(Ids(reader.Top({"", 24, 10})), (std::vector<std::int64_t>{1}));
  redis.Command({"FLUSHDB"});
  Advance(milliseconds(999));
  EXPECT_EQ(Ids(reader.Top({"", 24, 10})), (std::vector<std::int64_t>{1}));
  Advance(milliseconds(1));
  EXPECT_TRUE(reader.Top({"", 24, 10}).empty());
}

TEST_F(TrendingReaderTest, RejectsOutOfRangeQueries) {
  TrendingReader reader(redis, keys, directory, Options());
  EXPECT_THROW(reader.Top({"", 0, 10}), ApiError);
  EXPECT_THROW(reader.Top({"", 169, 10}), ApiError);
  EXPECT_THROW(reader.Top({"", 24, 0}), ApiError);
  EXPECT_THROW(reader.Top({"", 24, 101}), ApiError);
  EXPECT_NO_THROW(reader.Top({"", 168, 100}));
  EXPECT_NO_THROW(reader.Top({"", 1, 1}));
}

TEST_F(TrendingReaderTest, UnloadedDirectoryIsAStoreError) {
  catalog::MovieDirectory unloaded([]() -> std::vector<MovieInfo> { throw StoreError("postgres", "down"); },
                                   QuietDirectory());
  TrendingReader reader(redis, keys, unloaded, Options());
  EXPECT_THROW(reader.Top({"", 24, 10}), StoreError);
}

}  // namespace
}  // namespace cinerec::collect
