// NearSessionStore on the test stack's Redis, with the real invalidation feed: a session is answered from
// memory, and a revocation made on another node reaches this one at once.
#include <gtest/gtest.h>

#include <thread>

#include "accounts/near_session_store.h"
#include "accounts/redis_session_store.h"
#include "accounts/token.h"
#include "common/config.h"
#include "storage/redis/invalidation_listener.h"
#include "storage/redis/redis_pool.h"
#include "support/eventually.h"
#include "support/test_env.h"

namespace cinerec::accounts {
namespace {

using std::chrono::milliseconds;

using cinerec::testing::Eventually;

struct Node {  // one API process's view of the sessions
  explicit Node(const RedisConfig& config, const std::string& prefix)
      : redis(config),
        listener(config),
        plain(redis, prefix),
        near(plain, &listener, {1 << 20, milliseconds(60000)}, prefix) {}
  RedisPool redis;
  RedisInvalidationListener listener;
  RedisSessionStore plain;
  NearSessionStore near;
};

TEST(NearSessionStoreTest, AnswersFromMemoryAndDropsARevocationFromAnotherNodeAtOnce) {
  const auto config = cinerec::testing::StackConfig().redis;
  const std::string prefix = "cinerec:" + cinerec::testing::UniqueName() + ":";
  Node here(config, prefix), there(config, prefix);
  ASSERT_TRUE(Eventually([&] { return here.listener.live() && there.listener.live(); }));
  const std::chrono::milliseconds ttl(3600 * 1000);

  const Session session{TokenDigest("token-1"), 42, "viewer", "premium", 0};
  there.near.Put(session, ttl);
  ASSERT_TRUE(here.near.GetAndTouch(session.digest, ttl).has_value());
  ASSERT_TRUE(here.near.GetAndTouch(session.digest, ttl).has_value());
  EXPECT_GE(here.near.stats().hits, 1u) << "the second lookup should not need Redis";

  there.near.Revoke(session.digest);  // sign-out on the other node
  EXPECT_TRUE(Eventually([&] { return !here.near.GetAndTouch(session.digest, ttl).has_value(); },
                         milliseconds(1000)));

  // A session whose expiry has slid back by more than the step is pushed forward again.
  const Session old{TokenDigest("token-2"), 43, "viewer", "free", 0};
  there.near.Put(old, milliseconds(1000 * 3000));  // remaining 3,000 s of a 3,600 s TTL: 600 s behind
  ASSERT_TRUE(here.near.GetAndTouch(old.digest, ttl).has_value());
  const auto pttl = here.redis.Command({"PTTL", here.plain.SessionKey(old.digest)});
  EXPECT_GT(pttl.integer, 3500 * 1000);
  here.near.Revoke(old.digest);
}

TEST(NearSessionStoreTest, WithoutTheFeedEveryLookupGoesToRedis) {
  const auto config = cinerec::testing::StackConfig().redis;
  const std::string prefix = "cinerec:" + cinerec::testing::UniqueName() + ":";
  RedisPool redis(config);
  RedisSessionStore plain(redis, prefix);
  NearSessionStore near(plain, nullptr, {1 << 20, milliseconds(60000)}, prefix);
  const Session session{TokenDigest("token-3"), 44, "viewer", "basic", 0};
  near.Put(session, milliseconds(60000));
  ASSERT_TRUE(near.GetAndTouch(session.digest, milliseconds(60000)).has_value());
  plain.Revoke(session.digest);
  EXPECT_FALSE(near.GetAndTouch(session.digest, milliseconds(60000)).has_value());
  EXPECT_EQ(near.stats().hits, 0u);
}

}  // namespace
}  // namespace cinerec::accounts
