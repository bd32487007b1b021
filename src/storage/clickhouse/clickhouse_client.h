#pragma once
// The ClickHouse boundary: SQL over its HTTP interface.
// HttpClickHouseClient (http_clickhouse_client.h) talks to a real server (keep-alive connections);
// InMemoryClickHouse (in_memory_clickhouse.h) records inserts for unit tests.
#include <stdexcept>
#include <string>
#include <string_view>

#include "storage/store_probe.h"

namespace cinerec {

class ClickHouseClient : public StoreProbe {
 public:
  std::string_view StoreName() const override { return "clickhouse"; }
  // Runs one statement (ClickHouse 18.16 takes one per request) in the configured database and returns the
  // response body (the statement names its output FORMAT). Throws StoreError on connection problems and
  // ClickHouseQueryError (below) when the server rejects the statement. Thread-safe.
  virtual std::string Query(const std::string& sql) = 0;
  // Creates the configured database if it does not exist (runs without the database setting).
  virtual void EnsureDatabase() = 0;
  // INSERT INTO `table` FORMAT `format` with `rows` as the body (e.g. JSONEachRow lines, RowBinary).
  // One call is one HTTP request: callers batch. Throws like Query. Thread-safe.
  virtual void Insert(const std::string& table, std::string_view format, std::string_view rows) = 0;
};

// The server answered but refused the statement (syntax, unknown table, bad row): retrying will not help.
class ClickHouseQueryError : public std::runtime_error {
 public:
  ClickHouseQueryError(int code, const std::string& message) : std::runtime_error(message), code_(code) {}
  int code() const noexcept { return code_; }  // ClickHouse's error code, 0 if unknown

 private:
  int code_;
};

}  // namespace cinerec
