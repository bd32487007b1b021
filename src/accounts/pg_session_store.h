#pragma once
// Sessions in PostgreSQL (table `sessions`): the write-through copy that keeps sign-in and authenticated
// requests working while Redis is down. Revocation sets revoked_at (kept for audit until the purge).
#include "accounts/session_store.h"

namespace cinerec {
class PgPool;
}

namespace cinerec::accounts {

class PgSessionStore final : public SessionStore {
 public:
  // REQUIRES: pool outlives this.
  explicit PgSessionStore(PgPool& pool) : pool_(pool) {}
  void Put(const Session& session, std::chrono::milliseconds ttl) override;
  // Also reads the user's current tier (the row keeps only the role).
  std::optional<Session> Get(const std::string& digest) override;
  void Touch(const std::string& digest, std::chrono::milliseconds ttl) override;
  void Revoke(const std::string& digest) override;
  void RevokeUser(std::int64_t user_id, const std::string& keep = "") override;

 private:
  PgPool& pool_;
};

}  // namespace cinerec::accounts
