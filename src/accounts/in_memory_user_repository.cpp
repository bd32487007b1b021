#include "accounts/in_memory_user_repository.h"

#include "common/errors.h"

namespace cinerec::accounts {

User InMemoryUserRepository::Create(const NewUser& user) {
  std::lock_guard lock(mutex_);
  for (const auto& [id, c] : users_)
    if (c.user.email == user.email) throw Conflict("an account with this email already exists");
  Credentials c;
  c.user.id = next_id_++;
  c.user.email = user.email;
  c.user.display_name = user.display_name;
  c.user.profile_json = user.profile_json;
  c.user.created_at = "2026-01-01T00:00:00Z";
  c.password_hash = user.password_hash;
  users_[c.user.id] = c;
  return c.user;
}

std::optional<User> InMemoryUserRepository::FindById(std::int64_t id) {
  std::lock_guard lock(mutex_);
  auto it = users_.find(id);
  if (it == users_.end()) return std::nullopt;
  return it->second.user;
}

std::optional<Credentials> InMemoryUserRepository::FindByEmail(const std::string& email) {
  std::lock_guard lock(mutex_);
  for (const auto& [id, c] : users_)
    if (c.user.email == email) return c;
  return std::nullopt;
}

std::optional<User> InMemoryUserRepository::UpdateProfile(std::int64_t id,
                                                          const std::optional<std::string>& display_name,
                                                          const std::optional<std::string>& profile_json) {
  std::lock_guard lock(mutex_);
  auto it = users_.find(id);
  if (it == users_.end()) return std::nullopt;
  if (display_name) it->second.user.display_name = *display_name;
  if (profile_json) it->second.user.profile_json = *profile_json;
  return it->second.user;
}

std::optional<std::string> InMemoryUserRepository::PasswordHash(std::int64_t id) {
  std::lock_guard lock(mutex_);
  auto it = users_.find(id);
  if (it == users_.end()) return std::nullopt;
  return it->second.password_hash;
}

void InMemoryUserRepository::SetPasswordHash(std::int64_t id, const std::string& phc) {
  std::lock_guard lock(mutex_);
  if (auto it = users_.find(id); it != users_.end()) it->second.password_hash = phc;
}

std::optional<User> InMemoryUserRepository::UpdateSubscription(std::int64_t id,
                                                               const SubscriptionChange& change) {
  std::lock_guard lock(mutex_);
  auto it = users_.find(id);
  if (it == users_.end()) return std::nullopt;
  auto& s = it->second.user.subscription;
  if (change.plan) s.plan = *change.plan;
  if (change.status) s.status = *change.status;
  if (change.expires_at) s.expires_at = *change.expires_at;
  s.tier = (s.status == "active" || s.status == "past_due") ? s.plan : "free";
  return it->second.user;
}

bool InMemoryUserRepository::Delete(std::int64_t id) {
  std::lock_guard lock(mutex_);
  return users_.erase(id) > 0;
}

}  // namespace cinerec::accounts
