#include "accounts/pg_session_store.h"

#include "accounts/token.h"
#include "storage/postgres/pg_pool.h"

namespace cinerec::accounts {
namespace {

// Digests travel as hex and are decoded by PostgreSQL, so that parameters stay text.
constexpr const char* kInsert =
    "INSERT INTO sessions (token_hash, user_id, role, expires_at) "
    "VALUES (decode($1, 'hex'), $2, $3, now() + $4 * interval '1 millisecond')";
constexpr const char* kSelectValid =
    "SELECT s.user_id, s.role, "
    "CASE WHEN b.status IN ('active', 'past_due') AND (b.expires_at IS NULL OR b.expires_at > now()) "
    "THEN b.plan ELSE 'free' END, (extract(epoch FROM s.expires_at) * 1000)::bigint "
    "FROM sessions s LEFT JOIN subscriptions b ON b.user_id = s.user_id "
    "WHERE s.token_hash = decode($1, 'hex') AND s.revoked_at IS NULL AND s.expires_at > now()";
constexpr const char* kTouch =
    "UPDATE sessions SET expires_at = now() + $2 * interval '1 millisecond', last_seen_at = now() "
    "WHERE token_hash = decode($1, 'hex') AND revoked_at IS NULL AND expires_at > now()";
constexpr const char* kRevoke =
    "UPDATE sessions SET revoked_at = now() WHERE token_hash = decode($1, 'hex') AND revoked_at IS NULL";
constexpr const char* kRevokeUser =
    "UPDATE sessions SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL "
    "AND token_hash <> decode($2, 'hex')";

}  // namespace

void PgSessionStore::Put(const Session& session, std::chrono::milliseconds ttl) {
  pool_.Exec(kInsert, PgParams(HexDigest(session.digest), session.user_id, session.role,
                               static_cast<std::int64_t>(ttl.count())));
}

std::optional<Session> PgSessionStore::Get(const std::string& digest) {
  auto r = pool_.Exec(kSelectValid, PgParams(HexDigest(digest)));
  if (r.rows() == 0) return std::nullopt;
  Session s;
  s.digest = digest;
  s.user_id = r.GetInt(0, 0);
  s.role = r.Get(0, 1);
  s.tier = r.Get(0, 2);
  s.expires_at_ms = r.GetInt(0, 3);
  return s;
}

void PgSessionStore::Touch(const std::string& digest, std::chrono::milliseconds ttl) {
  pool_.Exec(kTouch, PgParams(HexDigest(digest), static_cast<std::int64_t>(ttl.count())));
}

void PgSessionStore::Revoke(const std::string& digest) {
  pool_.Exec(kRevoke, PgParams(HexDigest(digest)));
}

void PgSessionStore::RevokeUser(std::int64_t user_id, const std::string& keep) {
  pool_.Exec(kRevokeUser, PgParams(user_id, HexDigest(keep)));
}

}  // namespace cinerec::accounts
