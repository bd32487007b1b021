#include "storage/clickhouse/in_memory_clickhouse.h"

#include "common/errors.h"
#include "storage/clickhouse/clickhouse_sql.h"

namespace cinerec {

void InMemoryClickHouse::CheckAvailable() {
  if (!available_) throw StoreError("clickhouse", "in-memory clickhouse is unavailable (simulated outage)");
  if (fail_next_ > 0) {
    --fail_next_;
    throw StoreError("clickhouse", "in-memory clickhouse: simulated failure");
  }
}

std::string InMemoryClickHouse::Query(const std::string& sql) {
  std::lock_guard lock(mutex_);
  CheckAvailable();
  queries_.push_back(sql);
  auto it = scripted_.find(sql);
  if (it == scripted_.end())
    throw ClickHouseQueryError(0, "clickhouse (in-memory): no scripted answer for: " + sql);
  if (it->second.error_code >= 0) throw ClickHouseQueryError(it->second.error_code, it->second.body);
  return it->second.body;
}

void InMemoryClickHouse::EnsureDatabase() {
  std::lock_guard lock(mutex_);
  CheckAvailable();
  ++ensure_database_calls_;
}

void InMemoryClickHouse::Insert(const std::string& table, std::string_view format, std::string_view rows) {
  CheckClickHouseIdentifier("table", table);
  CheckClickHouseIdentifier("format", format);
  std::lock_guard lock(mutex_);
  CheckAvailable();
  inserts_[table].push_back({table, std::string(format), std::string(rows)});
}

void InMemoryClickHouse::Ping() {
  std::lock_guard lock(mutex_);
  CheckAvailable();
}

void InMemoryClickHouse::ScriptAnswer(const std::string& sql, std::string body) {
  std::lock_guard lock(mutex_);
  scripted_[sql] = {std::move(body), -1};
}

void InMemoryClickHouse::ScriptError(const std::string& sql, int code, std::string message) {
  std::lock_guard lock(mutex_);
  scripted_[sql] = {std::move(message), code < 0 ? 0 : code};
}

void InMemoryClickHouse::SetAvailable(bool available) {
  std::lock_guard lock(mutex_);
  available_ = available;
}

void InMemoryClickHouse::FailNextCalls(int n) {
  std::lock_guard lock(mutex_);
  fail_next_ = n;
}

std::vector<InMemoryClickHouse::InsertCall> InMemoryClickHouse::Inserts(const std::string& table) const {
  std::lock_guard lock(mutex_);
  auto it = inserts_.find(table);
  return it == inserts_.end() ? std::vector<InsertCall>{} : it->second;
}

std::vector<std::string> InMemoryClickHouse::InsertedRows(const std::string& table) const {
  std::vector<std::string> rows;
  for (const auto& call : Inserts(table)) {
    auto lines = SplitLines(call.rows);
    rows.insert(rows.end(), std::make_move_iterator(lines.begin()), std::make_move_iterator(lines.end()));
  }
  return rows;
}

std::size_t InMemoryClickHouse::RowCount(const std::string& table) const {
  return InsertedRows(table).size();
}

std::vector<std::string> InMemoryClickHouse::Queries() const {
  std::lock_guard lock(mutex_);
  return queries_;
}

int InMemoryClickHouse::ensure_database_calls() const {
  std::lock_guard lock(mutex_);
  return ensure_database_calls_;
}

std::vector<std::string> InMemoryClickHouse::SplitLines(std::string_view rows) {
  std::vector<std::string> lines;
  while (!rows.empty()) {
    auto eol = rows.find('\n');
    auto line = rows.substr(0, eol);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty()) lines.emplace_back(line);
    if (eol == std::string_view::npos) break;
    rows.remove_prefix(eol + 1);
  }
  return lines;
}

}  // namespace cinerec
