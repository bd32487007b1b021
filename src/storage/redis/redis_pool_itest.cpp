#include <gtest/gtest.h>

#include <iostream>
#include <thread>

#include "common/errors.h"
#include "storage/redis/redis_contract.h"
#include "storage/redis/redis_pool.h"
#include "support/test_env.h"

namespace cinerec {
namespace {

// A key prefix unique to the test; every key handed out is deleted afterwards.
struct RealRedisBackend {
  static constexpr std::chrono::milliseconds kShortTtl{100};
  RedisPool pool{cinerec::testing::StackConfig().redis};
  std::string prefix = "cinerec:" + cinerec::testing::UniqueName() + ":";
  std::vector<std::string> keys;

  ~RealRedisBackend() {
    if (keys.empty()) return;
    RedisCommand del{"DEL"};
    del.insert(del.end(), keys.begin(), keys.end());
    pool.Command(del);
  }
  RedisClient& client() { return pool; }
  std::string Key(std::string_view name) { return keys.emplace_back(prefix + std::string(name)); }
  void LetTimePass(std::chrono::milliseconds delta) { std::this_thread::sleep_for(delta); }
};

}  // namespace

INSTANTIATE_TYPED_TEST_SUITE_P(RealServer, RedisContract, ::testing::Types<RealRedisBackend>);

namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

TEST(RedisPoolTest, ConcurrentCallersShareASmallPool) {
  auto config = cinerec::testing::StackConfig().redis;
  config.pool_size = 2;
  config.timeout = milliseconds(2000);
  RedisPool pool(config);
  const std::string key = "cinerec:" + cinerec::testing::UniqueName() + ":n";
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i)
        pool.Command({"INCR", key});
    });
  }
  for (auto& thread : threads)
    thread.join();
  EXPECT_EQ(pool.Command({"GET", key}).str, "1600");
  pool.Command({"DEL", key});
}

TEST(RedisPoolTest, ATimedOutConnectionIsReplaced) {
  auto config = cinerec::testing::StackConfig().redis;
  config.pool_size = 1;
  config.timeout = milliseconds(200);
  RedisPool pool(config);
  const std::string key = "cinerec:" + cinerec::testing::UniqueName() + ":list";
  auto start = Clock::now();
  try {
    pool.Command({"BLPOP", key, "2"});  // blocks on the server longer than our timeout
    ADD_FAILURE() << "BLPOP should have timed out";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("timed out"), std::string::npos) << e.what();
  }
  EXPECT_LT(Clock::now() - start, milliseconds(1500));
  // The only connection was dropped; the next call opens a new one instead of reading BLPOP's late reply.
  EXPECT_EQ(pool.Command({"PING"}).str, "PONG");
  EXPECT_NO_THROW(pool.Ping());
}

TEST(RedisPoolTest, UnreachableServerFailsFastWithARedactedUrl) {
  RedisConfig config;
  config.url = "redis://:topsecret@127.0.0.1:1/0";
  config.timeout = milliseconds(300);
  RedisPool pool(config);  // lazy: constructing does not connect
  try {
    pool.Ping();
    ADD_FAILURE() << "expected StoreError";
  } catch (const StoreError& e) {
    EXPECT_EQ(e.store(), "redis");
    EXPECT_EQ(std::string(e.what()).find("topsecret"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("127.0.0.1:1"), std::string::npos) << e.what();
  }
}

TEST(RedisPoolTest, WrongPasswordIsAStoreError) {
  auto config = cinerec::testing::StackConfig().redis;
  auto at = config.url.find("://");
  config.url = config.url.substr(0, at + 3) + ":wrong@" + config.url.substr(at + 3);
  RedisPool pool(config);
  EXPECT_THROW(pool.Ping(), StoreError);  // the test stack has no password: AUTH is refused
}

TEST(RedisPoolTest, SelectsTheDatabaseOfTheUrl) {
  auto config = cinerec::testing::StackConfig().redis;
  const std::string key = "cinerec:" + cinerec::testing::UniqueName() + ":db";
  auto slash = config.url.rfind('/');
  auto db3 = config;
  db3.url = config.url.substr(0, slash) + "/3";
  RedisPool pool3(db3);
  RedisPool pool0(config);
  pool3.Command({"SET", key, "in-3"});
  EXPECT_TRUE(pool0.Command({"GET", key}).is_nil());
  EXPECT_EQ(pool3.Command({"GET", key}).str, "in-3");
  pool3.Command({"DEL", key});
}

// Prints figures for the report; asserts only that the work was done.
TEST(RedisPoolTest, Throughput) {
  RedisPool pool(cinerec::testing::StackConfig().redis);
  const std::string key = "cinerec:" + cinerec::testing::UniqueName() + ":t";
  pool.Command({"SET", key, "v"});
  constexpr int kRoundTrips = 5000, kPipelined = 200000, kBatch = 1000;
  auto start = Clock::now();
  for (int i = 0; i < kRoundTrips; ++i)
    pool.Command({"GET", key});
  double single = kRoundTrips / std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<RedisCommand> batch(kBatch, RedisCommand{"GET", key});
  start = Clock::now();
  for (int i = 0; i < kPipelined / kBatch; ++i)
    ASSERT_EQ(pool.Pipeline(batch).size(), std::size_t{kBatch});
  double pipelined = kPipelined / std::chrono::duration<double>(Clock::now() - start).count();
  std::cout << "redis GET: " << static_cast<long>(single) << " ops/s one round trip each, "
            << static_cast<long>(pipelined) << " ops/s pipelined by " << kBatch << "\n";
  RecordProperty("single_ops_per_s", static_cast<int>(single));
  RecordProperty("pipelined_ops_per_s", static_cast<int>(pipelined));
  pool.Command({"DEL", key});
}

}  // namespace
}  // namespace cinerec
