#include "accounts/password_hasher.h"

#include <gtest/gtest.h>

namespace cinerec::accounts {
namespace {

// Cheap parameters: the unit tests check behaviour, not cost.
Argon2Params Fast() {
  Argon2Params p;
  p.memory_kib = 64;
  p.time_cost = 1;
  return p;
}

TEST(PasswordHasherTest, RoundTripAndWrongPassword) {
  PasswordHasher hasher(Fast());
  auto phc = hasher.Hash("correct horse battery staple");
  EXPECT_TRUE(phc.starts_with("$argon2id$v=19$m=64,t=1,p=1$")) << phc;
  EXPECT_TRUE(hasher.Verify(phc, "correct horse battery staple"));
  EXPECT_FALSE(hasher.Verify(phc, "correct horse battery stapler"));
  EXPECT_FALSE(hasher.Verify("not a phc string", "x"));
}

TEST(PasswordHasherTest, SaltsDifferAndParametersTravelWithTheHash) {
  PasswordHasher fast(Fast());
  auto a = fast.Hash("same password");
  EXPECT_NE(a, fast.Hash("same password"));
  PasswordHasher stronger(Argon2Params{});
  EXPECT_TRUE(stronger.Verify(a, "same password"));  // old hashes stay valid when the cost is raised
}

TEST(PasswordHasherTest, DefaultsAreOwaspMinimum) {
  Argon2Params p;
  EXPECT_EQ(p.memory_kib, 19u * 1024);
  EXPECT_EQ(p.time_cost, 2u);
  EXPECT_EQ(p.parallelism, 1u);
}

}  // namespace
}  // namespace cinerec::accounts
