#pragma once
// Where users and their subscriptions live. PgUserRepository (pg_user_repository.h) is the real one;
// InMemoryUserRepository (in_memory_user_repository.h) is the fake for unit tests.
// Store failures throw StoreError; implementations are thread-safe.
#include <cstdint>
#include <optional>
#include <string>

#include "accounts/user.h"

namespace cinerec::accounts {

struct Credentials {
  User user;
  std::optional<std::string> password_hash;  // nullopt: an imported user who cannot sign in yet
};

struct SubscriptionChange {
  std::optional<std::string> plan;
  std::optional<std::string> status;
  std::optional<std::optional<std::string>> expires_at;  // set to a time, or to null (open-ended)
};

class UserRepository {
 public:
  virtual ~UserRepository() = default;
  // Creates the user and a free subscription in one transaction. Throws Conflict (409) for a taken e-mail.
  virtual User Create(const NewUser& user) = 0;
  virtual std::optional<User> FindById(std::int64_t id) = 0;
  virtual std::optional<Credentials> FindByEmail(const std::string& email) = 0;
  // Nullopt fields stay unchanged. Returns the updated user, nullopt when absent.
  virtual std::optional<User> UpdateProfile(std::int64_t id, const std::optional<std::string>& display_name,
                                            const std::optional<std::string>& profile_json) = 0;
  // The PHC string; nullopt when the user is absent or has no password (imported).
  virtual std::optional<std::string> PasswordHash(std::int64_t id) = 0;
  virtual void SetPasswordHash(std::int64_t id, const std::string& phc) = 0;
  // Returns the updated user, nullopt when absent. Throws Unprocessable for an invalid period.
  virtual std::optional<User> UpdateSubscription(std::int64_t id, const SubscriptionChange& change) = 0;
  // Deletes the user (their subscription, sessions, views and reactions cascade). False when absent.
  virtual bool Delete(std::int64_t id) = 0;
};

}  // namespace cinerec::accounts
