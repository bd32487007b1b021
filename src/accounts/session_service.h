#pragma once
// Sessions across the two stores. Redis answers authenticated requests without touching PostgreSQL; every
// session is also written through to PostgreSQL so that, while Redis is down, sign-in and authentication
// fall back to it (slower), and Redis is refilled from it when a lookup misses there.
//
// Sliding expiry: each use pushes the Redis TTL to now + ttl. PostgreSQL's expires_at is moved only when it
// lags by more than a quarter of the TTL (at most 5 minutes), so that the hot path stays one Redis round
// trip most of the time; a session therefore never lives longer than ttl past its last use, and during a
// Redis outage it may expire up to that lag early.
//
// Revocation is written to PostgreSQL first (the record) and then removed from Redis; if Redis is down at
// that moment, the removal is queued in this process and replayed before the next Redis lookup, so a revoked
// token cannot come back with Redis. (Another process's queue is its own: a revocation is replayed by the
// process that accepted it; see docs/architecture.md.)
// Thread-safe.
#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "accounts/session_store.h"

namespace cinerec::accounts {

struct NewSession {
  std::string token;  // give it to the client; never store or log it
  Session session;
};

class SessionService {
 public:
  using WallClock = std::function<std::chrono::system_clock::time_point()>;
  // REQUIRES: the stores outlive this.
  SessionService(
      SessionStore& fast, SessionStore& durable, std::chrono::milliseconds ttl,
      WallClock clock = [] { return std::chrono::system_clock::now(); });

  // Creates a session. Throws StoreError when PostgreSQL cannot record it (Redis being down is tolerated).
  NewSession Create(std::int64_t user_id, const std::string& role, const std::string& tier);
  // The live session of `token` (sliding its expiry), or nullopt when unknown, expired or revoked.
  std::optional<Session> Resolve(const std::string& token);
  void Revoke(const std::string& digest);
  void RevokeUser(std::int64_t user_id, const std::string& keep = "");
  // Removes the user's sessions from the fast store (erasure; PostgreSQL rows go with the user's row).
  void ForgetUser(std::int64_t user_id);

  std::chrono::milliseconds ttl() const { return ttl_; }

 private:
  std::int64_t NowMs() const;
  // Pushes the durable expiry forward when it lags too far; returns the session as stored.
  Session WriteThroughExpiry(Session session);

  // Revocations Redis missed while down: a digest, or a user id with the digest to keep. Replayed in order.
  struct PendingRevocation {
    std::string digest;
    std::int64_t user_id = 0;  // non-zero: all the user's sessions except `digest`
  };
  void QueueRevocation(PendingRevocation revocation);
  // Replays the queue; false when Redis is still unreachable (what is left stays queued).
  bool ReplayRevocations();

  SessionStore& fast_;
  SessionStore& durable_;
  std::chrono::milliseconds ttl_;
  std::chrono::milliseconds write_through_lag_;
  WallClock clock_;
  std::mutex pending_mutex_;
  std::vector<PendingRevocation> pending_;  // GUARDED_BY(pending_mutex_)
  std::atomic<bool> has_pending_{false};    // lets the hot path skip the mutex
};

}  // namespace cinerec::accounts
