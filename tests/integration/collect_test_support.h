#pragma once
// Helpers for the collection end-to-end tests: a `cinerec serve` on an isolated config with movies and
// viewers, event builders, and polling reads of ClickHouse and PostgreSQL (delivery is asynchronous: an
// acknowledged event is durable in the spool at once and reaches the stores within about a flush interval).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <thread>

#include "collect/event_parser.h"
#include "integration/accounts_test_client.h"
#include "storage/clickhouse/http_clickhouse_client.h"
#include "storage/postgres/pg_pool.h"
#include "support/http_test_client.h"
#include "support/test_env.h"

namespace cinerec::testing {

inline constexpr const char* kCollectAdminKey = "collect-test-admin-key-0123456789";

inline Config CollectTestConfig() {
  auto config = AccountsTestConfig();
  config.admin_api_keys = {kCollectAdminKey};
  config.clickhouse.flush_interval = std::chrono::milliseconds(200);
  config.collect.viewer_events_per_s = 0;  // tests send fast; the limiter has its own test
  return config;
}

inline std::string NewEventId() {
  static thread_local std::mt19937_64 random(std::random_device{}());
  const auto a = random(), b = random();
  char text[37];
  std::snprintf(text, sizeof text, "%08x-%04x-4%03x-8%03x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xFFFF), static_cast<unsigned>(a & 0xFFF),
                static_cast<unsigned>(b >> 52), static_cast<unsigned long long>(b & 0xFFFFFFFFFFFFull));
  return text;
}

inline std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// An event object: id, type, timestamp (now + offset_ms), then the given fields.
inline boost::json::object MakeEvent(const std::string& type, boost::json::object fields,
                                     std::int64_t offset_ms = 0, const std::string& event_id = NewEventId()) {
  fields["event_id"] = event_id;
  fields["type"] = type;
  fields["timestamp"] = collect::FormatRfc3339(NowMs() + offset_ms);
  return fields;
}

inline std::string Batch(const boost::json::array& events) {
  return boost::json::serialize(boost::json::object{{"events", events}});
}

class CollectStack {
 public:
  CollectStack() : CollectStack(CollectTestConfig()) {}
  explicit CollectStack(Config config)
      : config_(std::move(config)),
        service_(std::make_unique<ServiceProcess>(config_)),
        postgres_(config_.postgres),
        clickhouse_(config_.clickhouse) {}

  const Config& config() const { return config_; }
  ServiceProcess& service() { return *service_; }
  void Restart() {
    service_.reset();
    service_ = std::make_unique<ServiceProcess>(config_);
  }
  PgPool& postgres() { return postgres_; }
  HttpClickHouseClient& clickhouse() { return clickhouse_; }

  HttpResult Call(const std::string& method, const std::string& target, const std::string& body = "",
                  const std::string& token = kCollectAdminKey) {
    std::map<std::string, std::string> headers{{"Content-Type", "application/json"}};
    if (!token.empty()) headers["Authorization"] = "Bearer " + token;
    return HttpCall(service_->port(), method, target, body, headers);
  }
  HttpResult Post(const boost::json::array& events, const std::string& token = kCollectAdminKey) {
    return Call("POST", "/v1/events", Batch(events), token);
  }

  std::int64_t CreateMovie(const std::string& title, const std::vector<std::string>& genres = {"Drama"},
                           int duration_s = 6000) {
    boost::json::array genre_array;
    for (const auto& g : genres)
      genre_array.emplace_back(g);
    auto result =
        Call("POST", "/v1/movies",
             boost::json::serialize(boost::json::object{
                 {"title", title}, {"genres", genre_array}, {"duration_s", duration_s}, {"year", 2020}}));
    EXPECT_EQ(result.status, 201) << result.body;
    return boost::json::parse(result.body).at("id").as_int64();
  }
  // A viewer account: {user id, session token}.
  std::pair<std::int64_t, std::string> NewViewer(const std::string& email) {
    return AccountsClient(service_->port()).NewViewer(email);
  }

  // The first cell of a ClickHouse query (e.g. "SELECT count() FROM ..."), as text.
  std::string ClickHouseValue(const std::string& sql) {
    auto text = clickhouse_.Query(sql + " FORMAT TabSeparated");
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
      text.pop_back();
    return text;
  }
  std::string PostgresValue(const std::string& sql) { return std::string(postgres_.Exec(sql).Get(0, 0)); }

  // Polls `read` until it returns `expected` or `timeout` passes; returns the last value.
  static std::string WaitFor(const std::function<std::string()>& read, const std::string& expected,
                             std::chrono::seconds timeout = std::chrono::seconds(20)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string value;
    for (;;) {
      try {
        value = read();
      } catch (const std::exception& e) {
        value = std::string("error: ") + e.what();
      }
      if (value == expected || std::chrono::steady_clock::now() > deadline) return value;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  std::string WaitClickHouse(const std::string& sql, const std::string& expected,
                             std::chrono::seconds timeout = std::chrono::seconds(20)) {
    return WaitFor([&] { return ClickHouseValue(sql); }, expected, timeout);
  }
  std::string WaitPostgres(const std::string& sql, const std::string& expected,
                           std::chrono::seconds timeout = std::chrono::seconds(20)) {
    return WaitFor([&] { return PostgresValue(sql); }, expected, timeout);
  }

 private:
  Config config_;
  std::unique_ptr<ServiceProcess> service_;
  PgPool postgres_;
  HttpClickHouseClient clickhouse_;
};

}  // namespace cinerec::testing
