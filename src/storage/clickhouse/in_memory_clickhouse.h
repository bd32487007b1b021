#pragma once
// InMemoryClickHouse: a ClickHouseClient for unit tests, no server needed.
//  - Insert validates names like the real adapter and records every call (table, format, body) in order.
//  - Query answers only what the test scripted: exact SQL -> body, or exact SQL -> ClickHouseQueryError.
//    Any other SQL throws ClickHouseQueryError (code 0), so an unexpected query fails the test loudly.
//  - SetAvailable(false) / FailNextCalls(n) simulate outages: calls throw StoreError("clickhouse", ...).
// Thread-safe.
#include <map>
#include <mutex>
#include <vector>

#include "storage/clickhouse/clickhouse_client.h"

namespace cinerec {

class InMemoryClickHouse final : public ClickHouseClient {
 public:
  struct InsertCall {
    std::string table;
    std::string format;
    std::string rows;
  };

  std::string Query(const std::string& sql) override;
  void EnsureDatabase() override;
  void Insert(const std::string& table, std::string_view format, std::string_view rows) override;
  void Ping() override;

  // ---- scripting ----
  void ScriptAnswer(const std::string& sql, std::string body);
  void ScriptError(const std::string& sql, int code, std::string message);
  void SetAvailable(bool available);
  // The next n calls (of any kind) throw StoreError, then the fake works again: a short outage.
  void FailNextCalls(int n);

  // ---- inspection ----
  std::vector<InsertCall> Inserts(const std::string& table) const;
  // The rows of every Insert into `table`, one string per line (for line formats such as JSONEachRow, TSV).
  std::vector<std::string> InsertedRows(const std::string& table) const;
  std::size_t RowCount(const std::string& table) const;
  std::vector<std::string> Queries() const;  // every SQL received by Query, in order
  int ensure_database_calls() const;

  // Splits a line-format body into its non-empty lines.
  static std::vector<std::string> SplitLines(std::string_view rows);

 private:
  void CheckAvailable();  // REQUIRES: mutex_ held

  struct Scripted {
    std::string body;
    int error_code = -1;  // >= 0: throw ClickHouseQueryError(error_code, body)
  };
  mutable std::mutex mutex_;
  std::map<std::string, std::vector<InsertCall>> inserts_;  // GUARDED_BY(mutex_)
  std::map<std::string, Scripted> scripted_;                // GUARDED_BY(mutex_)
  std::vector<std::string> queries_;                        // GUARDED_BY(mutex_)
  bool available_ = true;                                   // GUARDED_BY(mutex_)
  int fail_next_ = 0;                                       // GUARDED_BY(mutex_)
  int ensure_database_calls_ = 0;                           // GUARDED_BY(mutex_)
};

}  // namespace cinerec
