#include "accounts/pg_user_repository.h"

#include "common/errors.h"
#include "storage/postgres/pg_pool.h"

namespace cinerec::accounts {
namespace {

// One SELECT list for every query that returns a user, so that RowToUser reads the same columns everywhere.
constexpr const char* kUserColumns =
    "u.id, u.email, u.display_name, u.role, u.profile::text, "
    "to_char(u.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
    "coalesce(s.plan, 'free'), coalesce(s.status, 'active'), "
    "to_char(s.expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
    "CASE WHEN s.status IN ('active', 'past_due') AND (s.expires_at IS NULL OR s.expires_at > now()) "
    "THEN s.plan ELSE 'free' END, u.password_hash ";
constexpr const char* kUserFrom = "FROM users u LEFT JOIN subscriptions s ON s.user_id = u.id ";

constexpr const char* kInsertUser =
    "INSERT INTO users (email, display_name, password_hash, profile) VALUES ($1, $2, $3, $4::jsonb) "
    "RETURNING id";
constexpr const char* kInsertFreeSubscription =
    "INSERT INTO subscriptions (user_id, plan, status) VALUES ($1, 'free', 'active')";
constexpr const char* kUpdateProfile =
    "UPDATE users SET display_name = coalesce($2, display_name), profile = coalesce($3::jsonb, profile) "
    "WHERE id = $1";
constexpr const char* kSelectPasswordHash = "SELECT password_hash FROM users WHERE id = $1";
constexpr const char* kUpdatePasswordHash = "UPDATE users SET password_hash = $2 WHERE id = $1";
// Upsert: a user without a row is on the free tier, so the first change creates the row.
constexpr const char* kUpsertSubscription =
    "INSERT INTO subscriptions (user_id, plan, status, expires_at) "
    "SELECT id, coalesce($2, 'free'), coalesce($3, 'active'), CASE WHEN $4 THEN $5::timestamptz END "
    "FROM users WHERE id = $1 "
    "ON CONFLICT (user_id) DO UPDATE SET plan = coalesce($2, subscriptions.plan), "
    "status = coalesce($3, subscriptions.status), "
    "expires_at = CASE WHEN $4 THEN $5::timestamptz ELSE subscriptions.expires_at END";
constexpr const char* kDeleteUser = "DELETE FROM users WHERE id = $1";

User RowToUser(const PgResult& r, int row) {
  User u;
  u.id = r.GetInt(row, 0);
  u.email = r.Get(row, 1);
  u.display_name = r.Get(row, 2);
  u.role = r.Get(row, 3);
  u.profile_json = r.Get(row, 4);
  u.created_at = r.Get(row, 5);
  u.subscription.plan = r.Get(row, 6);
  u.subscription.status = r.Get(row, 7);
  u.subscription.expires_at = r.GetOptional(row, 8);
  u.subscription.tier = r.Get(row, 9);
  return u;
}

std::optional<User> SelectOne(PgConnection& conn, const std::string& where, const PgParams& params) {
  auto r = conn.Exec(std::string("SELECT ") + kUserColumns + kUserFrom + where, params);
  if (r.rows() == 0) return std::nullopt;
  return RowToUser(r, 0);
}

}  // namespace

User PgUserRepository::Create(const NewUser& user) {
  try {
    return pool_.Transaction([&](PgConnection& conn) {
      auto r = conn.Exec(kInsertUser,
                         PgParams(user.email, user.display_name, user.password_hash, user.profile_json));
      auto id = r.GetInt(0, 0);
      conn.Exec(kInsertFreeSubscription, PgParams(id));
      return *SelectOne(conn, "WHERE u.id = $1", PgParams(id));
    });
  } catch (const PgQueryError& e) {
    if (e.is_unique_violation()) throw Conflict("an account with this email already exists");
    if (e.is_check_violation()) throw Unprocessable("email", "is not acceptable");
    throw;
  }
}

std::optional<User> PgUserRepository::FindById(std::int64_t id) {
  auto lease = pool_.Acquire();
  return SelectOne(*lease, "WHERE u.id = $1", PgParams(id));
}

std::optional<Credentials> PgUserRepository::FindByEmail(const std::string& email) {
  auto r =
      pool_.Exec(std::string("SELECT ") + kUserColumns + kUserFrom + "WHERE u.email = $1", PgParams(email));
  if (r.rows() == 0) return std::nullopt;
  return Credentials{RowToUser(r, 0), r.GetOptional(0, 10)};
}

std::optional<User> PgUserRepository::UpdateProfile(std::int64_t id,
                                                    const std::optional<std::string>& display_name,
                                                    const std::optional<std::string>& profile_json) {
  return pool_.Transaction([&](PgConnection& conn) -> std::optional<User> {
    PgParams params(id);
    params.Add(display_name).Add(profile_json);
    if (conn.Exec(kUpdateProfile, params).affected_rows() == 0) return std::nullopt;
    return SelectOne(conn, "WHERE u.id = $1", PgParams(id));
  });
}

std::optional<std::string> PgUserRepository::PasswordHash(std::int64_t id) {
  auto r = pool_.Exec(kSelectPasswordHash, PgParams(id));
  if (r.rows() == 0) return std::nullopt;
  return r.GetOptional(0, 0);
}

void PgUserRepository::SetPasswordHash(std::int64_t id, const std::string& phc) {
  pool_.Exec(kUpdatePasswordHash, PgParams(id, phc));
}

std::optional<User> PgUserRepository::UpdateSubscription(std::int64_t id, const SubscriptionChange& change) {
  try {
    return pool_.Transaction([&](PgConnection& conn) -> std::optional<User> {
      PgParams params(id);
      params.Add(change.plan).Add(change.status).Add(change.expires_at.has_value());
      params.Add(change.expires_at ? *change.expires_at : std::nullopt);
      if (conn.Exec(kUpsertSubscription, params).affected_rows() == 0) return std::nullopt;
      return SelectOne(conn, "WHERE u.id = $1", PgParams(id));
    });
  } catch (const PgQueryError& e) {
    if (e.is_check_violation())
      throw Unprocessable("expires_at", "must be later than the subscription's start");
    if (e.sqlstate().starts_with("22")) throw Unprocessable("expires_at", "must be an ISO 8601 timestamp");
    throw;
  }
}

bool PgUserRepository::Delete(std::int64_t id) {
  return pool_.Exec(kDeleteUser, PgParams(id)).affected_rows() > 0;
}

}  // namespace cinerec::accounts
