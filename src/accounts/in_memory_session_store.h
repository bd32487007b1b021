#pragma once
// A SessionStore in a map, for unit tests: plays the PostgreSQL copy (expiry by an injectable wall clock,
// revocation kept). SetAvailable(false) makes every call throw StoreError. Thread-safe.
#include <chrono>
#include <functional>
#include <map>
#include <mutex>

#include "accounts/session_store.h"

namespace cinerec::accounts {

class InMemorySessionStore final : public SessionStore {
 public:
  using WallClock = std::function<std::chrono::system_clock::time_point()>;
  explicit InMemorySessionStore(WallClock clock = [] { return std::chrono::system_clock::now(); })
      : clock_(std::move(clock)) {}
  void Put(const Session& session, std::chrono::milliseconds ttl) override;
  std::optional<Session> Get(const std::string& digest) override;
  void Touch(const std::string& digest, std::chrono::milliseconds ttl) override;
  void Revoke(const std::string& digest) override;
  void RevokeUser(std::int64_t user_id, const std::string& keep = "") override;
  void SetAvailable(bool available);

 private:
  struct Entry {
    Session session;
    bool revoked = false;
  };
  std::int64_t NowMs() const;
  void CheckAvailable() const;  // REQUIRES: mutex_ held

  WallClock clock_;
  std::mutex mutex_;
  std::map<std::string, Entry> entries_;  // GUARDED_BY(mutex_)
  bool available_ = true;                 // GUARDED_BY(mutex_)
};

}  // namespace cinerec::accounts
