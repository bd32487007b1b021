// TrendingSink against the test stack's Redis: buckets, scores and TTLs as the unit tests expect of the fake.
#include <gtest/gtest.h>

#include "catalog/movie_directory.h"
#include "collect/collect_test_support.h"
#include "collect/trending_sink.h"
#include "storage/redis/redis_pool.h"
#include "support/test_env.h"

namespace cinerec::collect {
namespace {

using catalog::MovieInfo;

using testing_support::QuietDirectory;

using testing_support::WallClockMs;

// Deletes every key under the test's prefix afterwards.
struct RedisUnderPrefix {
  Config config = testing::IsolatedConfig();
  RedisPool redis{config.redis};
  RedisKeys keys{config.redis.key_prefix};

  ~RedisUnderPrefix() {
    std::string cursor = "0";
    do {
      auto reply = redis.Command({"SCAN", cursor, "MATCH", keys.prefix() + "*", "COUNT", "1000"});
      if (reply.type != RedisReply::Type::kArray || reply.elements.size() != 2) return;
      cursor = reply.elements[0].str;
      for (const auto& key : reply.elements[1].elements)
        redis.Command({"DEL", key.str});
    } while (cursor != "0");
  }
};

TEST(TrendingSinkITest, WritesHourlyBucketsPerScopeWithTtls) {
  RedisUnderPrefix env;
  catalog::MovieDirectory directory(
      [] {
        return std::vector<MovieInfo>{{1, "Toy Story", {"Animation", "Comedy"}, 4800, 7, false},
                                      {2, "Heat", {"Action"}, 6000, 7, false}};
      },
      QuietDirectory());
  ASSERT_TRUE(directory.RefreshNow());
  const std::int64_t now = WallClockMs();
  TrendingSink sink(env.redis, env.keys, directory,
                    {std::chrono::hours(192), 0.9, 1000, std::chrono::seconds(5), [now] { return now; }});

  auto event = [](EventType type, std::int64_t movie, std::int64_t time_ms, std::uint32_t watched_s = 0) {
    Event e;
    e.type = type;
    e.movie_id = movie;
    e.user_id = 1;
    e.event_time_ms = time_ms;
    e.watched_s = watched_s;
    return e;
  };
  const std::int64_t hour = RedisKeys::HourIndex(now);
  const std::int64_t earlier = now - 5 * 3600 * 1000;
  sink.Deliver(std::vector<Event>{event(EventType::kViewStart, 1, now), event(EventType::kLike, 1, now),
                                  event(EventType::kClick, 2, now), event(EventType::kViewStop, 2, now, 5400),
                                  event(EventType::kDislike, 1, earlier)});
  EXPECT_EQ(sink.batches_skipped(), 0u);

  const auto all = env.keys.TrendingBucket("all", hour);
  EXPECT_EQ(env.redis.Command({"ZSCORE", all, "1"}).str, "3");
  EXPECT_EQ(env.redis.Command({"ZSCORE", all, "2"}).str, "2.25");
  EXPECT_EQ(env.redis.Command({"ZSCORE", env.keys.TrendingBucket("g:Comedy", hour), "1"}).str, "3");
  EXPECT_EQ(env.redis.Command({"ZSCORE", env.keys.TrendingBucket("g:Action", hour), "2"}).str, "2.25");
  EXPECT_EQ(
      env.redis.Command({"ZSCORE", env.keys.TrendingBucket("all", RedisKeys::HourIndex(earlier)), "1"}).str,
      "-1");
  // The TTL runs from the end of the event's hour.
  const std::int64_t expected = (hour + 1) * 3600 + 192 * 3600 - now / 1000;
  const std::int64_t ttl = env.redis.Command({"TTL", all}).integer;
  EXPECT_GE(ttl, expected - 5);
  EXPECT_LE(ttl, expected);
}

}  // namespace
}  // namespace cinerec::collect
