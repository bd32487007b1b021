#pragma once
// The accounts use cases: sign-up, sign-in, sign-out, the caller's own account, password change, erasure and
// the admin's subscription changes. Plain code over the repositories: no HTTP here (accounts_routes.h
// adapts). Every method that takes a user id checks the principal's access first. Errors follow
// common/errors.h; TooManyAttempts is a 429 that carries its Retry-After. Thread-safe.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "accounts/login_rate_limiter.h"
#include "accounts/password_hasher.h"
#include "accounts/session_service.h"
#include "accounts/user_repository.h"
#include "common/errors.h"
#include "services/accounts/principal.h"

namespace cinerec {
class ClickHouseClient;
}

namespace cinerec::accounts {

class TooManyAttempts : public ApiError {
 public:
  explicit TooManyAttempts(std::chrono::seconds retry_after)
      : ApiError(429, "too_many_attempts", "too many failed sign-ins; retry later"),
        retry_after_(retry_after) {}
  std::chrono::seconds retry_after() const { return retry_after_; }

 private:
  std::chrono::seconds retry_after_;
};

struct SignUpRequest {
  std::string email;  // as given; normalised by SignUp
  std::string password;
  std::string display_name;
  std::string profile_json = "{}";  // validated (validation.h)
};

struct LoginResult {
  std::string token;
  std::int64_t expires_at_ms = 0;
  User user;
};

struct ErasureResult {
  std::vector<std::string> incomplete;  // stores whose erasure failed (logged for the operator)
};

// The event tables erased by user id (migrations/clickhouse).
inline constexpr const char* kUserEventTables[] = {"ui_events", "watch_events", "recommendation_impressions",
                                                   "account_events", "users_dim"};

class AccountsService {
 public:
  // REQUIRES: all outlive this. clickhouse may be null (no ClickHouse erasure, reported incomplete).
  AccountsService(UserRepository& users, SessionService& sessions, LoginRateLimiter& limiter,
                  const PasswordHasher& hasher, ClickHouseClient* clickhouse)
      : users_(users), sessions_(sessions), limiter_(limiter), hasher_(hasher), clickhouse_(clickhouse) {}

  User SignUp(const SignUpRequest& request);
  // Unauthorized (same message) for an unknown e-mail and a wrong password; TooManyAttempts when limited.
  LoginResult Login(const std::string& email, const std::string& password, const std::string& address);
  void Logout(const Principal& principal);
  User GetUser(const Principal& principal, std::int64_t id);
  User UpdateProfile(const Principal& principal, std::int64_t id,
                     const std::optional<std::string>& display_name,
                     const std::optional<std::string>& profile_json);
  // Checks the old password, stores the new hash and revokes every other session of the user.
  void ChangePassword(const Principal& principal, const std::string& old_password,
                      const std::string& new_password);
  ErasureResult Erase(const Principal& principal, std::int64_t id);
  User UpdateSubscription(const Principal& principal, std::int64_t id, const SubscriptionChange& change);

 private:
  UserRepository& users_;
  SessionService& sessions_;
  LoginRateLimiter& limiter_;
  const PasswordHasher& hasher_;
  ClickHouseClient* clickhouse_;
};

// The caller's own user id; Forbidden for machine callers (API keys), who have no account.
std::int64_t OwnUserId(const Principal& principal);

}  // namespace cinerec::accounts
