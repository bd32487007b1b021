#pragma once
// Where sessions live: RedisSessionStore (the fast path, expiring by TTL) and PgSessionStore (the
// write-through copy in table `sessions`, for when Redis is down). Both are keyed by the SHA-256 digest of
// the token (token.h), never by the token. Store failures throw StoreError; implementations are thread-safe.
// SessionService (session_service.h) combines the two.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cinerec::accounts {

struct Session {
  std::string digest;  // 32 raw bytes: SHA-256 of the token
  std::int64_t user_id = 0;
  std::string role = "viewer";
  std::string tier = "free";
  std::int64_t expires_at_ms = 0;  // Unix milliseconds, as last written through to PostgreSQL
};

class SessionStore {
 public:
  virtual ~SessionStore() = default;
  // Stores (or replaces) the session, to expire after `ttl`.
  virtual void Put(const Session& session, std::chrono::milliseconds ttl) = 0;
  // The session when present, unexpired and not revoked.
  virtual std::optional<Session> Get(const std::string& digest) = 0;
  // Moves the expiry to now + ttl (the sliding window).
  virtual void Touch(const std::string& digest, std::chrono::milliseconds ttl) = 0;
  // Get, then Touch when found. Stores that can do both in one round trip override it.
  virtual std::optional<Session> GetAndTouch(const std::string& digest, std::chrono::milliseconds ttl) {
    auto session = Get(digest);
    if (session) Touch(digest, ttl);
    return session;
  }
  virtual void Revoke(const std::string& digest) = 0;
  // Revokes every session of the user except `keep` (a digest; empty = none kept).
  virtual void RevokeUser(std::int64_t user_id, const std::string& keep = "") = 0;
};

}  // namespace cinerec::accounts
