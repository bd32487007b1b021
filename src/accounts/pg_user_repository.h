#pragma once
// UserRepository on PostgreSQL (tables users and subscriptions, migrations/postgres/0001_core.sql).
#include "accounts/user_repository.h"

namespace cinerec {
class PgPool;
}

namespace cinerec::accounts {

class PgUserRepository final : public UserRepository {
 public:
  // REQUIRES: pool outlives this.
  explicit PgUserRepository(PgPool& pool) : pool_(pool) {}
  User Create(const NewUser& user) override;
  std::optional<User> FindById(std::int64_t id) override;
  std::optional<Credentials> FindByEmail(const std::string& email) override;
  std::optional<User> UpdateProfile(std::int64_t id, const std::optional<std::string>& display_name,
                                    const std::optional<std::string>& profile_json) override;
  std::optional<std::string> PasswordHash(std::int64_t id) override;
  void SetPasswordHash(std::int64_t id, const std::string& phc) override;
  std::optional<User> UpdateSubscription(std::int64_t id, const SubscriptionChange& change) override;
  bool Delete(std::int64_t id) override;

 private:
  PgPool& pool_;
};

}  // namespace cinerec::accounts
