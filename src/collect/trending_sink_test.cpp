#include "collect/trending_sink.h"

#include <gtest/gtest.h>

#include <set>

#include "catalog/movie_directory.h"
#include "collect/collect_test_support.h"
#include "storage/redis/in_memory_redis.h"

namespace cinerec::collect {
namespace {

using catalog::MovieInfo;
using std::chrono::milliseconds;

constexpr std::int64_t kHourMs = 3600 * 1000;
constexpr std::int64_t kHour = 475020;                    // 2024-03-10T12:00Z
constexpr std::int64_t kNow = kHour * kHourMs + 1800000;  // 12:30

// Forwards to InMemoryRedis and records every pipeline.
class RecordingRedis final : public RedisClient {
 public:
  explicit RecordingRedis(InMemoryRedis& inner) : inner_(inner) {}
  RedisReply Command(const RedisCommand& args) override { return inner_.Command(args); }
  std::vector<RedisReply> Pipeline(const std::vector<RedisCommand>& commands) override {
    pipelines.push_back(commands);
    return inner_.Pipeline(commands);
  }
  void Ping() override { inner_.Ping(); }
  std::vector<std::vector<RedisCommand>> pipelines;

 private:
  InMemoryRedis& inner_;
};

using testing_support::QuietDirectory;

std::vector<MovieInfo> Movies() {
  return {
      {1, "Toy Story", {"Animation", "Comedy"}, 4800, 7, false},
      {2, "Heat", {"Action", "Crime"}, 10200, 7, false},
      {3, "Gone", {"Drama"}, 6000, 7, true},  // deleted
      {4, "No Genres", {}, 0, 7, false},
  };
}

Event Ev(EventType type, std::int64_t movie, std::int64_t time_ms = kNow, std::uint32_t watched_s = 0) {
  Event e;
  e.type = type;
  e.movie_id = movie;
  e.user_id = 7;
  e.event_time_ms = time_ms;
  e.watched_s = watched_s;
  return e;
}

class TrendingSinkTest : public ::testing::Test {
 protected:
  TrendingSinkTest() { EXPECT_TRUE(directory.RefreshNow()); }

  TrendingSink::Options Options() {
    TrendingSink::Options options;
    options.now_ms = [this] { return now; };
    return options;
  }
  std::string Bucket(std::string_view genre, std::int64_t hour = kHour) {
    return keys.TrendingBucket(RedisKeys::TrendingScope(genre), hour);
  }
  std::string Score(const std::string& key, std::int64_t movie) {
    auto reply = redis.Command({"ZSCORE", key, std::to_string(movie)});
    return reply.is_nil() ? "nil" : reply.str;
  }

  ManualClock clock;
  InMemoryRedis redis{clock.AsFunction()};
  RecordingRedis recording{redis};
  RedisKeys keys{"t:"};
  catalog::MovieDirectory directory{[] { return Movies(); }, QuietDirectory()};
  std::int64_t now = kNow;
};

TEST(TrendingWeightTest, WeightsPerSignal) {
  MovieInfo movie{1, "M", {}, 100, 7, false};
  EXPECT_EQ(TrendingWeight(Ev(EventType::kViewStart, 1), &movie, 0.9), 1);
  EXPECT_EQ(TrendingWeight(Ev(EventType::kLike, 1), &movie, 0.9), 2);
  EXPECT_EQ(TrendingWeight(Ev(EventType::kDislike, 1), &movie, 0.9), -1);
  EXPECT_EQ(TrendingWeight(Ev(EventType::kTrailerPlay, 1), &movie, 0.9), 0.5);
  EXPECT_EQ(TrendingWeight(Ev(EventType::kClick, 1), &movie, 0.9), 0.25);
  for (auto type : {EventType::kViewProgress, EventType::kViewPause, EventType::kViewSeek,
                    EventType::kReactionClear, EventType::kSearch, EventType::kPageView})
    EXPECT_EQ(TrendingWeight(Ev(type, 1), &movie, 0.9), 0) << EventTypeName(type);
  // A stop counts only when the session watched the completion share of a movie of known length.
  EXPECT_EQ(TrendingWeight(Ev(EventType::kViewStop, 1, kNow, 90), &movie, 0.9), 2);
  EXPECT_EQ(TrendingWeight(Ev(EventType::kViewStop, 1, kNow, 89), &movie, 0.9), 0);
  EXPECT_EQ(TrendingWeight(Ev(EventType::kViewStop, 1, kNow, 50), &movie, 0.5), 2);
  EXPECT_EQ(TrendingWeight(Ev(EventType::kViewStop, 1, kNow, 5000), nullptr, 0.9), 0);
  MovieInfo unknown_length{1, "M", {}, 0, 7, false};
  EXPECT_EQ(TrendingWeight(Ev(EventType::kViewStop, 1, kNow, 5000), &unknown_length, 0.9), 0);
}

TEST_F(TrendingSinkTest, AggregatesABatchIntoOneIncrementPerBucketAndMovie) {
  TrendingSink sink(recording, keys, directory, Options());
  EXPECT_EQ(sink.name(), "redis");
  std::vector<Event> events = {
      Ev(EventType::kViewStart, 1),
      Ev(EventType::kViewStart, 1),
      Ev(EventType::kLike, 1),
      Ev(EventType::kClick, 1),
      Ev(EventType::kDislike, 2),
      Ev(EventType::kTrailerPlay, 2),
      Ev(EventType::kViewStop, 2, kNow, 9180),  // 90 % of 10200 s
      Ev(EventType::kViewStop, 1, kNow, 100),   // not completed: nothing
  };
  sink.Deliver(events);
  EXPECT_EQ(Score(Bucket(""), 1), "4.25");
  EXPECT_EQ(Score(Bucket(""), 2), "1.5");
  EXPECT_EQ(Score(Bucket("Comedy"), 1), "4.25");
  EXPECT_EQ(Score(Bucket("Animation"), 1), "4.25");
  EXPECT_EQ(Score(Bucket("Action"), 2), "1.5");
  EXPECT_EQ(Score(Bucket("Crime"), 2), "1.5");
  EXPECT_EQ(Score(Bucket("Comedy"), 2), "nil");
  EXPECT_EQ(redis.KeyCount(), 5u);  // all, Animation, Comedy, Action, Crime

  ASSERT_EQ(recording.pipelines.size(), 1u);
  std::size_t zincrby = 0, expire = 0;
  for (const auto& command : recording.pipelines[0]) {
    zincrby += command[0] == "ZINCRBY";
    expire += command[0] == "EXPIRE";
  }
  EXPECT_EQ(zincrby, 6u);  // (all, 1) (all, 2) (Animation, 1) (Comedy, 1) (Action, 2) (Crime, 2)
  EXPECT_EQ(expire, 5u);   // one per bucket

  sink.Deliver(events);  // increments add up across batches
  EXPECT_EQ(Score(Bucket(""), 1), "8.5");
  EXPECT_EQ(sink.batches_skipped(), 0u);
}

TEST_F(TrendingSinkTest, BucketIsTheHourOfTheEventTime) {
  TrendingSink sink(redis, keys, directory, Options());
  std::vector<Event> events = {
      Ev(EventType::kViewStart, 4, kHour * kHourMs),                // 12:00:00.000
      Ev(EventType::kViewStart, 4, kHour * kHourMs - 1),            // 11:59:59.999
      Ev(EventType::kViewStart, 4, (kHour - 3) * kHourMs + 5000),   // 09:00:05
      Ev(EventType::kViewStart, 4, (kHour - 3) * kHourMs + 60000),  // 09:01
  };
  sink.Deliver(events);
  EXPECT_EQ(Score(Bucket("", kHour), 4), "1");
  EXPECT_EQ(Score(Bucket("", kHour - 1), 4), "1");
  EXPECT_EQ(Score(Bucket("", kHour - 2), 4), "nil");
  EXPECT_EQ(Score(Bucket("", kHour - 3), 4), "2");
  EXPECT_EQ(redis.KeyCount(), 3u);  // movie 4 has no genres: only "all"
}

TEST_F(TrendingSinkTest, BucketsExpireTheTtlAfterTheEndOfTheirHour) {
  auto options = Options();
  options.bucket_ttl = std::chrono::hours(48);
  TrendingSink sink(redis, keys, directory, options);
  sink.Deliver(
      std::vector<Event>{Ev(EventType::kViewStart, 1), Ev(EventType::kViewStart, 1, kNow - 10 * kHourMs)});
  // Now is 12:30: the 12:00 bucket ends in 30 min, the 02:00 bucket ended 9.5 h ago.
  EXPECT_EQ(redis.Command({"TTL", Bucket("")}).integer, 48 * 3600 + 1800);
  EXPECT_EQ(redis.Command({"TTL", Bucket("Comedy")}).integer, 48 * 3600 + 1800);
  EXPECT_EQ(redis.Command({"TTL", Bucket("", kHour - 10)}).integer, 48 * 3600 - 9 * 3600 - 1800);
}

TEST_F(TrendingSinkTest, SkipsOldEventsDeletedMoviesAndZeroWeights) {
  auto options = Options();
  options.bucket_ttl = std::chrono::hours(24);
  TrendingSink sink(recording, keys, directory, options);
  sink.Deliver(std::vector<Event>{
      Ev(EventType::kViewStart, 1, kNow - 24 * kHourMs - 1),  // older than the bucket TTL
      Ev(EventType::kLike, 3),                                // deleted movie
      Ev(EventType::kViewStart, 0),                           // no movie
      Ev(EventType::kViewProgress, 1),
      Ev(EventType::kSearch, 0),
      Ev(EventType::kReactionClear, 1),
  });
  EXPECT_EQ(redis.KeyCount(), 0u);
  EXPECT_TRUE(recording.pipelines.empty());  // nothing to send: no round trip
  sink.Deliver(std::vector<Event>{Ev(EventType::kViewStart, 1, kNow - 24 * kHourMs + 1)});
  EXPECT_EQ(Score(Bucket("", kHour - 24), 1), "1");
  EXPECT_GT(redis.Command({"TTL", Bucket("", kHour - 24)}).integer, 0);
}

TEST_F(TrendingSinkTest, UnknownMoviesAndAnUnloadedDirectoryCountOnlyOverall) {
  catalog::MovieDirectory unloaded(
      []() -> std::vector<MovieInfo> { throw std::runtime_error("postgres down"); }, QuietDirectory());
  TrendingSink sink(redis, keys, unloaded, Options());
  sink.Deliver(std::vector<Event>{Ev(EventType::kLike, 1), Ev(EventType::kViewStop, 1, kNow, 4800)});
  EXPECT_EQ(Score(Bucket(""), 1), "2");  // the stop cannot be judged complete without the directory
  EXPECT_EQ(redis.KeyCount(), 1u);

  TrendingSink loaded(redis, keys, directory, Options());
  loaded.Deliver(std::vector<Event>{Ev(EventType::kLike, 99)});  // not in the directory (yet)
  EXPECT_EQ(Score(Bucket(""), 99), "2");
  EXPECT_EQ(redis.KeyCount(), 1u);
}

TEST_F(TrendingSinkTest, LargeBatchesGoInChunksEachWithItsExpires) {
  auto options = Options();
  options.max_pipeline_commands = 5;
  std::vector<MovieInfo> many;
  for (int id = 1; id <= 23; ++id)
    many.push_back({id, "M", {"Drama"}, 0, 7, false});
  catalog::MovieDirectory big([many] { return many; }, QuietDirectory());
  ASSERT_TRUE(big.RefreshNow());
  TrendingSink sink(recording, keys, big, options);
  std::vector<Event> events;
  for (int id = 1; id <= 23; ++id)
    events.push_back(Ev(EventType::kViewStart, id, id % 2 ? kNow : kNow - kHourMs));
  sink.Deliver(events);

  EXPECT_GT(recording.pipelines.size(), 5u);
  for (const auto& pipeline : recording.pipelines) {
    EXPECT_LE(pipeline.size(), 5u);
    std::set<std::string> incremented, expired;
    for (const auto& command : pipeline) {
      if (command[0] == "ZINCRBY") incremented.insert(command[1]);
      if (command[0] == "EXPIRE") expired.insert(command[1]);
    }
    EXPECT_EQ(incremented, expired);  // a bucket never exists without its TTL
  }
  for (const auto& key : {Bucket(""), Bucket("", kHour - 1), Bucket("Drama"), Bucket("Drama", kHour - 1)}) {
    EXPECT_GT(redis.Command({"TTL", key}).integer, 0) << key;
  }
  EXPECT_EQ(redis.Command({"ZCARD", Bucket("")}).integer, 12);
  EXPECT_EQ(redis.Command({"ZCARD", Bucket("Drama", kHour - 1)}).integer, 11);
}

TEST_F(TrendingSinkTest, RedisDownSkipsTheBatchWithoutThrowing) {
  TrendingSink sink(redis, keys, directory, Options());
  redis.SetAvailable(false);
  EXPECT_NO_THROW(sink.Deliver(std::vector<Event>{Ev(EventType::kViewStart, 1)}));
  EXPECT_NO_THROW(sink.Deliver(std::vector<Event>{Ev(EventType::kViewStart, 1)}));
  EXPECT_EQ(sink.batches_skipped(), 2u);
  redis.SetAvailable(true);
  sink.Deliver(std::vector<Event>{Ev(EventType::kViewStart, 1)});
  EXPECT_EQ(Score(Bucket(""), 1), "1");  // the increments of the outage are lost
  EXPECT_EQ(sink.batches_skipped(), 2u);
}

TEST_F(TrendingSinkTest, AnErrorReplySkipsTheBatch) {
  TrendingSink sink(redis, keys, directory, Options());
  redis.Command({"SET", Bucket("Comedy"), "not a sorted set"});
  EXPECT_NO_THROW(sink.Deliver(std::vector<Event>{Ev(EventType::kViewStart, 1)}));
  EXPECT_EQ(sink.batches_skipped(), 1u);
}

}  // namespace
}  // namespace cinerec::collect
