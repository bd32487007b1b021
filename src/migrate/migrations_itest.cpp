// Migrations against the real PostgreSQL and ClickHouse of the test stack.
#include <gtest/gtest.h>

#include <future>

#include "migrate/migrations.h"
#include "storage/clickhouse/http_clickhouse_client.h"
#include "storage/postgres/pg_pool.h"
#include "support/test_env.h"

namespace cinerec {
namespace {

class MigrationsIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_ = testing::StackConfig();
    name_ = "cinerec_m" + testing::UniqueName();
    PgPool admin(config_.postgres);
    admin.Exec("CREATE DATABASE " + name_);
    auto url = config_.postgres.url;
    config_.postgres.url = url.substr(0, url.rfind('/')) + "/" + name_;
    config_.clickhouse.database = name_;
  }

  Config config_;
  std::string name_;
};

TEST_F(MigrationsIntegrationTest, CreatesTheWholeDataModelOnceEvenWhenRunConcurrently) {
  PgPool pool(config_.postgres);
  HttpClickHouseClient clickhouse(config_.clickhouse);
  // Two "nodes" at once: the advisory lock makes one wait; together they apply each migration exactly once.
  auto first = std::async(std::launch::async, [&] { return Migrate(pool, &clickhouse); });
  auto second = std::async(std::launch::async, [&] { return Migrate(pool, &clickhouse); });
  auto a = first.get();
  auto b = second.get();
  EXPECT_EQ(a.postgres.size() + b.postgres.size(), EmbeddedMigrations("postgres").size());
  EXPECT_EQ(a.clickhouse.size() + b.clickhouse.size(), EmbeddedMigrations("clickhouse").size());

  auto again = Migrate(pool, &clickhouse);
  EXPECT_TRUE(again.postgres.empty());
  EXPECT_TRUE(again.clickhouse.empty());

  auto tables = pool.Exec(
      "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_name IN "
      "('users','subscriptions','movies','genres','movie_genres','views','reactions','sessions','schema_"
      "migrations')");
  EXPECT_EQ(tables.GetInt(0, 0), 9);
  auto ch_tables = clickhouse.Query(
      "SELECT count() FROM system.tables WHERE database = currentDatabase() AND name IN "
      "('ui_events','watch_events','recommendation_impressions','schema_migrations') FORMAT TSV");
  EXPECT_EQ(ch_tables, "4\n");
}

TEST_F(MigrationsIntegrationTest, ConstraintsRejectBadRows) {
  PgPool pool(config_.postgres);
  Migrate(pool, nullptr);
  EXPECT_THROW(pool.Exec("INSERT INTO users (email, display_name, profile) VALUES ('a@b.c', 'A', '[1]')"),
               PgQueryError);
  pool.Exec("INSERT INTO users (email, display_name) VALUES ('a@b.c', 'A')");
  try {
    pool.Exec("INSERT INTO users (email, display_name) VALUES ('a@b.c', 'B')");
    FAIL() << "duplicate email accepted";
  } catch (const PgQueryError& e) {
    EXPECT_TRUE(e.is_unique_violation()) << e.sqlstate();
  }
}

TEST_F(MigrationsIntegrationTest, ChangedAppliedMigrationIsRefused) {
  PgPool pool(config_.postgres);
  Migrate(pool, nullptr);
  pool.Exec("UPDATE schema_migrations SET checksum = 'tampered' WHERE version = 1");
  EXPECT_THROW(Migrate(pool, nullptr), std::runtime_error);
}

}  // namespace
}  // namespace cinerec
