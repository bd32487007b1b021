#include "accounts/in_memory_session_store.h"

#include "common/errors.h"

namespace cinerec::accounts {

std::int64_t InMemorySessionStore::NowMs() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock_().time_since_epoch()).count();
}

void InMemorySessionStore::CheckAvailable() const {
  if (!available_) throw StoreError("postgres", "unavailable (simulated)");
}

void InMemorySessionStore::SetAvailable(bool available) {
  std::lock_guard lock(mutex_);
  available_ = available;
}

void InMemorySessionStore::Put(const Session& session, std::chrono::milliseconds ttl) {
  std::lock_guard lock(mutex_);
  CheckAvailable();
  Entry entry{session, false};
  entry.session.expires_at_ms = NowMs() + ttl.count();
  entries_[session.digest] = entry;
}

std::optional<Session> InMemorySessionStore::Get(const std::string& digest) {
  std::lock_guard lock(mutex_);
  CheckAvailable();
  auto it = entries_.find(digest);
  if (it == entries_.end() || it->second.revoked || it->second.session.expires_at_ms <= NowMs())
    return std::nullopt;
  return it->second.session;
}

void InMemorySessionStore::Touch(const std::string& digest, std::chrono::milliseconds ttl) {
  std::lock_guard lock(mutex_);
  CheckAvailable();
  auto it = entries_.find(digest);
  if (it != entries_.end() && !it->second.revoked && it->second.session.expires_at_ms > NowMs())
    it->second.session.expires_at_ms = NowMs() + ttl.count();
}

void InMemorySessionStore::Revoke(const std::string& digest) {
  std::lock_guard lock(mutex_);
  CheckAvailable();
  if (auto it = entries_.find(digest); it != entries_.end()) it->second.revoked = true;
}

void InMemorySessionStore::RevokeUser(std::int64_t user_id, const std::string& keep) {
  std::lock_guard lock(mutex_);
  CheckAvailable();
  for (auto& [digest, entry] : entries_)
    if (entry.session.user_id == user_id && digest != keep) entry.revoked = true;
}

}  // namespace cinerec::accounts
