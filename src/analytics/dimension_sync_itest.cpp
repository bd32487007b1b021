// The dimension sync on the test stack: PostgreSQL users, subscriptions and movies reach users_dim,
// movies_dim and account_events; a change reaches them at the next sync; syncing again adds no event.
#include <gtest/gtest.h>

#include "analytics/dimension_sync.h"
#include "migrate/migrations.h"
#include "storage/clickhouse/http_clickhouse_client.h"
#include "storage/postgres/pg_pool.h"
#include "support/test_env.h"

namespace cinerec::analytics {
namespace {

class DimensionSyncItest : public ::testing::Test {
 protected:
  DimensionSyncItest()
      : config_(cinerec::testing::IsolatedConfig()),
        postgres_(config_.postgres),
        clickhouse_(config_.clickhouse) {}
  ~DimensionSyncItest() override {
    try {
      clickhouse_.Query("DROP DATABASE IF EXISTS " + config_.clickhouse.database);
    } catch (const std::exception&) {
    }
  }
  std::string Ask(const std::string& sql) { return clickhouse_.Query(sql + " FORMAT TSV"); }

  Config config_;
  PgPool postgres_;
  HttpClickHouseClient clickhouse_;
};

TEST_F(DimensionSyncItest, CopiesUsersMoviesAndAccountEvents) {
  auto user = postgres_.Exec(
      "INSERT INTO users (email, display_name, profile, created_at, updated_at) VALUES ('ann@example.org', "
      "'Ann', "
      "'{\"country\": \"de\", \"birth_year\": 1990}', '2026-10-01 10:00:00+00', '2026-10-01 10:00:00+00') "
      "RETURNING id");
  const auto id = std::to_string(user.GetInt(0, 0));
  postgres_.Exec("INSERT INTO subscriptions (user_id, plan, status, started_at, updated_at) VALUES (" + id
                 + ", 'premium', 'active', '2026-10-01 10:00:00+00', '2026-10-01 10:00:00+00')");
  auto movie = postgres_.Exec(
      "INSERT INTO movies (title, year, duration_s) VALUES ('Heat', 1995, 10200) RETURNING id");
  const auto movie_id = std::to_string(movie.GetInt(0, 0));
  postgres_.Exec("INSERT INTO movie_genres (movie_id, genre_id) SELECT " + movie_id
                 + ", id FROM genres WHERE name IN ('Drama', 'Crime')");

  DimensionSync sync(postgres_, clickhouse_);
  auto counts = sync.SyncChanges();
  EXPECT_EQ(counts.users, 1);
  EXPECT_EQ(counts.movies, 1);
  EXPECT_EQ(counts.signups, 1);
  EXPECT_EQ(counts.subscription_changes, 0);
  EXPECT_EQ(Ask("SELECT user_id, tier, country, signup_date, birth_year, deleted FROM users_dim FINAL"),
            id + "\tpremium\tDE\t2026-10-01\t1990\t0\n");
  EXPECT_EQ(Ask("SELECT movie_id, title, genres, year, duration_s, deleted FROM movies_dim FINAL"),
            movie_id + "\tHeat\t['Crime','Drama']\t1995\t10200\t0\n");
  EXPECT_EQ(Ask("SELECT event_type, event_time, user_id, plan, status, user_country FROM account_events"),
            "signup\t2026-10-01 10:00:00\t" + id + "\tpremium\tactive\tDE\n");

  // A downgrade (the trigger sets updated_at = now()) and a title change arrive at the next sync.
  postgres_.Exec("UPDATE subscriptions SET plan = 'basic' WHERE user_id = " + id);
  postgres_.Exec("UPDATE movies SET title = 'Heat (1995)' WHERE id = " + movie_id);
  counts = sync.SyncChanges();
  EXPECT_EQ(counts.subscription_changes, 1);
  EXPECT_EQ(Ask("SELECT tier FROM users_dim FINAL"), "basic\n");
  EXPECT_EQ(Ask("SELECT title FROM movies_dim FINAL"), "Heat (1995)\n");
  EXPECT_EQ(Ask("SELECT plan, previous_plan, previous_status FROM account_events WHERE event_type = "
                "'subscription_change'"),
            "basic\tpremium\tactive\n");

  // Again, and a full refresh from a new process: the same events (same ids) at most, never new ones.
  sync.SyncChanges();
  DimensionSync fresh(postgres_, clickhouse_);
  counts = fresh.FullRefresh();
  EXPECT_EQ(counts.users, 1);
  EXPECT_EQ(
      Ask("SELECT uniqExact(event_id), uniqExactIf(event_id, event_type = 'signup') FROM account_events"),
      "2\t1\n");
  EXPECT_EQ(Ask("SELECT count() FROM users_dim FINAL"), "1\n");
}

}  // namespace
}  // namespace cinerec::analytics
