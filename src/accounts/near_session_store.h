#pragma once
// NearSessionStore: RedisSessionStore with the sessions in use kept inside the process (NearCache), so that
// an authenticated request usually costs no Redis round trip. Any change of a session's key in Redis —
// revocation on any node, expiry, a refill — reaches every node through the InvalidationFeed within
// milliseconds and drops the copy; while the feed is down every lookup goes to Redis as before.
//
// Sliding expiry, coarser: a lookup that reaches Redis reads the key's remaining TTL (GET + PTTL, reads only)
// and pushes it to `ttl` only once it has slid back by more than the slide step (a quarter of the TTL, at
// most 60 s) — a PEXPIRE on every use would invalidate the key, and so the copy, on every use. A session thus
// expires no earlier than ttl − step − near_ttl after its last use instead of exactly ttl after it.
#include <memory>
#include <string>

#include "accounts/session_store.h"
#include "storage/redis/near_cache.h"

namespace cinerec::accounts {

class RedisSessionStore;

class NearSessionStore final : public SessionStore {
 public:
  using Cache = NearCache<std::string, Session>;
  // REQUIRES: redis and feed outlive this. `feed` null: a plain pass-through. Subscribes to the feed.
  NearSessionStore(RedisSessionStore& redis, InvalidationFeed* feed, Cache::Options options,
                   const std::string& key_prefix);
  NearSessionStore(const NearSessionStore&) = delete;
  NearSessionStore& operator=(const NearSessionStore&) = delete;

  void Put(const Session& session, std::chrono::milliseconds ttl) override;
  std::optional<Session> Get(const std::string& digest) override;
  void Touch(const std::string& digest, std::chrono::milliseconds ttl) override;
  std::optional<Session> GetAndTouch(const std::string& digest, std::chrono::milliseconds ttl) override;
  void Revoke(const std::string& digest) override;
  void RevokeUser(std::int64_t user_id, const std::string& keep = "") override;

  Cache::Stats stats() { return cache_->stats(); }

 private:
  RedisSessionStore& redis_;
  std::unique_ptr<Cache> cache_;   // keyed by the session's Redis key, as invalidations name it
  FeedSubscription subscription_;  // after cache_: its handler stops before the cache goes
};

}  // namespace cinerec::accounts
