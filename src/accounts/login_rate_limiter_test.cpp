#include "accounts/login_rate_limiter.h"

#include <gtest/gtest.h>

#include "storage/redis/in_memory_redis.h"

namespace cinerec::accounts {
namespace {

using std::chrono::seconds;

TEST(LoginRateLimiterTest, BlocksPerAccountAndPerAddressUntilTheWindowEnds) {
  ManualClock clock;
  InMemoryRedis redis(clock.AsFunction());
  LoginRateLimiter limiter(redis, "t:", LoginLimits{3, seconds(60)});
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(limiter.Blocked("a@x.io", "10.0.0.1"));
    limiter.RecordFailure("a@x.io", "10.0.0.1");
  }
  auto wait = limiter.Blocked("a@x.io", "10.0.0.2");  // same account, other address
  ASSERT_TRUE(wait);
  EXPECT_EQ(*wait, seconds(60));
  EXPECT_TRUE(limiter.Blocked("b@x.io", "10.0.0.1"));  // same address, other account
  EXPECT_FALSE(limiter.Blocked("b@x.io", "10.0.0.2"));
  clock.Advance(seconds(61));
  EXPECT_FALSE(limiter.Blocked("a@x.io", "10.0.0.1"));
}

TEST(LoginRateLimiterTest, SuccessClearsTheAccountCounter) {
  InMemoryRedis redis;
  LoginRateLimiter limiter(redis, "t:", LoginLimits{2, seconds(60)});
  limiter.RecordFailure("a@x.io", "1");
  limiter.RecordSuccess("a@x.io");
  limiter.RecordFailure("a@x.io", "2");
  EXPECT_FALSE(limiter.Blocked("a@x.io", "3"));
}

TEST(LoginRateLimiterTest, FallsBackToAnInProcessLimitWhenRedisIsDown) {
  InMemoryRedis redis;
  redis.SetAvailable(false);
  LoginRateLimiter limiter(redis, "t:", LoginLimits{2, seconds(60)});
  limiter.RecordFailure("a@x.io", "1");
  EXPECT_FALSE(limiter.Blocked("a@x.io", "1"));
  limiter.RecordFailure("a@x.io", "1");
  EXPECT_TRUE(limiter.Blocked("a@x.io", "9"));
}

}  // namespace
}  // namespace cinerec::accounts
