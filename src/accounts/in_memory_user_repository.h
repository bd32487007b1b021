#pragma once
// A UserRepository in a map, for unit tests of the accounts service. E-mails are unique (Conflict), ids
// increase from 1, a missing subscription row reads as free. Thread-safe.
#include <map>
#include <mutex>

#include "accounts/user_repository.h"

namespace cinerec::accounts {

class InMemoryUserRepository final : public UserRepository {
 public:
  User Create(const NewUser& user) override;
  std::optional<User> FindById(std::int64_t id) override;
  std::optional<Credentials> FindByEmail(const std::string& email) override;
  std::optional<User> UpdateProfile(std::int64_t id, const std::optional<std::string>& display_name,
                                    const std::optional<std::string>& profile_json) override;
  std::optional<std::string> PasswordHash(std::int64_t id) override;
  void SetPasswordHash(std::int64_t id, const std::string& phc) override;
  // Sets the fields given; the tier follows the plan unless the status is cancelled or expired.
  std::optional<User> UpdateSubscription(std::int64_t id, const SubscriptionChange& change) override;
  bool Delete(std::int64_t id) override;

 private:
  std::mutex mutex_;
  std::map<std::int64_t, Credentials> users_;  // GUARDED_BY(mutex_)
  std::int64_t next_id_ = 1;                   // GUARDED_BY(mutex_)
};

}  // namespace cinerec::accounts
