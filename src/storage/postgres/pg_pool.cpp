#include "storage/postgres/pg_pool.h"

#include <fmt/format.h>
#include <libpq-fe.h>
#include <spdlog/spdlog.h>

#include <charconv>
#include <cstdlib>

#include "common/config.h"
#include "common/errors.h"
#include "common/non_blocking.h"

namespace cinerec {

PgParams& PgParams::Add(double value) {
  values_.emplace_back(fmt::format("{}", value));
  return *this;
}

// ---- PgResult ----

PgResult::PgResult(pg_result* result) : result_(result) {}
PgResult::~PgResult() {
  if (result_) PQclear(result_);
}
PgResult::PgResult(PgResult&& other) noexcept : result_(std::exchange(other.result_, nullptr)) {}
PgResult& PgResult::operator=(PgResult&& other) noexcept {
  if (this != &other) {
    if (result_) PQclear(result_);
    result_ = std::exchange(other.result_, nullptr);
  }
  return *this;
}
int PgResult::rows() const {
  return PQntuples(result_);
}
int PgResult::columns() const {
  return PQnfields(result_);
}
bool PgResult::IsNull(int row, int column) const {
  return PQgetisnull(result_, row, column) != 0;
}
std::string_view PgResult::Get(int row, int column) const {
  return {PQgetvalue(result_, row, column), static_cast<std::size_t>(PQgetlength(result_, row, column))};
}
std::int64_t PgResult::GetInt(int row, int column) const {
  auto text = Get(row, column);
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size())
    throw std::runtime_error(
        fmt::format("postgres: column {} is not an integer: '{}'", PQfname(result_, column), text));
  return value;
}
double PgResult::GetDouble(int row, int column) const {
  return std::strtod(std::string(Get(row, column)).c_str(), nullptr);
}
bool PgResult::GetBool(int row, int column) const {
  return Get(row, column) == "t";
}
std::optional<std::string> PgResult::GetOptional(int row, int column) const {
  if (IsNull(row, column)) return std::nullopt;
  return std::string(Get(row, column));
}
int PgResult::ColumnIndex(const char* name) const {
  return PQfnumber(result_, name);
}
std::int64_t PgResult::affected_rows() const {
  const char* n = PQcmdTuples(result_);
  return n && *n ? std::strtoll(n, nullptr, 10) : 0;
}

// ---- PgConnection ----

PgConnection::~PgConnection() {
  if (conn_) PQfinish(conn_);
}

PgResult PgConnection::Exec(std::string_view sql, const PgParams& params) {
  std::vector<const char*> values;
  values.reserve(params.values().size());
  for (const auto& v : params.values())
    values.push_back(v ? v->c_str() : nullptr);
  std::string statement(sql);
  pg_result* raw = PQexecParams(conn_, statement.c_str(), static_cast<int>(values.size()), nullptr,
                                values.data(), nullptr, nullptr, /*resultFormat=*/0);
  PgResult result(raw);
  auto status = raw ? PQresultStatus(raw) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return result;

  if (!raw || PQstatus(conn_) != CONNECTION_OK) {
    broken_ = true;
    throw StoreError("postgres", fmt::format("connection lost: {}", PQerrorMessage(conn_)));
  }
  const char* sqlstate = PQresultErrorField(raw, PG_DIAG_SQLSTATE);
  std::string state = sqlstate ? sqlstate : "";
  std::string message = PQresultErrorMessage(raw);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' '))
    message.pop_back();
  // Server shutting down (57P01-57P03) or connection exceptions (class 08) mean the server, not the
  // statement. A statement timeout or cancel (57014) is the statement's problem: the connection stays usable.
  if (state == "57P01" || state == "57P02" || state == "57P03" || state.rfind("08", 0) == 0) {
    broken_ = true;
    throw StoreError("postgres", message);
  }
  throw PgQueryError(state, message);
}

void PgConnection::ExecScript(const std::string& sql) {
  pg_result* raw = PQexec(conn_, sql.c_str());
  PgResult result(raw);
  auto status = raw ? PQresultStatus(raw) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY) return;
  if (!raw || PQstatus(conn_) != CONNECTION_OK) {
    broken_ = true;
    throw StoreError("postgres", fmt::format("connection lost: {}", PQerrorMessage(conn_)));
  }
  const char* sqlstate = PQresultErrorField(raw, PG_DIAG_SQLSTATE);
  throw PgQueryError(sqlstate ? sqlstate : "", PQresultErrorMessage(raw));
}

void PgConnection::RollbackQuietly() {
  if (broken_) return;
  PGresult* r = PQexec(conn_, "ROLLBACK");
  if (r) PQclear(r);
  if (PQstatus(conn_) != CONNECTION_OK) broken_ = true;
}

// ---- PgPool ----

PgPool::PgPool(const PostgresConfig& config) : PgPool(config, config.url) {}

PgPool::PgPool(const PostgresConfig& config, const std::string& url)
    : url_(url),
      size_(config.pool_size),
      connect_timeout_(config.connect_timeout),
      statement_timeout_(config.statement_timeout) {}

PgPool::~PgPool() = default;

PgPool::Lease::~Lease() {
  if (pool_ && conn_) pool_->Release(std::move(conn_));
}

std::unique_ptr<PgConnection> PgPool::Connect() {
  auto timeout_s = std::to_string(std::max<long long>(1, (connect_timeout_.count() + 999) / 1000));
  auto options =
      fmt::format("-c statement_timeout={} -c client_min_messages=warning", statement_timeout_.count());
  // TCP keepalives and a user timeout: a server that silently vanishes (network cut) fails calls in seconds
  // instead of blocking a worker for the kernel's default of minutes.
  const char* keys[] = {
      "dbname",          "connect_timeout",     "options",          "application_name", "keepalives",
      "keepalives_idle", "keepalives_interval", "keepalives_count", "tcp_user_timeout", nullptr};
  const char* values[] = {url_.c_str(), timeout_s.c_str(), options.c_str(), "cinerec", "1", "10", "5",
                          "3",          "30000",           nullptr};
  pg_conn* conn = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (!conn || PQstatus(conn) != CONNECTION_OK) {
    std::string message = conn ? PQerrorMessage(conn) : "out of memory";
    while (!message.empty() && message.back() == '\n')
      message.pop_back();
    if (conn) PQfinish(conn);
    throw StoreError("postgres", "cannot connect to " + RedactUrl(url_) + ": " + message);
  }
  return std::make_unique<PgConnection>(conn);
}

PgPool::Lease PgPool::Acquire() {
  ThrowIfMustNotBlock();
  std::unique_lock lock(mutex_);
  bool ready = available_.wait_for(lock, connect_timeout_, [&] { return !idle_.empty() || open_ < size_; });
  if (!ready)
    throw StoreError("postgres", fmt::format("no free connection within {} ms (pool of {})",
                                             connect_timeout_.count(), size_));
  if (!idle_.empty()) {
    auto conn = std::move(idle_.back());
    idle_.pop_back();
    lock.unlock();
    if (PQstatus(conn->raw()) == CONNECTION_OK) return Lease(*this, std::move(conn));
    // The server dropped it while idle: open a fresh one in its place (the slot stays counted).
  } else {
    ++open_;
    lock.unlock();
  }
  // This thread holds a counted slot from here on: give it back if connecting fails.
  try {
    return Lease(*this, Connect());
  } catch (...) {
    std::lock_guard relock(mutex_);
    --open_;
    available_.notify_one();
    throw;
  }
}

void PgPool::Release(std::unique_ptr<PgConnection> conn) {
  const bool lost = conn->broken() || PQstatus(conn->raw()) != CONNECTION_OK;
  const bool keep = !lost && PQtransactionStatus(conn->raw()) == PQTRANS_IDLE;
  if (!keep) conn.reset();  // closed outside the lock is not worth the complexity: PQfinish is quick
  std::lock_guard lock(mutex_);
  if (keep) {
    idle_.push_back(std::move(conn));
  } else {
    --open_;
    if (lost) {
      // A lost connection usually means the server restarted: its idle siblings are dead too. Drop them now
      // rather than failing one request per stale connection.
      open_ -= static_cast<int>(idle_.size());
      idle_.clear();
    }
  }
  available_.notify_all();
}

PgResult PgPool::Exec(std::string_view sql, const PgParams& params) {
  auto lease = Acquire();
  return lease->Exec(sql, params);
}

void PgPool::Ping() {
  // After a server restart every idle connection is dead but does not know it yet: the first use finds out.
  // One retry then runs on a fresh connection, so readiness reflects the server, not our stale sockets.
  try {
    Exec("SELECT 1");
  } catch (const StoreError&) {
    Exec("SELECT 1");
  }
}

}  // namespace cinerec
