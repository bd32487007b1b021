#include "support/test_env.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include "common/errors.h"
#include "migrate/migrations.h"
#include "storage/clickhouse/http_clickhouse_client.h"
#include "storage/postgres/pg_pool.h"
#include "storage/s3/s3_object_store.h"

namespace cinerec::testing {
namespace {

// Replaces the database name (the path) of a postgresql:// URL.
std::string WithDatabase(const std::string& url, const std::string& database) {
  auto scheme_end = url.find("://");
  auto slash = url.find('/', scheme_end + 3);
  auto query = url.find('?', scheme_end + 3);
  std::string base = url.substr(0, slash == std::string::npos ? query : slash);
  std::string rest = query == std::string::npos ? "" : url.substr(query);
  return base + "/" + database + rest;
}

// A hash of the embedded PostgreSQL migrations names the template database, so that a new migration makes a
// new template instead of silently testing against an old schema.
std::string TemplateName() {
  std::string all;
  for (const auto& m : EmbeddedMigrations("postgres"))
    all += m.checksum;
  return "cinerec_tpl_" + std::to_string(std::hash<std::string>{}(all) % 1000000007ULL);
}

void EnsureTemplate(const Config& config, const std::string& name) {
  PgPool admin(config.postgres, WithDatabase(config.postgres.url, "postgres"));
  auto lease = admin.Acquire();
  // Serialises template creation across parallel test processes (waiting may outlast the statement timeout).
  lease->Exec("SET statement_timeout = 0");
  lease->Exec("SELECT pg_advisory_lock(4242)");
  try {
    auto exists = lease->Exec("SELECT 1 FROM pg_database WHERE datname = $1", PgParams(name));
    if (exists.rows() == 0) {
      lease->Exec("DROP DATABASE IF EXISTS " + name + "_building");  // left by a test process that died
      lease->Exec("CREATE DATABASE " + name + "_building");
      {
        PgPool pool(config.postgres, WithDatabase(config.postgres.url, name + "_building"));
        Migrate(pool, nullptr);
      }
      lease->Exec("ALTER DATABASE " + name + "_building RENAME TO " + name);
    }
  } catch (...) {
    try {
      lease->Exec("SELECT pg_advisory_unlock(4242)");
    } catch (...) {  // the original error matters more; the lock dies with the session anyway
    }
    throw;
  }
  lease->Exec("SELECT pg_advisory_unlock(4242)");
}

}  // namespace

Config StackConfig() {
  const char* url = std::getenv("CINEREC_POSTGRES_URL");
  if (!url || !*url) {
    ADD_FAILURE()
        << "The test stack environment is missing: run `make test`, or `scripts/stack.sh up --instance test"
           " && source .local/test/env.sh` before running test binaries by hand.";
    throw std::runtime_error("test stack environment missing");
  }
  auto config = Config::Load("");
  config.log.level = "warn";
  return config;
}

std::string UniqueName() {
  static std::atomic<int> counter{0};
  return fmt::format("t{}x{}", ::getpid(), counter++);
}

Config IsolatedConfig() {
  Config config = StackConfig();
  const std::string name = UniqueName();

  // PostgreSQL: a database copied from a migrated template (much faster than migrating each time).
  const std::string template_name = TemplateName();
  EnsureTemplate(config, template_name);
  {
    PgPool admin(config.postgres, WithDatabase(config.postgres.url, "postgres"));
    const std::string database = "cinerec_" + name;
    for (int attempt = 0;; ++attempt) {
      try {
        admin.Exec("CREATE DATABASE " + database + " TEMPLATE " + template_name);
        break;
      } catch (const PgQueryError& e) {
        // "source database is being accessed by other users": another process is still disconnecting from it.
        if (attempt >= 20) throw;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    }
    config.postgres.url = WithDatabase(config.postgres.url, database);
  }

  // ClickHouse: its own database, migrated.
  config.clickhouse.database = "cinerec_" + name;
  {
    HttpClickHouseClient clickhouse(config.clickhouse);
    MigrateClickHouse(clickhouse, EmbeddedMigrations("clickhouse"));
  }

  // Redis: its own key prefix. S3: its own bucket.
  config.redis.key_prefix = "cinerec:" + name + ":";
  config.s3.bucket = "cinerec-" + name;
  S3ObjectStore(config.s3).CreateBucket();

  // The collection spool: a directory of its own (a spool belongs to one process at a time).
  config.collect.spool_dir = (std::filesystem::path(config.collect.spool_dir) / name).string();
  // The recommendation service's disk copy of the models: its own too (inside the test's spool folder).
  config.recommend.model_cache_dir = (std::filesystem::path(config.collect.spool_dir) / "models").string();
  return config;
}

void StopStore(const std::string& store) {
  auto command = fmt::format("'{}/scripts/stack.sh' stop-one {} --instance test >/dev/null 2>&1",
                             CINEREC_SOURCE_DIR, store);
  if (std::system(command.c_str()) != 0) throw std::runtime_error("could not stop " + store + ": " + command);
}

void StartStore(const std::string& store) {
  auto command = fmt::format("'{}/scripts/stack.sh' start-one {} --instance test >/dev/null 2>&1",
                             CINEREC_SOURCE_DIR, store);
  if (std::system(command.c_str()) != 0)
    throw std::runtime_error("could not start " + store + ": " + command);
}

}  // namespace cinerec::testing
