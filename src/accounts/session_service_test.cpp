#include "accounts/session_service.h"

#include <gtest/gtest.h>

#include "accounts/in_memory_session_store.h"
#include "accounts/redis_session_store.h"
#include "accounts/token.h"
#include "storage/redis/in_memory_redis.h"

namespace cinerec::accounts {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// One clock drives both fakes: Redis TTLs (steady) and PostgreSQL expiry (wall).
struct Fixture {
  ManualClock clock;
  std::chrono::system_clock::time_point wall_start = std::chrono::system_clock::now();
  std::chrono::steady_clock::time_point steady_start = clock.Now();
  InMemoryRedis redis{clock.AsFunction()};
  RedisSessionStore fast{redis, "t:"};
  InMemorySessionStore durable{[this] { return Wall(); }};
  SessionService sessions{fast, durable, seconds(100), [this] { return Wall(); }};

  std::chrono::system_clock::time_point Wall() const {
    return wall_start
           + std::chrono::duration_cast<std::chrono::system_clock::duration>(clock.Now() - steady_start);
  }
  void Advance(seconds s) { clock.Advance(s); }
};

TEST(SessionServiceTest, TokenIsRandomBase64UrlAndOnlyItsDigestIsStored) {
  Fixture f;
  auto created = f.sessions.Create(7, "viewer", "free");
  EXPECT_EQ(created.token.size(), 43u);
  EXPECT_EQ(
      created.token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
      std::string::npos);
  EXPECT_NE(created.token, f.sessions.Create(7, "viewer", "free").token);
  auto key = f.fast.SessionKey(TokenDigest(created.token));
  EXPECT_EQ(key, "t:session:{" + HexDigest(TokenDigest(created.token)) + "}");
  EXPECT_EQ(key.find(created.token), std::string::npos);
  auto session = f.sessions.Resolve(created.token);
  ASSERT_TRUE(session);
  EXPECT_EQ(session->user_id, 7);
  EXPECT_EQ(session->role, "viewer");
}

TEST(SessionServiceTest, TtlSlidesOnUseAndExpiresWhenIdle) {
  Fixture f;
  auto token = f.sessions.Create(1, "viewer", "basic").token;
  for (int i = 0; i < 5; ++i) {  // used every 60 s: lives far beyond one TTL of 100 s
    f.Advance(seconds(60));
    ASSERT_TRUE(f.sessions.Resolve(token)) << "use " << i;
  }
  f.Advance(seconds(101));
  EXPECT_FALSE(f.sessions.Resolve(token));
}

TEST(SessionServiceTest, RedisDownFallsBackToTheDurableCopyAndRefillsIt) {
  Fixture f;
  f.redis.SetAvailable(false);
  auto token = f.sessions.Create(3, "admin", "premium").token;  // created during the outage
  auto session = f.sessions.Resolve(token);
  ASSERT_TRUE(session);
  EXPECT_EQ(session->role, "admin");
  f.redis.SetAvailable(true);
  EXPECT_EQ(f.redis.KeyCount(), 0u);
  ASSERT_TRUE(f.sessions.Resolve(token));
  EXPECT_TRUE(f.fast.Get(TokenDigest(token)));  // refilled
}

TEST(SessionServiceTest, DurableExpiryFollowsSlidingUseSoAnOutageKeepsActiveSessions) {
  Fixture f;
  auto token = f.sessions.Create(1, "viewer", "free").token;
  for (int i = 0; i < 4; ++i) {
    f.Advance(seconds(60));
    ASSERT_TRUE(f.sessions.Resolve(token));
  }
  f.redis.SetAvailable(false);
  f.Advance(seconds(60));  // 300 s after creation, 60 s after last use
  EXPECT_TRUE(f.sessions.Resolve(token));
}

TEST(SessionServiceTest, RevokeAndRevokeUserKeepingTheCurrentSession) {
  Fixture f;
  auto a = f.sessions.Create(5, "viewer", "free").token;
  auto b = f.sessions.Create(5, "viewer", "free").token;
  auto c = f.sessions.Create(5, "viewer", "free").token;
  auto other = f.sessions.Create(6, "viewer", "free").token;
  f.sessions.Revoke(TokenDigest(a));
  EXPECT_FALSE(f.sessions.Resolve(a));
  f.sessions.RevokeUser(5, TokenDigest(b));
  EXPECT_TRUE(f.sessions.Resolve(b));
  EXPECT_FALSE(f.sessions.Resolve(c));
  EXPECT_TRUE(f.sessions.Resolve(other));
}

TEST(SessionServiceTest, RevocationsMissedByRedisAreReplayedWhenItIsBack) {
  Fixture f;
  auto a = f.sessions.Create(8, "viewer", "free").token;
  auto b = f.sessions.Create(9, "viewer", "free").token;
  auto c = f.sessions.Create(9, "viewer", "free").token;
  f.redis.SetAvailable(false);  // Redis keeps its data: the copies would come back with it
  f.sessions.Revoke(TokenDigest(a));
  f.sessions.RevokeUser(9, TokenDigest(c));
  EXPECT_FALSE(f.sessions.Resolve(a));  // PostgreSQL answers meanwhile
  EXPECT_FALSE(f.sessions.Resolve(b));
  EXPECT_TRUE(f.sessions.Resolve(c));
  f.redis.SetAvailable(true);
  EXPECT_FALSE(f.sessions.Resolve(a));
  EXPECT_FALSE(f.sessions.Resolve(b));
  EXPECT_TRUE(f.sessions.Resolve(c));
  EXPECT_FALSE(f.fast.Get(TokenDigest(a)));
  EXPECT_FALSE(f.fast.Get(TokenDigest(b)));
}

TEST(SessionServiceTest, UnknownTokenIsNullopt) {
  Fixture f;
  EXPECT_FALSE(f.sessions.Resolve("no-such-token"));
}

}  // namespace
}  // namespace cinerec::accounts
