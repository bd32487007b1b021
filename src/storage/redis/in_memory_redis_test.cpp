#include "storage/redis/in_memory_redis.h"

#include <gtest/gtest.h>

#include <thread>

#include "common/errors.h"
#include "storage/redis/redis_contract.h"

namespace cinerec {
namespace {

struct InMemoryBackend {
  static constexpr std::chrono::milliseconds kShortTtl{1000};
  ManualClock clock;
  InMemoryRedis redis{clock.AsFunction()};

  RedisClient& client() { return redis; }
  std::string Key(std::string_view name) { return "test:" + std::string(name); }
  void LetTimePass(std::chrono::milliseconds delta) { clock.Advance(delta); }
};

}  // namespace

INSTANTIATE_TYPED_TEST_SUITE_P(InMemory, RedisContract, ::testing::Types<InMemoryBackend>);

namespace {

using std::chrono::milliseconds;

TEST(InMemoryRedisTest, ExpiryFollowsTheInjectedClock) {
  ManualClock clock;
  InMemoryRedis redis(clock.AsFunction());
  redis.Command({"SET", "k", "v", "EX", "10"});
  clock.Advance(milliseconds(9400));
  EXPECT_EQ(redis.Command({"TTL", "k"}).integer, 1);  // rounded like Redis
  EXPECT_EQ(redis.Command({"PTTL", "k"}).integer, 600);
  EXPECT_EQ(redis.KeyCount(), 1u);
  clock.Advance(milliseconds(600));
  EXPECT_TRUE(redis.Command({"GET", "k"}).is_nil());
  EXPECT_EQ(redis.KeyCount(), 0u);

  redis.Command({"SET", "k", "v"});
  EXPECT_EQ(redis.Command({"EXPIRE", "k", "0"}).integer, 1);  // a past TTL deletes at once
  EXPECT_EQ(redis.Command({"EXISTS", "k"}).integer, 0);
}

TEST(InMemoryRedisTest, SetReplacesTtlUnlessKeepTtlAndIncrKeepsIt) {
  ManualClock clock;
  InMemoryRedis redis(clock.AsFunction());
  redis.Command({"SET", "k", "1", "PX", "1000"});
  redis.Command({"INCR", "k"});
  EXPECT_EQ(redis.Command({"PTTL", "k"}).integer, 1000);
  redis.Command({"SET", "k", "5", "KEEPTTL"});
  EXPECT_EQ(redis.Command({"PTTL", "k"}).integer, 1000);
  redis.Command({"SET", "k", "6"});
  EXPECT_EQ(redis.Command({"PTTL", "k"}).integer, -1);
}

TEST(InMemoryRedisTest, OutageThrowsStoreErrorAndKeepsData) {
  InMemoryRedis redis;
  redis.Command({"SET", "k", "v"});
  redis.SetAvailable(false);
  EXPECT_THROW(redis.Command({"GET", "k"}), StoreError);
  EXPECT_THROW(redis.Pipeline({{"GET", "k"}}), StoreError);
  EXPECT_THROW(redis.Ping(), StoreError);
  redis.SetAvailable(true);
  EXPECT_EQ(redis.Command({"GET", "k"}).str, "v");
  EXPECT_NO_THROW(redis.Ping());
}

TEST(InMemoryRedisTest, ArgumentErrorsLookLikeRedis) {
  InMemoryRedis redis;
  EXPECT_EQ(redis.Command({"GET"}).str, "ERR wrong number of arguments for 'get' command");
  EXPECT_EQ(redis.Command({"get", "a", "b"}).str, "ERR wrong number of arguments for 'get' command");
  EXPECT_EQ(redis.Command({"SET", "k", "v", "BOGUS"}).str, "ERR syntax error");
  EXPECT_EQ(redis.Command({"ZADD", "z", "NX", "XX", "1", "m"}).str,
            "ERR XX and NX options at the same time are not compatible");
  EXPECT_EQ(redis.Command({"LRANGE", "l", "x", "1"}).str, "ERR value is not an integer or out of range");
  EXPECT_EQ(redis.Command({"INCRBY", "n", "9223372036854775807"}).integer, INT64_MAX);
  EXPECT_EQ(redis.Command({"INCR", "n"}).str, "ERR increment or decrement would overflow");
  EXPECT_EQ(redis.Command({"FLUSHDB"}).str, "OK");
  EXPECT_EQ(redis.KeyCount(), 0u);
}

TEST(InMemoryRedisTest, ZaddFlags) {
  InMemoryRedis redis;
  EXPECT_EQ(redis.Command({"ZADD", "z", "XX", "1", "m"}).integer, 0);
  EXPECT_EQ(redis.Command({"EXISTS", "z"}).integer, 0);
  EXPECT_EQ(redis.Command({"ZADD", "z", "1", "a", "2", "b"}).integer, 2);
  EXPECT_EQ(redis.Command({"ZADD", "z", "NX", "5", "a", "3", "c"}).integer, 1);
  EXPECT_EQ(redis.Command({"ZSCORE", "z", "a"}).str, "1");
  EXPECT_EQ(redis.Command({"ZADD", "z", "CH", "7", "a", "2", "b"}).integer, 1);
  EXPECT_EQ(redis.Command({"ZINCRBY", "z", "inf", "b"}).str, "inf");
  EXPECT_EQ(redis.Command({"ZRANGE", "z", "0", "-1", "REV"}).elements.front().str, "b");
}

TEST(InMemoryRedisTest, ConcurrentCommandsAreSerialised) {
  InMemoryRedis redis;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) {
        redis.Command({"INCR", "n"});
        redis.Pipeline({{"ZINCRBY", "z", "1", "m"}, {"SADD", "s", std::to_string(i)}});
      }
    });
  }
  for (auto& thread : threads)
    thread.join();
  EXPECT_EQ(redis.Command({"GET", "n"}).str, "4000");
  EXPECT_EQ(redis.Command({"ZSCORE", "z", "m"}).str, "4000");
  EXPECT_EQ(redis.Command({"SMEMBERS", "s"}).elements.size(), 1000u);
}

}  // namespace
}  // namespace cinerec
