#include "accounts/near_session_store.h"

#include <algorithm>

#include "accounts/redis_session_store.h"

namespace cinerec::accounts {
namespace {

std::chrono::milliseconds SlideStep(std::chrono::milliseconds ttl) {
  return std::min<std::chrono::milliseconds>(ttl / 4, std::chrono::seconds(60));
}

std::size_t Bytes(const Session& s) {
  return sizeof(Session) + s.digest.capacity() + s.role.capacity() + s.tier.capacity();
}

}  // namespace

NearSessionStore::NearSessionStore(RedisSessionStore& redis, InvalidationFeed* feed, Cache::Options options,
                                   const std::string& key_prefix)
    : redis_(redis), cache_(std::make_unique<Cache>(feed, options)) {
  if (!cache_->enabled()) return;
  subscription_ =
      FeedSubscription(*feed, key_prefix + "session:{", [cache = cache_.get()](std::string_view key) {
        if (key.empty())
          cache->InvalidateAll();
        else
          cache->Invalidate(std::string(key));
      });
}

void NearSessionStore::Put(const Session& session, std::chrono::milliseconds ttl) {
  redis_.Put(session, ttl);
  cache_->Invalidate(redis_.SessionKey(session.digest));
}

std::optional<Session> NearSessionStore::Get(const std::string& digest) {
  const auto key = redis_.SessionKey(digest);
  if (const auto hit = cache_->Find(key)) return *hit;
  return redis_.Get(digest);
}

void NearSessionStore::Touch(const std::string& digest, std::chrono::milliseconds ttl) {
  redis_.Touch(digest, ttl);
  cache_->Invalidate(redis_.SessionKey(digest));
}

std::optional<Session> NearSessionStore::GetAndTouch(const std::string& digest,
                                                     std::chrono::milliseconds ttl) {
  const auto key = redis_.SessionKey(digest);
  if (const auto hit = cache_->Find(key)) return *hit;
  const auto ticket = cache_->Prepare(key);
  std::int64_t remaining_ms = 0;
  auto session = redis_.GetWithTtl(digest, remaining_ms);
  if (!session) return std::nullopt;
  if (remaining_ms < (ttl - SlideStep(ttl)).count()) {
    // Slides the expiry; the write invalidates the key on every node, so the copy is kept by a later read.
    redis_.Touch(digest, ttl);
    return session;
  }
  cache_->Insert(key, std::make_shared<const Session>(*session), Bytes(*session), ticket);
  return session;
}

void NearSessionStore::Revoke(const std::string& digest) {
  redis_.Revoke(digest);
  cache_->Invalidate(redis_.SessionKey(digest));
}

void NearSessionStore::RevokeUser(std::int64_t user_id, const std::string& keep) {
  redis_.RevokeUser(user_id, keep);
  // The user's session keys are not known here; the feed drops them within milliseconds, but this process
  // must not answer from a copy even that long after a "sign out everywhere". Rare: forget all.
  cache_->InvalidateAll();
}

}  // namespace cinerec::accounts
