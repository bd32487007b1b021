#include "services/accounts/accounts_service.h"

#include <spdlog/spdlog.h>

#include "accounts/token.h"
#include "accounts/validation.h"
#include "common/errors.h"
#include "storage/clickhouse/clickhouse_client.h"

namespace cinerec::accounts {

std::int64_t OwnUserId(const Principal& principal) {
  if (principal.user_id == 0) throw Forbidden("an API key has no account; use /v1/users/{id}");
  return principal.user_id;
}

User AccountsService::SignUp(const SignUpRequest& request) {
  NewUser user;
  user.email = NormaliseEmail(request.email);
  ValidatePassword(request.password);
  ValidateDisplayName(request.display_name);
  user.display_name = request.display_name;
  user.profile_json = request.profile_json;
  user.password_hash = hasher_.Hash(request.password);
  return users_.Create(user);
}

LoginResult AccountsService::Login(const std::string& raw_email, const std::string& password,
                                   const std::string& address) {
  std::string email = raw_email;
  for (auto& c : email)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  // The counter key is bounded: no stored e-mail is longer, so a longer one still counts, just truncated.
  const std::string counted = email.substr(0, kEmailMaxChars);
  if (auto wait = limiter_.Blocked(counted, address)) throw TooManyAttempts(*wait);
  auto credentials = users_.FindByEmail(email);
  bool ok = false;
  if (credentials && credentials->password_hash) {
    ok = hasher_.Verify(*credentials->password_hash, password);
  } else {
    hasher_.VerifyDummy(password);  // same cost as a real check: timing does not reveal the account
  }
  if (!ok) {
    limiter_.RecordFailure(counted, address);
    throw Unauthorized("wrong email or password");
  }
  limiter_.RecordSuccess(counted);
  const auto& user = credentials->user;
  auto created = sessions_.Create(user.id, user.role, user.subscription.tier);
  return {created.token, created.session.expires_at_ms, user};
}

void AccountsService::Logout(const Principal& principal) {
  if (principal.session_id.empty()) return;  // an API key: nothing to revoke
  sessions_.Revoke(DigestFromHex(principal.session_id));
}

User AccountsService::GetUser(const Principal& principal, std::int64_t id) {
  RequireUserAccess(principal, id);
  auto user = users_.FindById(id);
  if (!user) throw NotFound("no user " + std::to_string(id));
  return *user;
}

User AccountsService::UpdateProfile(const Principal& principal, std::int64_t id,
                                    const std::optional<std::string>& display_name,
                                    const std::optional<std::string>& profile_json) {
  RequireUserAccess(principal, id);
  if (display_name) ValidateDisplayName(*display_name);
  auto user = users_.UpdateProfile(id, display_name, profile_json);
  if (!user) throw NotFound("no user " + std::to_string(id));
  return *user;
}

void AccountsService::ChangePassword(const Principal& principal, const std::string& old_password,
                                     const std::string& new_password) {
  auto id = OwnUserId(principal);
  ValidatePassword(new_password, "new_password");
  auto hash = users_.PasswordHash(id);
  if (!hash || !hasher_.Verify(*hash, old_password))
    throw Unprocessable("old_password", "does not match the current password");
  users_.SetPasswordHash(id, hasher_.Hash(new_password));
  sessions_.RevokeUser(id, DigestFromHex(principal.session_id));
}

ErasureResult AccountsService::Erase(const Principal& principal, std::int64_t id) {
  RequireUserAccess(principal, id);
  // PostgreSQL first: it is the record, and its cascade removes subscriptions, sessions, views, reactions.
  if (!users_.Delete(id)) throw NotFound("no user " + std::to_string(id));
  ErasureResult result;
  try {
    sessions_.ForgetUser(id);
  } catch (const StoreError& e) {
    // The Redis copies die with their TTL; PostgreSQL no longer has the sessions, so a refill cannot revive
    // them.
    spdlog::error("erasure of user {}: redis sessions not removed ({}); they expire with their TTL", id,
                  e.what());
    result.incomplete.emplace_back("redis");
  }
  for (const char* table : kUserEventTables) {
    try {
      if (!clickhouse_) throw StoreError("clickhouse", "not configured");
      clickhouse_->Query("ALTER TABLE " + std::string(table)
                         + " DELETE WHERE user_id = " + std::to_string(id));
    } catch (const std::exception& e) {
      spdlog::error("erasure of user {}: clickhouse table {} not erased ({}); rerun the mutation by hand", id,
                    table, e.what());
      if (result.incomplete.empty() || result.incomplete.back() != "clickhouse")
        result.incomplete.emplace_back("clickhouse");
    }
  }
  return result;
}

User AccountsService::UpdateSubscription(const Principal& principal, std::int64_t id,
                                         const SubscriptionChange& change) {
  RequireAdmin(principal);
  auto user = users_.UpdateSubscription(id, change);
  if (!user) throw NotFound("no user " + std::to_string(id));
  // Live sessions carry the tier in Redis. Dropping those copies makes the user's next request read the
  // session from PostgreSQL, which derives the tier from the subscription, and refill Redis with it; the
  // sessions stay valid. While Redis is down the removal is queued and replayed (SessionService).
  try {
    sessions_.ForgetUser(id);
  } catch (const StoreError& e) {
    spdlog::warn("subscription of user {} changed; Redis unreachable, the sessions' tier refreshes later: {}",
                 id, e.what());
  }
  return *user;
}

}  // namespace cinerec::accounts
