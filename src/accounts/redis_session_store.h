#pragma once
// Sessions in Redis. Keys (built only in SessionKey / UserSessionsKey):
//   <prefix>session:{<hex digest>}    string "user_id role tier expires_at_ms", EX = the sliding TTL
//   <prefix>user_sessions:{<user id>} set of the hex digests of the user's sessions (for revocation and
//                                     erasure), its TTL pushed to the newest session's
// The hash tags keep each key in one slot on Redis Cluster; the two keys are never in one pipeline.
#include <string>

#include "accounts/session_store.h"

namespace cinerec {
class RedisClient;
}

namespace cinerec::accounts {

class RedisSessionStore final : public SessionStore {
 public:
  // REQUIRES: redis outlives this.
  RedisSessionStore(RedisClient& redis, std::string key_prefix)
      : redis_(redis), prefix_(std::move(key_prefix)) {}
  void Put(const Session& session, std::chrono::milliseconds ttl) override;
  std::optional<Session> Get(const std::string& digest) override;
  void Touch(const std::string& digest, std::chrono::milliseconds ttl) override;
  // GET and PEXPIRE in one pipeline (one round trip; one key, so one slot).
  std::optional<Session> GetAndTouch(const std::string& digest, std::chrono::milliseconds ttl) override;
  // GET and PTTL in one pipeline: the session and the milliseconds its key has left (-1: no expiry).
  // Reads only, so it moves nothing that the in-process cache watches (near_session_store.h).
  std::optional<Session> GetWithTtl(const std::string& digest, std::int64_t& remaining_ms);
  void Revoke(const std::string& digest) override;
  void RevokeUser(std::int64_t user_id, const std::string& keep = "") override;

  std::string SessionKey(const std::string& digest) const;
  std::string UserSessionsKey(std::int64_t user_id) const;

 private:
  RedisClient& redis_;
  std::string prefix_;
};

}  // namespace cinerec::accounts
