#pragma once
// The SessionStore contract: one typed test suite that every SessionStore passes (the in-memory fake and
// RedisSessionStore on InMemoryRedis in session_store_test.cpp; PgSessionStore and RedisSessionStore on the
// test stack in session_store_itest.cpp), so the fakes cannot drift from the real stores.
// A Backend is default-constructible per test and provides:
//   SessionStore& store();
//   std::int64_t NewUserId();                        // an existing user (PostgreSQL checks the foreign key)
//   void LetTimePass(std::chrono::milliseconds d);   // fakes advance their clock, real stores sleep
//   static constexpr std::chrono::milliseconds kShortTtl;  // a TTL that LetTimePass(3 * kShortTtl) outlives
#include <gtest/gtest.h>

#include "accounts/session_store.h"
#include "accounts/token.h"

namespace cinerec::accounts {

template <typename Backend>
class SessionStoreContract : public ::testing::Test {
 protected:
  Session NewSession(std::int64_t user_id, const std::string& role = "viewer") {
    static int counter = 0;
    return Session{TokenDigest("token-" + std::to_string(++counter) + "-" + std::to_string(user_id)), user_id,
                   role, "free", 0};
  }
  Backend backend_;
};

TYPED_TEST_SUITE_P(SessionStoreContract);

TYPED_TEST_P(SessionStoreContract, PutGetAndUnknown) {
  auto& store = this->backend_.store();
  auto session = this->NewSession(this->backend_.NewUserId(), "admin");
  store.Put(session, std::chrono::hours(1));
  auto got = store.Get(session.digest);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->user_id, session.user_id);
  EXPECT_EQ(got->role, "admin");
  EXPECT_EQ(got->tier, "free");
  EXPECT_FALSE(store.Get(TokenDigest("never issued")));
  auto touched = store.GetAndTouch(session.digest, std::chrono::hours(1));
  ASSERT_TRUE(touched);
  EXPECT_EQ(touched->user_id, session.user_id);
}

TYPED_TEST_P(SessionStoreContract, RevokeAndRevokeUserKeepingOne) {
  auto& store = this->backend_.store();
  auto user = this->backend_.NewUserId();
  auto other_user = this->backend_.NewUserId();
  auto a = this->NewSession(user), b = this->NewSession(user), c = this->NewSession(user);
  auto other = this->NewSession(other_user);
  for (const auto* s : {&a, &b, &c, &other})
    store.Put(*s, std::chrono::hours(1));
  store.Revoke(a.digest);
  EXPECT_FALSE(store.Get(a.digest));
  store.RevokeUser(user, b.digest);
  EXPECT_TRUE(store.Get(b.digest));
  EXPECT_FALSE(store.Get(c.digest));
  EXPECT_TRUE(store.Get(other.digest));
  store.RevokeUser(user);
  EXPECT_FALSE(store.Get(b.digest));
}

TYPED_TEST_P(SessionStoreContract, ExpiresAfterTtlUnlessTouched) {
  auto& store = this->backend_.store();
  const auto ttl = TypeParam::kShortTtl;
  auto idle = this->NewSession(this->backend_.NewUserId());
  auto used = this->NewSession(this->backend_.NewUserId());
  store.Put(idle, ttl);
  store.Put(used, ttl);
  this->backend_.LetTimePass(ttl / 2);
  store.Touch(used.digest, 10 * ttl);
  this->backend_.LetTimePass(3 * ttl);
  EXPECT_FALSE(store.Get(idle.digest));
  EXPECT_TRUE(store.Get(used.digest));
}

REGISTER_TYPED_TEST_SUITE_P(SessionStoreContract, PutGetAndUnknown, RevokeAndRevokeUserKeepingOne,
                            ExpiresAfterTtlUnlessTouched);

}  // namespace cinerec::accounts
