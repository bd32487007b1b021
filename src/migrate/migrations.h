#pragma once
// The schema migrations compiled into the binary (migrations/<store>/NNNN_name.sql), and how to apply them.
//
// Forward-only and numbered: each store records what it applied (version, name, checksum); a file already
// applied whose contents changed is an error (write a new migration instead). Safe to run twice and from
// several nodes at once: PostgreSQL work holds an advisory lock, and ClickHouse statements are idempotent
// (CREATE ... IF NOT EXISTS) and run under the same lock when `cinerec migrate` does both.
#include <string>
#include <string_view>
#include <vector>

namespace cinerec {

class PgPool;
class ClickHouseClient;

struct Migration {
  int version = 0;
  std::string name;  // file name without extension, e.g. "0001_core"
  std::string sql;
  std::string checksum;  // SHA-256 hex of sql
};

// The embedded migrations of one store ("postgres" or "clickhouse"), ordered by version.
std::vector<Migration> EmbeddedMigrations(std::string_view store);

// ClickHouse 18.16 takes one statement per request: a line whose last non-blank character is ';' ends a
// statement; chunks holding only comments and blank lines are dropped.
std::vector<std::string> SplitStatements(std::string_view sql);

struct MigrationResult {
  std::vector<std::string> postgres;  // names applied now (empty when up to date)
  std::vector<std::string> clickhouse;
};

// Applies the pending embedded migrations of PostgreSQL, then (when `clickhouse` is non-null) of ClickHouse,
// holding a PostgreSQL advisory lock throughout so that concurrent runs from several nodes queue up.
// Throws StoreError, PgQueryError / ClickHouseQueryError, or std::runtime_error on a checksum mismatch.
MigrationResult Migrate(PgPool& pool, ClickHouseClient* clickhouse);

// ClickHouse alone, without the lock (its statements are idempotent): creates the database if missing.
std::vector<std::string> MigrateClickHouse(ClickHouseClient& clickhouse,
                                           const std::vector<Migration>& migrations);

}  // namespace cinerec
