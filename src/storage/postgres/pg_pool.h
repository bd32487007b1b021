#pragma once
// PostgreSQL through libpq: a fixed-size pool of connections, parameterised statements only.
//
// A connection found broken (server restarted, network cut) is dropped and reopened on the next lease, so the
// pool recovers by itself after the server comes back. Connection problems throw StoreError("postgres", ...);
// statements the server rejects throw PgQueryError with the SQLSTATE, so callers can map e.g. 23505
// (unique violation) to 409.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "storage/store_probe.h"

struct pg_conn;
struct pg_result;

namespace cinerec {

struct PostgresConfig;

class PgQueryError : public std::runtime_error {
 public:
  PgQueryError(std::string sqlstate, const std::string& message)
      : std::runtime_error(message), sqlstate_(std::move(sqlstate)) {}
  const std::string& sqlstate() const noexcept { return sqlstate_; }
  bool is_unique_violation() const { return sqlstate_ == "23505"; }
  bool is_foreign_key_violation() const { return sqlstate_ == "23503"; }
  bool is_check_violation() const { return sqlstate_ == "23514"; }

 private:
  std::string sqlstate_;
};

// Statement parameters in text format; nullopt is SQL NULL.
class PgParams {
 public:
  PgParams() = default;
  template <typename... Args>
  explicit PgParams(const Args&... args) {
    (Add(args), ...);
  }
  PgParams& Add(std::string_view value) {
    values_.emplace_back(std::string(value));
    return *this;
  }
  PgParams& Add(const std::string& value) {
    values_.emplace_back(value);
    return *this;
  }
  PgParams& Add(const char* value) {
    values_.emplace_back(std::string(value));
    return *this;
  }
  PgParams& Add(std::int64_t value) {
    values_.emplace_back(std::to_string(value));
    return *this;
  }
  PgParams& Add(int value) {
    values_.emplace_back(std::to_string(value));
    return *this;
  }
  PgParams& Add(double value);
  PgParams& Add(bool value) {
    values_.emplace_back(value ? "true" : "false");
    return *this;
  }
  PgParams& Add(std::nullopt_t) {
    values_.emplace_back(std::nullopt);
    return *this;
  }
  template <typename T>
  PgParams& Add(const std::optional<T>& value) {
    if (value) return Add(*value);
    return Add(std::nullopt);
  }
  const std::vector<std::optional<std::string>>& values() const { return values_; }

 private:
  std::vector<std::optional<std::string>> values_;
};

// The rows of one statement (text format). Move-only owner of the libpq result.
class PgResult {
 public:
  explicit PgResult(pg_result* result);
  ~PgResult();
  PgResult(PgResult&& other) noexcept;
  PgResult& operator=(PgResult&& other) noexcept;
  PgResult(const PgResult&) = delete;
  PgResult& operator=(const PgResult&) = delete;

  int rows() const;
  int columns() const;
  bool IsNull(int row, int column) const;
  std::string_view Get(int row, int column) const;  // "" for NULL
  std::int64_t GetInt(int row, int column) const;   // REQUIRES: an integer column, not NULL
  double GetDouble(int row, int column) const;
  bool GetBool(int row, int column) const;  // 't' / 'f'
  std::optional<std::string> GetOptional(int row, int column) const;
  int ColumnIndex(const char* name) const;  // -1 when absent
  std::int64_t affected_rows() const;       // for INSERT/UPDATE/DELETE

 private:
  pg_result* result_;
};

// One open connection, leased from the pool. Not thread-safe: one lease, one thread.
class PgConnection {
 public:
  explicit PgConnection(pg_conn* conn) : conn_(conn) {}
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;
  PgResult Exec(std::string_view sql, const PgParams& params = {});
  // Runs several ;-separated statements with the simple query protocol (no parameters): for migrations only.
  void ExecScript(const std::string& sql);
  // Runs fn(*this) between BEGIN and COMMIT; rolls back if fn throws.
  template <typename Fn>
  auto Transaction(Fn&& fn) -> decltype(fn(*this)) {
    Exec("BEGIN");
    try {
      if constexpr (std::is_void_v<decltype(fn(*this))>) {
        fn(*this);
        Exec("COMMIT");
      } else {
        auto result = fn(*this);
        Exec("COMMIT");
        return result;
      }
    } catch (...) {
      RollbackQuietly();
      throw;
    }
  }
  bool broken() const { return broken_; }
  pg_conn* raw() { return conn_; }

 private:
  void RollbackQuietly();
  pg_conn* conn_;
  bool broken_ = false;
};

class PgPool : public StoreProbe {
 public:
  // Opens no connection yet: connections open on first use, so the service starts while PostgreSQL is down.
  explicit PgPool(const PostgresConfig& config);
  // Same, against another URL with the same settings (e.g. the read replica).
  PgPool(const PostgresConfig& config, const std::string& url);
  ~PgPool() override;
  PgPool(const PgPool&) = delete;
  PgPool& operator=(const PgPool&) = delete;

  // A connection for the lease's lifetime; returned to the pool by the destructor (a broken one is closed).
  class Lease {
   public:
    Lease(PgPool& pool, std::unique_ptr<PgConnection> conn) : pool_(&pool), conn_(std::move(conn)) {}
    Lease(Lease&&) noexcept = default;
    ~Lease();
    PgConnection* operator->() { return conn_.get(); }
    PgConnection& operator*() { return *conn_; }

   private:
    PgPool* pool_;
    std::unique_ptr<PgConnection> conn_;
  };
  // Waits up to connect_timeout for a free slot, then connects if needed. Throws StoreError.
  Lease Acquire();

  // Acquire + Exec in one call.
  PgResult Exec(std::string_view sql, const PgParams& params = {});
  template <typename Fn>
  auto Transaction(Fn&& fn) {
    auto lease = Acquire();
    return lease->Transaction(std::forward<Fn>(fn));
  }

  std::string_view StoreName() const override { return "postgres"; }
  void Ping() override;

 private:
  void Release(std::unique_ptr<PgConnection> conn);
  std::unique_ptr<PgConnection> Connect();

  std::string url_;
  int size_;
  std::chrono::milliseconds connect_timeout_;
  std::chrono::milliseconds statement_timeout_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<PgConnection>> idle_;
  int open_ = 0;  // connections leased or idle
};

}  // namespace cinerec
