// AccountsService on the real stores of the test stack: what crosses PostgreSQL and Redis.
#include <gtest/gtest.h>

#include "accounts/login_rate_limiter.h"
#include "accounts/password_hasher.h"
#include "accounts/pg_session_store.h"
#include "accounts/pg_user_repository.h"
#include "accounts/redis_session_store.h"
#include "accounts/session_service.h"
#include "app/stores.h"
#include "services/accounts/accounts_service.h"
#include "support/test_env.h"

namespace cinerec::accounts {
namespace {

TEST(AccountsServiceITest, ASubscriptionChangeReachesTheLiveSessionsTier) {
  const Config config = testing::IsolatedConfig();
  auto stores = Stores::Connect(config);
  PgUserRepository users(*stores.postgres);
  RedisSessionStore fast(*stores.redis, config.redis.key_prefix);
  PgSessionStore durable(*stores.postgres);
  SessionService sessions(fast, durable, std::chrono::hours(1));
  LoginRateLimiter limiter(*stores.redis, config.redis.key_prefix, LoginLimits{});
  const PasswordHasher hasher(Argon2Params{1, 1024, 1});  // fast: the test is not about hashing
  AccountsService service(users, sessions, limiter, hasher, nullptr);

  const auto ann = service.SignUp({"ann@example.com", "correct horse battery", "Ann"});
  const auto login = service.Login("ann@example.com", "correct horse battery", "127.0.0.1");
  ASSERT_EQ(sessions.Resolve(login.token)->tier, "free");  // now cached in Redis with the tier

  const Principal admin{0, Role::kAdmin, ""};
  SubscriptionChange premium;
  premium.plan = "premium";
  premium.status = "active";
  EXPECT_EQ(service.UpdateSubscription(admin, ann.id, premium).subscription.tier, "premium");

  const auto session = sessions.Resolve(login.token);
  ASSERT_TRUE(session.has_value());  // still signed in
  EXPECT_EQ(session->tier, "premium");
  EXPECT_EQ(sessions.Resolve(login.token)->tier, "premium");  // and so in Redis again
}

}  // namespace
}  // namespace cinerec::accounts
