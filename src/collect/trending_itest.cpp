// The trending round trip on the test stack's Redis: TrendingSink writes, TrendingReader ranks.
#include <gtest/gtest.h>

#include <thread>

#include "catalog/movie_directory.h"
#include "collect/collect_test_support.h"
#include "collect/trending.h"
#include "collect/trending_sink.h"
#include "storage/redis/redis_pool.h"
#include "support/test_env.h"

namespace cinerec::collect {
namespace {

using catalog::MovieInfo;

using testing_support::QuietDirectory;

using testing_support::WallClockMs;

std::vector<std::int64_t> Ids(const std::vector<TrendingItem>& items) {
  std::vector<std::int64_t> ids;
  for (const auto& item : items)
    ids.push_back(item.movie_id);
  return ids;
}

Event Like(std::int64_t movie, std::int64_t time_ms) {
  Event e;
  e.type = EventType::kLike;
  e.movie_id = movie;
  e.user_id = 1;
  e.event_time_ms = time_ms;
  return e;
}

TEST(TrendingITest, SinkAndReaderRoundTripAndNewEventsShowWithinSeconds) {
  Config config = testing::IsolatedConfig();
  RedisPool redis(config.redis);
  RedisKeys keys(config.redis.key_prefix);
  catalog::MovieDirectory directory(
      [] {
        return std::vector<MovieInfo>{{1, "Toy Story", {"Animation", "Comedy"}, 4800, 7, false},
                                      {2, "Heat", {"Action", "Crime"}, 6000, 7, false},
                                      {3, "Gone", {"Comedy"}, 6000, 7, true},
                                      {4, "Clerks", {"Comedy"}, 5520, 7, false}};
      },
      QuietDirectory());
  ASSERT_TRUE(directory.RefreshNow());
  TrendingSink sink(redis, keys, directory, {});
  TrendingReader reader(redis, keys, directory, {});

  const std::int64_t now = WallClockMs();
  sink.Deliver(std::vector<Event>{Like(1, now), Like(1, now), Like(2, now), Like(3, now), Like(3, now),
                                  Like(3, now), Like(4, now - 30 * 3600 * 1000)});
  ASSERT_EQ(sink.batches_skipped(), 0u);

  auto top = reader.Top({"", 24, 10});
  EXPECT_EQ(Ids(top), (std::vector<std::int64_t>{1, 2}));  // 3 is deleted, 4 is older than the window
  ASSERT_FALSE(top.empty());
  EXPECT_EQ(top[0].title, "Toy Story");
  EXPECT_EQ(top[0].genres, (std::vector<std::string>{"Animation", "Comedy"}));
  EXPECT_GT(top[0].score, 0);
  EXPECT_EQ(Ids(reader.Top({"Comedy", 24, 10})), (std::vector<std::int64_t>{1}));
  EXPECT_EQ(Ids(reader.Top({"Comedy", 168, 10})), (std::vector<std::int64_t>{1, 4}));
  const auto pttl = redis.Command({"PTTL", keys.TrendingWindow("all", 24)}).integer;
  EXPECT_GT(pttl, 0);
  EXPECT_LE(pttl, 2000);

  // Movie 2 overtakes movie 1; the ranking follows within window_ttl + cache_ttl.
  sink.Deliver(std::vector<Event>{Like(2, WallClockMs()), Like(2, WallClockMs())});
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  EXPECT_EQ(Ids(reader.Top({"", 24, 10})), (std::vector<std::int64_t>{2, 1}));

  std::string cursor = "0";
  do {
    auto reply = redis.Command({"SCAN", cursor, "MATCH", keys.prefix() + "*", "COUNT", "1000"});
    ASSERT_EQ(reply.elements.size(), 2u);
    cursor = reply.elements[0].str;
    for (const auto& key : reply.elements[1].elements)
      redis.Command({"DEL", key.str});
  } while (cursor != "0");
}

}  // namespace
}  // namespace cinerec::collect
