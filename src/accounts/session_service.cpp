#include "accounts/session_service.h"

#include <spdlog/spdlog.h>

#include "accounts/token.h"
#include "common/errors.h"

namespace cinerec::accounts {
namespace {

constexpr std::chrono::milliseconds kMaxWriteThroughLag = std::chrono::minutes(5);

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

void SessionService::Revoke(const std::string& digest) {
  durable_.Revoke(digest);
  try {
    fast_.Revoke(digest);
  } catch (const StoreError& e) {
    spdlog::warn("session revoked in PostgreSQL but Redis is unreachable: {}", e.what());
  }
}

void SessionService::RevokeUser(std::int64_t user_id, const std::string& keep) {
  durable_.RevokeUser(user_id, keep);
  try {
    fast_.RevokeUser(user_id, keep);
  } catch (const StoreError& e) {
    spdlog::warn("sessions of user {} revoked in PostgreSQL but Redis is unreachable: {}", user_id, e.what());
  }
}

void SessionService::ForgetUser(std::int64_t user_id) {
  fast_.RevokeUser(user_id);
}

}  // namespace cinerec::accounts
