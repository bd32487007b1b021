#pragma once
// ClickHouseClient over ClickHouse's HTTP interface (libcurl, keep-alive connections reused per pool slot).
// Works with ClickHouse 18.16 and current versions: settings go in the URL, one statement per request.
#include <memory>

#include "storage/clickhouse/clickhouse_client.h"

namespace cinerec {

struct ClickHouseConfig;

class HttpClickHouseClient final : public ClickHouseClient {
 public:
  explicit HttpClickHouseClient(const ClickHouseConfig& config);
  ~HttpClickHouseClient() override;
  HttpClickHouseClient(const HttpClickHouseClient&) = delete;
  HttpClickHouseClient& operator=(const HttpClickHouseClient&) = delete;

  std::string Query(const std::string& sql) override;
  void EnsureDatabase() override;
  void Insert(const std::string& table, std::string_view format, std::string_view rows) override;
  void Ping() override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cinerec
