#pragma once
// The UserRepository contract: one typed test suite that InMemoryUserRepository (user_repository_test.cpp)
// and PgUserRepository (user_repository_itest.cpp) both pass. A Backend is default-constructible per test and
// provides `UserRepository& repository();`.
#include <gtest/gtest.h>

#include "accounts/user_repository.h"
#include "common/errors.h"

namespace cinerec::accounts {

template <typename Backend>
class UserRepositoryContract : public ::testing::Test {
 protected:
  static NewUser Sample(const std::string& email) {
    return NewUser{email, "Name \"quoted\" 'single' 映画", "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaA",
                   R"({"country":"DE"})"};
  }
  Backend backend_;
};

TYPED_TEST_SUITE_P(UserRepositoryContract);

TYPED_TEST_P(UserRepositoryContract, CreateFindAndDuplicateEmail) {
  auto& repo = this->backend_.repository();
  auto user = repo.Create(this->Sample("ann@example.com"));
  EXPECT_GT(user.id, 0);
  EXPECT_EQ(user.display_name, "Name \"quoted\" 'single' 映画");
  EXPECT_EQ(user.role, "viewer");
  EXPECT_EQ(user.subscription.plan, "free");
  EXPECT_EQ(user.subscription.tier, "free");
  auto found = repo.FindByEmail("ann@example.com");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->user.id, user.id);
  EXPECT_EQ(found->password_hash, this->Sample("").password_hash);
  EXPECT_EQ(repo.FindById(user.id)->email, "ann@example.com");
  EXPECT_FALSE(repo.FindById(user.id + 1000));
  EXPECT_FALSE(repo.FindByEmail("bob@example.com"));
  try {
    repo.Create(this->Sample("ann@example.com"));
    ADD_FAILURE() << "duplicate e-mail accepted";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.status(), 409);
  }
}

TYPED_TEST_P(UserRepositoryContract, UpdateProfilePasswordSubscriptionAndDelete) {
  auto& repo = this->backend_.repository();
  auto id = repo.Create(this->Sample("ann@example.com")).id;
  auto updated = repo.UpdateProfile(id, std::nullopt, std::string(R"({"language":"de"})"));
  ASSERT_TRUE(updated);
  EXPECT_EQ(updated->display_name, this->Sample("").display_name);
  EXPECT_NE(updated->profile_json.find("language"), std::string::npos);
  EXPECT_FALSE(repo.UpdateProfile(id + 1000, std::string("x"), std::nullopt));

  repo.SetPasswordHash(id, "$argon2id$new");
  EXPECT_EQ(repo.PasswordHash(id), "$argon2id$new");

  SubscriptionChange change;
  change.plan = "premium";
  auto premium = repo.UpdateSubscription(id, change);
  ASSERT_TRUE(premium);
  EXPECT_EQ(premium->subscription.tier, "premium");
  change = {};
  change.status = "cancelled";
  EXPECT_EQ(repo.UpdateSubscription(id, change)->subscription.tier, "free");
  EXPECT_FALSE(repo.UpdateSubscription(id + 1000, change));

  EXPECT_TRUE(repo.Delete(id));
  EXPECT_FALSE(repo.Delete(id));
  EXPECT_FALSE(repo.FindById(id));
}

REGISTER_TYPED_TEST_SUITE_P(UserRepositoryContract, CreateFindAndDuplicateEmail,
                            UpdateProfilePasswordSubscriptionAndDelete);

}  // namespace cinerec::accounts
