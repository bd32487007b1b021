#include "accounts/login_rate_limiter.h"

#include "common/errors.h"
#include "storage/redis/redis_client.h"

namespace cinerec::accounts {
namespace {

// Bounds the fallback table: an attacker cycling addresses must not grow it without limit.
constexpr std::size_t kMaxLocalCounters = 100000;

std::chrono::seconds RoundUpSeconds(std::chrono::milliseconds ms) {
  return std::chrono::seconds(std::max<std::int64_t>(1, (ms.count() + 999) / 1000));
}

}  // namespace

LoginRateLimiter::LoginRateLimiter(RedisClient& redis, std::string key_prefix, LoginLimits limits)
    : redis_(redis), prefix_(std::move(key_prefix)), limits_(limits) {}

std::string LoginRateLimiter::AccountKey(const std::string& email) const {
  return prefix_ + "login_failures:{account:" + email + "}";
}

std::string LoginRateLimiter::AddressKey(const std::string& address) const {
  return prefix_ + "login_failures:{address:" + address + "}";
}

std::optional<std::chrono::seconds> LoginRateLimiter::Blocked(const std::string& email,
                                                              const std::string& address) {
  std::optional<std::chrono::seconds> wait;
  for (const auto& key : {AccountKey(email), AddressKey(address)}) {
    std::optional<std::chrono::seconds> this_wait;
    try {
      auto count = redis_.Command({"GET", key});
      if (!count.is_nil() && !count.is_error() && std::stoll(count.str) >= limits_.max_failures) {
        auto ttl = redis_.Command({"PTTL", key});
        this_wait = RoundUpSeconds(std::chrono::milliseconds(ttl.integer > 0 ? ttl.integer : 1000));
      }
    } catch (const StoreError&) {
      this_wait = BlockedLocal(key);
    }
    if (this_wait && (!wait || *this_wait > *wait)) wait = this_wait;
  }
  return wait;
}

void LoginRateLimiter::RecordFailure(const std::string& email, const std::string& address) {
  for (const auto& key : {AccountKey(email), AddressKey(address)}) {
    try {
      auto count = redis_.Command({"INCR", key});
      if (count.is_error()) throw StoreError("redis", count.str);
      // The window starts at the first failure.
      if (count.integer == 1) redis_.Command({"PEXPIRE", key, std::to_string(limits_.window.count())});
    } catch (const StoreError&) {
      IncrementLocal(key);
    }
  }
}

void LoginRateLimiter::RecordSuccess(const std::string& email) {
  const auto key = AccountKey(email);
  try {
    redis_.Command({"DEL", key});
  } catch (const StoreError&) {
  }
  std::lock_guard lock(mutex_);
  local_.erase(key);
}

std::optional<std::chrono::seconds> LoginRateLimiter::BlockedLocal(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto it = local_.find(key);
  if (it == local_.end()) return std::nullopt;
  auto now = std::chrono::steady_clock::now();
  if (now >= it->second.window_end) {
    local_.erase(it);
    return std::nullopt;
  }
  if (it->second.count < limits_.max_failures) return std::nullopt;
  return RoundUpSeconds(std::chrono::duration_cast<std::chrono::milliseconds>(it->second.window_end - now));
}

void LoginRateLimiter::IncrementLocal(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto now = std::chrono::steady_clock::now();
  if (local_.size() >= kMaxLocalCounters) {
    std::erase_if(local_, [&](const auto& entry) { return now >= entry.second.window_end; });
    if (local_.size() >= kMaxLocalCounters) local_.clear();
  }
  auto& counter = local_[key];
  if (counter.count == 0 || now >= counter.window_end) counter = {0, now + limits_.window};
  ++counter.count;
}

}  // namespace cinerec::accounts
