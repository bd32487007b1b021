#include "storage/clickhouse/http_clickhouse_client.h"

#include <fmt/format.h>

#include "common/config.h"
#include "common/errors.h"
#include "storage/clickhouse/clickhouse_sql.h"
#include "storage/clickhouse/curl_transport.h"

namespace cinerec {
namespace {

// Sent with every request. best_effort: ISO-8601 "...Z" timestamps insert (18.16 rejects them otherwise).
// quote_64bit_integers=0: UInt64/Int64 come back as JSON numbers on every version.
constexpr std::string_view kSettings =
    "date_time_input_format=best_effort&output_format_json_quote_64bit_integers=0";
constexpr std::size_t kMaxMessageBytes = 2000;

std::string Trimmed(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' '))
    text.remove_suffix(1);
  if (text.size() > kMaxMessageBytes) return std::string(text.substr(0, kMaxMessageBytes)) + "...";
  return std::string(text);
}

}  // namespace

struct HttpClickHouseClient::Impl {
  explicit Impl(const ClickHouseConfig& config)
      : database(config.database),
        where(RedactUrl(config.url)),
        transport(CurlTransportOptions{config.user, config.password, config.timeout, where, 8}) {
    base = config.url;
    while (!base.empty() && base.back() == '/')
      base.pop_back();
  }

  std::string base;  // scheme://host:port
  std::string database;
  std::string where;
  CurlTransport transport;

  std::string StatementUrl(bool with_database) const {
    std::string url = base + "/?" + std::string(kSettings);
    if (with_database) url += "&database=" + UrlEncode(database);
    return url;
  }

  // One request; an HTTP answer other than 200 becomes ClickHouseQueryError or StoreError.
  std::string Run(const std::string& url, std::string_view body, bool idempotent, std::string_view what) {
    HttpResponse response = transport.Perform(url, &body, idempotent);
    if (response.status == 200) return std::move(response.body);
    int code =
        response.exception_code != 0 ? response.exception_code : ParseClickHouseErrorCode(response.body);
    std::string message = Trimmed(response.body);
    if (code != 0 && !IsTransientClickHouseError(code))
      throw ClickHouseQueryError(code, fmt::format("clickhouse: {} refused by {}: {}", what, where, message));
    throw StoreError("clickhouse",
                     fmt::format("{} at {}: HTTP {}: {}", what, where, response.status, message));
  }
};

HttpClickHouseClient::HttpClickHouseClient(const ClickHouseConfig& config) {
  if (config.url.rfind("http://", 0) != 0 && config.url.rfind("https://", 0) != 0)
    throw ConfigError("clickhouse.url: must start with http:// or https://, got '" + RedactUrl(config.url)
                      + "'");
  if (!IsClickHouseIdentifier(config.database) || config.database.find('.') != std::string::npos)
    throw ConfigError("clickhouse.database: must be letters, digits and '_', got '" + config.database + "'");
  if (config.timeout.count() <= 0) throw ConfigError("clickhouse.timeout: must be positive");
  impl_ = std::make_unique<Impl>(config);
}

HttpClickHouseClient::~HttpClickHouseClient() = default;

std::string HttpClickHouseClient::Query(const std::string& sql) {
  return impl_->Run(impl_->StatementUrl(true), sql, IsReadOnlyStatement(sql), "query");
}

void HttpClickHouseClient::EnsureDatabase() {
  // Without the database setting: the server refuses requests naming a database that does not exist yet.
  impl_->Run(impl_->StatementUrl(false), "CREATE DATABASE IF NOT EXISTS " + impl_->database, true,
             "CREATE DATABASE");
}

void HttpClickHouseClient::Insert(const std::string& table, std::string_view format, std::string_view rows) {
  CheckClickHouseIdentifier("table", table);
  CheckClickHouseIdentifier("format", format);
  // The statement goes in the URL so the body is pure data (ClickHouse streams it into the table).
  std::string url = impl_->StatementUrl(true)
                    + "&query=" + UrlEncode(fmt::format("INSERT INTO {} FORMAT {}", table, format));
  impl_->Run(url, rows, /*idempotent=*/false, "INSERT INTO " + table);
}

void HttpClickHouseClient::Ping() {
  HttpResponse response = impl_->transport.Perform(impl_->base + "/ping", nullptr, true);
  if (response.status != 200 || Trimmed(response.body) != "Ok.")
    throw StoreError("clickhouse", fmt::format("ping {}: HTTP {}: {}", impl_->where, response.status,
                                               Trimmed(response.body)));
}

}  // namespace cinerec
