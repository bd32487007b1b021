#include "migrate/migrations.h"

#include <fmt/format.h>
#include <openssl/sha.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <stdexcept>

#include "common/embedded_files.h"
#include "storage/clickhouse/clickhouse_client.h"
#include "storage/postgres/pg_pool.h"

namespace cinerec {
namespace {

// Any fixed 64-bit number: the key of the cluster-wide migration lock.
constexpr std::int64_t kMigrationLockKey = 0x63696e6572656331;  // "cinerec1"

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : digest) {
    out += kHex[b >> 4];
    out += kHex[b & 0xf];
  }
  return out;
}

bool IsBlankOrComment(std::string_view chunk) {
  std::size_t pos = 0;
  while (pos < chunk.size()) {
    auto end = chunk.find('\n', pos);
    if (end == std::string_view::npos) end = chunk.size();
    auto line = chunk.substr(pos, end - pos);
    auto first = line.find_first_not_of(" \t\r");
    if (first != std::string_view::npos && line.substr(first, 2) != "--" && line.substr(first) != ";")
      return false;
    pos = end + 1;
  }
  return true;
}

void CheckUnchanged(const std::map<int, std::string>& applied, const Migration& m, std::string_view store) {
  auto it = applied.find(m.version);
  if (it != applied.end() && !it->second.empty() && it->second != m.checksum) {
    throw std::runtime_error(
        fmt::format("{} migration {} was applied with different contents (checksum {} vs {}): migrations are "
                    "forward-only, "
                    "add a new numbered file instead of editing an applied one",
                    store, m.name, it->second.substr(0, 12), m.checksum.substr(0, 12)));
  }
}

std::vector<std::string> ApplyPostgres(PgConnection& conn, const std::vector<Migration>& migrations) {
  conn.Exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version int PRIMARY KEY, name text NOT NULL, "
      "checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())");
  std::map<int, std::string> applied;
  auto rows = conn.Exec("SELECT version, checksum FROM schema_migrations");
  for (int r = 0; r < rows.rows(); ++r)
    applied[static_cast<int>(rows.GetInt(r, 0))] = std::string(rows.Get(r, 1));

  std::vector<std::string> done;
  for (const auto& m : migrations) {
    CheckUnchanged(applied, m, "postgres");
    if (applied.count(m.version)) continue;
    spdlog::info("migrate: postgres {}", m.name);
    conn.Transaction([&](PgConnection& tx) {
      tx.ExecScript(m.sql);
      tx.Exec("INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
              PgParams(m.version, m.name, m.checksum));
    });
    done.push_back(m.name);
  }
  return done;
}

}  // namespace

std::vector<Migration> EmbeddedMigrations(std::string_view store) {
  std::vector<Migration> out;
  std::string prefix = std::string(store) + "/";
  for (const auto& file : embedded::migrations()) {
    if (file.path.rfind(prefix, 0) != 0) continue;
    std::string base = file.path.substr(prefix.size());
    if (base.size() < 5 || base.substr(base.size() - 4) != ".sql") continue;
    Migration m;
    m.name = base.substr(0, base.size() - 4);
    m.version = std::stoi(m.name.substr(0, m.name.find('_')));
    m.sql = file.contents;
    m.checksum = Sha256Hex(m.sql);
    out.push_back(std::move(m));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.version < b.version; });
  for (std::size_t i = 1; i < out.size(); ++i)
    if (out[i].version == out[i - 1].version)
      throw std::runtime_error("two " + std::string(store) + " migrations share version "
                               + std::to_string(out[i].version));
  return out;
}

std::vector<std::string> SplitStatements(std::string_view sql) {
  std::vector<std::string> out;
  std::string current;
  std::size_t pos = 0;
  while (pos < sql.size()) {
    auto end = sql.find('\n', pos);
    if (end == std::string_view::npos) end = sql.size();
    auto line = sql.substr(pos, end - pos);
    current.append(line).push_back('\n');
    auto last = line.find_last_not_of(" \t\r");
    if (last != std::string_view::npos && line[last] == ';') {
      if (!IsBlankOrComment(current)) out.push_back(current);
      current.clear();
    }
    pos = end + 1;
  }
  if (!IsBlankOrComment(current)) out.push_back(current);
  return out;
}

std::vector<std::string> MigrateClickHouse(ClickHouseClient& clickhouse,
                                           const std::vector<Migration>& migrations) {
  clickhouse.EnsureDatabase();
  clickhouse.Query(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version UInt32, name String, checksum String, "
      "applied_at DateTime) ENGINE = ReplacingMergeTree(applied_at) ORDER BY version");
  std::map<int, std::string> applied;
  auto body = clickhouse.Query(
      "SELECT version, argMax(checksum, applied_at) FROM schema_migrations GROUP BY version FORMAT TSV");
  std::size_t pos = 0;
  while (pos < body.size()) {
    auto end = body.find('\n', pos);
    if (end == std::string::npos) end = body.size();
    auto line = body.substr(pos, end - pos);
    if (auto tab = line.find('\t'); tab != std::string::npos)
      applied[std::stoi(line.substr(0, tab))] = line.substr(tab + 1);
    pos = end + 1;
  }
  std::vector<std::string> done;
  for (const auto& m : migrations) {
    CheckUnchanged(applied, m, "clickhouse");
    if (applied.count(m.version)) continue;
    spdlog::info("migrate: clickhouse {}", m.name);
    for (const auto& statement : SplitStatements(m.sql))
      clickhouse.Query(statement);
    // Names and checksums are [0-9a-z_] and hex: safe to inline (ClickHouse 18.16 has no query parameters).
    clickhouse.Query(fmt::format("INSERT INTO schema_migrations VALUES ({}, '{}', '{}', now())", m.version,
                                 m.name, m.checksum));
    done.push_back(m.name);
  }
  return done;
}

MigrationResult Migrate(PgPool& pool, ClickHouseClient* clickhouse) {
  auto conn = pool.Acquire();
  // Waiting for another node's migration, or a long migration itself, must not hit the pool's statement
  // timeout.
  conn->Exec("SET statement_timeout = 0");
  conn->Exec("SELECT pg_advisory_lock($1)", PgParams(kMigrationLockKey));
  MigrationResult result;
  try {
    result.postgres = ApplyPostgres(*conn, EmbeddedMigrations("postgres"));
    if (clickhouse) result.clickhouse = MigrateClickHouse(*clickhouse, EmbeddedMigrations("clickhouse"));
  } catch (...) {
    try {
      conn->Exec("SELECT pg_advisory_unlock($1)", PgParams(kMigrationLockKey));
    } catch (...) {  // the session ends with the connection anyway, which releases the lock
    }
    throw;
  }
  conn->Exec("SELECT pg_advisory_unlock($1)", PgParams(kMigrationLockKey));
  conn->Exec("RESET statement_timeout");
  return result;
}

}  // namespace cinerec
