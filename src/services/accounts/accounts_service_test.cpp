#include "services/accounts/accounts_service.h"

#include <gtest/gtest.h>

#include "accounts/in_memory_session_store.h"
#include "accounts/in_memory_user_repository.h"
#include "accounts/redis_session_store.h"
#include "accounts/token.h"
#include "storage/redis/in_memory_redis.h"

namespace cinerec::accounts {
namespace {

int StatusOf(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const ApiError& e) {
    return e.status();
  }
  return 0;
}

struct Fixture {
  InMemoryUserRepository users;
  InMemoryRedis redis;
  RedisSessionStore fast{redis, "t:"};
  InMemorySessionStore durable;
  SessionService sessions{fast, durable, std::chrono::hours(1)};
  LoginRateLimiter limiter{redis, "t:", LoginLimits{3, std::chrono::seconds(60)}};
  PasswordHasher hasher{Argon2Params{1, 64, 1}};
  AccountsService service{users, sessions, limiter, hasher, nullptr};

  Principal PrincipalOf(const std::string& token) {
    auto s = sessions.Resolve(token);
    EXPECT_TRUE(s);
    return Principal{s->user_id, s->role == "admin" ? Role::kAdmin : Role::kViewer, HexDigest(s->digest)};
  }
  User NewUser(const std::string& email) {
    return service.SignUp({email, "a long enough password", "Name", "{}"});
  }
};

TEST(AccountsServiceTest, SignUpNormalisesAndStoresOnlyAHash) {
  Fixture f;
  auto user = f.NewUser("Ann@Example.COM");
  EXPECT_EQ(user.email, "ann@example.com");
  auto stored = f.users.FindByEmail("ann@example.com");
  ASSERT_TRUE(stored && stored->password_hash);
  EXPECT_TRUE(stored->password_hash->starts_with("$argon2id$"));
  EXPECT_EQ(StatusOf([&] { f.NewUser("ANN@example.com"); }), 409);
}

TEST(AccountsServiceTest, LoginFailuresLookTheSameAndAreLimited) {
  Fixture f;
  f.NewUser("a@x.io");
  std::string wrong, unknown;
  try {
    f.service.Login("a@x.io", "wrong password!", "1.1.1.1");
  } catch (const ApiError& e) {
    wrong = e.what();
    EXPECT_EQ(e.status(), 401);
  }
  try {
    f.service.Login("b@x.io", "wrong password!", "2.2.2.2");
  } catch (const ApiError& e) {
    unknown = e.what();
  }
  EXPECT_EQ(wrong, unknown);
  EXPECT_EQ(StatusOf([&] { f.service.Login("a@x.io", "wrong password!", "1.1.1.1"); }), 401);
  EXPECT_EQ(StatusOf([&] { f.service.Login("a@x.io", "wrong password!", "1.1.1.1"); }), 401);
  EXPECT_EQ(StatusOf([&] { f.service.Login("a@x.io", "a long enough password", "3.3.3.3"); }), 429);
}

TEST(AccountsServiceTest, PasswordChangeRevokesOtherSessionsOnly) {
  Fixture f;
  f.NewUser("a@x.io");
  auto one = f.service.Login("A@x.io", "a long enough password", "1").token;
  auto two = f.service.Login("a@x.io", "a long enough password", "1").token;
  auto principal = f.PrincipalOf(one);
  EXPECT_EQ(
      StatusOf([&] { f.service.ChangePassword(principal, "not the old one", "another long password"); }),
      422);
  f.service.ChangePassword(principal, "a long enough password", "another long password");
  EXPECT_TRUE(f.sessions.Resolve(one));
  EXPECT_FALSE(f.sessions.Resolve(two));
  f.service.Logout(principal);
  EXPECT_FALSE(f.sessions.Resolve(one));
}

TEST(AccountsServiceTest, ViewersReachOnlyTheirOwnDataAndErasureForgetsSessions) {
  Fixture f;
  auto ann = f.NewUser("ann@x.io");
  auto bob = f.NewUser("bob@x.io");
  auto token = f.service.Login("ann@x.io", "a long enough password", "1").token;
  auto principal = f.PrincipalOf(token);
  EXPECT_EQ(f.service.GetUser(principal, ann.id).id, ann.id);
  EXPECT_EQ(StatusOf([&] { f.service.GetUser(principal, bob.id); }), 403);
  EXPECT_EQ(StatusOf([&] { f.service.UpdateSubscription(principal, ann.id, {}); }), 403);
  Principal admin{0, Role::kAdmin, ""};
  EXPECT_EQ(StatusOf([&] { f.service.GetUser(admin, 999); }), 404);
  auto result = f.service.Erase(principal, ann.id);
  EXPECT_EQ(result.incomplete, std::vector<std::string>{"clickhouse"});  // no ClickHouse in this fixture
  EXPECT_FALSE(f.fast.Get(TokenDigest(token)));
  EXPECT_EQ(StatusOf([&] { f.service.GetUser(admin, ann.id); }), 404);
}

}  // namespace
}  // namespace cinerec::accounts
