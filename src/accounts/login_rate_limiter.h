#pragma once
// Counts failed sign-ins per account (e-mail) and per remote address in fixed windows, so that password
// guessing is slowed whichever of the two an attacker varies. Counters live in Redis (INCR + PEXPIRE, shared
// by every process); while Redis is unreachable an in-process table takes over, so the limit still holds per
// process. Keys: <prefix>login_failures:{account:<email>} and <prefix>login_failures:{address:<ip>}.
// Thread-safe.
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace cinerec {
class RedisClient;
}

namespace cinerec::accounts {

struct LoginLimits {
  static constexpr int kDefaultMaxFailures = 10;
  static constexpr std::chrono::seconds kDefaultWindow{15 * 60};
  int max_failures = kDefaultMaxFailures;  // failures allowed per window; the next attempt gets 429
  std::chrono::milliseconds window = kDefaultWindow;
};

class LoginRateLimiter {
 public:
  // REQUIRES: redis outlives this.
  LoginRateLimiter(RedisClient& redis, std::string key_prefix, LoginLimits limits);
  // How long the caller must wait before trying again, or nullopt when an attempt is allowed.
  std::optional<std::chrono::seconds> Blocked(const std::string& email, const std::string& address);
  void RecordFailure(const std::string& email, const std::string& address);
  // A successful sign-in clears the account's counter (not the address's).
  void RecordSuccess(const std::string& email);

 private:
  struct LocalCounter {
    int count = 0;
    std::chrono::steady_clock::time_point window_end;
  };
  std::string AccountKey(const std::string& email) const;
  std::string AddressKey(const std::string& address) const;
  std::optional<std::chrono::seconds> BlockedLocal(const std::string& key);
  void IncrementLocal(const std::string& key);

  RedisClient& redis_;
  std::string prefix_;
  LoginLimits limits_;
  std::mutex mutex_;
  std::map<std::string, LocalCounter> local_;  // GUARDED_BY(mutex_); the fallback while Redis is down
};

}  // namespace cinerec::accounts
