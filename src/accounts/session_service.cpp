#include "accounts/session_service.h"

#include <spdlog/spdlog.h>

#include "accounts/token.h"
#include "common/errors.h"

namespace cinerec::accounts {
namespace {

constexpr std::chrono::milliseconds kMaxWriteThroughLag = std::chrono::minutes(5);
// Bounds the replay queue; beyond it the oldest revocations rely on their Redis TTL alone (logged).
constexpr std::size_t kMaxPendingRevocations = 100000;

}  // namespace

SessionService::SessionService(SessionStore& fast, SessionStore& durable, std::chrono::milliseconds ttl,
                               WallClock clock)
    : fast_(fast),
      durable_(durable),
      ttl_(ttl),
      write_through_lag_(std::min(ttl / 4, kMaxWriteThroughLag)),
      clock_(std::move(clock)) {}

std::int64_t SessionService::NowMs() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock_().time_since_epoch()).count();
}

NewSession SessionService::Create(std::int64_t user_id, const std::string& role, const std::string& tier) {
  NewSession created;
  created.token = NewSessionToken();
  created.session = Session{TokenDigest(created.token), user_id, role, tier, NowMs() + ttl_.count()};
  durable_.Put(created.session, ttl_);
  try {
    fast_.Put(created.session, ttl_);
  } catch (const StoreError& e) {
    spdlog::warn("session {} kept in PostgreSQL only: {}", HexDigest(created.session.digest).substr(0, 12),
                 e.what());
  }
  return created;
}

Session SessionService::WriteThroughExpiry(Session session) {
  const auto target = NowMs() + ttl_.count();
  if (target - session.expires_at_ms > write_through_lag_.count()) {
    durable_.Touch(session.digest, ttl_);
    session.expires_at_ms = target;
    return session;
  }
  return session;
}

std::optional<Session> SessionService::Resolve(const std::string& token) {
  const auto digest = TokenDigest(token);
  std::optional<Session> cached;
  bool fast_up = true;
  try {
    if (has_pending_.load() && !ReplayRevocations()) throw StoreError("redis", "revocations still queued");
    cached = fast_.GetAndTouch(digest, ttl_);  // one round trip: read and slide
  } catch (const StoreError& e) {
    fast_up = false;
    spdlog::debug("session lookup falls back to PostgreSQL: {}", e.what());
  }
  if (cached) {
    auto session = WriteThroughExpiry(*cached);
    if (session.expires_at_ms != cached->expires_at_ms) {
      try {
        fast_.Put(session, ttl_);    // records the new durable expiry
      } catch (const StoreError&) {  // the session is valid; the record is refreshed on a later use
      }
    }
    return session;
  }
  // Not in Redis (down, restarted, or the session was created while it was down): ask the record.
  auto stored = durable_.Get(digest);
  if (!stored) return std::nullopt;
  auto session = WriteThroughExpiry(*stored);
  if (fast_up) {
    try {
      fast_.Put(session, ttl_);  // refill
    } catch (const StoreError&) {
    }
  }
  return session;
}

void SessionService::QueueRevocation(PendingRevocation revocation) {
  std::lock_guard lock(pending_mutex_);
  if (pending_.size() >= kMaxPendingRevocations) {
    spdlog::error("session revocation queue full; the oldest revoked Redis session lives until its TTL");
    pending_.erase(pending_.begin());
  }
  pending_.push_back(std::move(revocation));
  has_pending_ = true;
}

bool SessionService::ReplayRevocations() {
  // One replayer at a time; the others answer from PostgreSQL meanwhile instead of queueing behind it.
  std::unique_lock lock(pending_mutex_, std::try_to_lock);
  if (!lock) return false;
  std::size_t done = 0;
  try {
    for (; done < pending_.size(); ++done) {
      const auto& r = pending_[done];
      if (r.user_id != 0)
        fast_.RevokeUser(r.user_id, r.digest);
      else
        fast_.Revoke(r.digest);
    }
  } catch (const StoreError&) {
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(done));
    return false;
  }
  pending_.clear();
  has_pending_ = false;
  return true;
}

void SessionService::Revoke(const std::string& digest) {
  durable_.Revoke(digest);
  try {
    fast_.Revoke(digest);
  } catch (const StoreError& e) {
    spdlog::warn("session revoked in PostgreSQL; Redis unreachable, removal queued: {}", e.what());
    QueueRevocation({digest, 0});
  }
}

void SessionService::RevokeUser(std::int64_t user_id, const std::string& keep) {
  durable_.RevokeUser(user_id, keep);
  try {
    fast_.RevokeUser(user_id, keep);
  } catch (const StoreError& e) {
    spdlog::warn("sessions of user {} revoked in PostgreSQL; Redis unreachable, removal queued: {}", user_id,
                 e.what());
    QueueRevocation({keep, user_id});
  }
}

void SessionService::ForgetUser(std::int64_t user_id) {
  try {
    fast_.RevokeUser(user_id);
  } catch (const StoreError&) {
    QueueRevocation({"", user_id});
    throw;
  }
}

}  // namespace cinerec::accounts
