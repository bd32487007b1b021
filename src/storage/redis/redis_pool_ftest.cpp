// Fault tests: stop and start the test stack's Redis (this binary runs serially).

#include <gtest/gtest.h>

#include <thread>

#include "common/errors.h"
#include "storage/redis/redis_pool.h"
#include "support/test_env.h"

namespace cinerec {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// Restarts Redis even when an assertion fails in between, so later tests find
// it running.
struct RedisOutage {
  RedisOutage() { cinerec::testing::StopStore("redis"); }
  ~RedisOutage() { End(); }
  void End() {
    if (!ended) cinerec::testing::StartStore("redis");
    ended = true;
  }
  bool ended = false;
};

TEST(RedisPoolFaultTest, SameClientRecoversAfterRedisRestart) {
  auto config = cinerec::testing::StackConfig().redis;
  config.timeout = milliseconds(300);
  config.pool_size = 4;
  RedisPool pool(config);
  const std::string key = "cinerec:" + cinerec::testing::UniqueName() + ":k";
  // Fill the pool with open connections, which the restart will kill.
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] { pool.Pipeline({{"PING"}, {"PING"}}); });
  for (auto& thread : threads)
    thread.join();
  ASSERT_EQ(pool.Command({"SET", key, "before"}).str, "OK");

  {
    RedisOutage outage;
    for (int i = 0; i < 3; ++i) {
      auto start = Clock::now();
      EXPECT_THROW(pool.Command({"GET", key}), StoreError);
      EXPECT_THROW(pool.Pipeline({{"GET", key}, {"PING"}}), StoreError);
      EXPECT_THROW(pool.Ping(), StoreError);
      EXPECT_LT(Clock::now() - start, milliseconds(1500)) << "calls must fail fast while Redis is down";
    }
    outage.End();
  }
  // No retry loop: the very first call after the restart must work (stale
  // connections are dropped).
  EXPECT_NO_THROW(pool.Ping());
  EXPECT_EQ(pool.Command({"SET", key, "after"}).str, "OK");
  auto replies = pool.Pipeline({{"GET", key}, {"DEL", key}});
  EXPECT_EQ(replies[0].str, "after");
}

TEST(RedisPoolFaultTest, IdleConnectionsSurviveARestartWithoutAFailedCall) {
  auto config = cinerec::testing::StackConfig().redis;
  config.timeout = milliseconds(300);
  RedisPool pool(config);
  ASSERT_NO_THROW(pool.Ping());
  cinerec::testing::StopStore("redis");
  cinerec::testing::StartStore("redis");
  EXPECT_NO_THROW(pool.Ping());
  EXPECT_EQ(pool.Command({"PING"}).str, "PONG");
}

}  // namespace
}  // namespace cinerec

