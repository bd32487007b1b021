#pragma once
// For the analytics integration tests: a ClickHouse database of the test's own (migrated, dropped at the
// end) and builders for event rows whose report answers are known by construction.
#include <fmt/format.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "common/config.h"
#include "migrate/migrations.h"
#include "storage/clickhouse/http_clickhouse_client.h"
#include "support/test_env.h"

namespace cinerec::analytics::testing {

inline constexpr std::int64_t kT0 = 1791158400;  // 2026-10-05T00:00:00Z, a Monday
inline constexpr std::int64_t kHour = 3600;
inline constexpr std::int64_t kDay = 86400;

// "2026-10-05 00:00:00" (ClickHouse parses it in the column's time zone, UTC).
inline std::string ChTime(std::int64_t unix_s) {
  const auto days = unix_s / kDay, in_day = unix_s % kDay;
  const std::chrono::year_month_day date{std::chrono::sys_days(std::chrono::days(days))};
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()), in_day / 3600,
                     in_day / 60 % 60, in_day % 60);
}

// Event id n as a UUID: the same n is the same event (a retry or replay).
inline std::string Id(int n) {
  return fmt::format("00000000-0000-4000-8000-{:012}", n);
}

// `text` as a JSON string literal (quotes, backslashes and control characters escaped).
inline std::string JsonText(std::string_view text) {
  return boost::json::serialize(boost::json::string(text));
}

inline std::string Genres(const std::vector<std::string>& genres) {
  std::string out = "[";
  for (const auto& g : genres)
    out += (out.size() > 1 ? "," : "") + ("\"" + g + "\"");
  return out + "]";
}

struct Watch {
  int id;
  std::string type;
  std::int64_t at;
  std::uint64_t user;
  std::uint64_t movie;
  std::string session = "s";
  std::uint32_t position = 0, watched = 0, duration = 1000, seek_from = 0, seek_to = 0;
  std::vector<std::string> genres = {};
  std::string device = "tv", tier = "basic", country = "DE";
  int received_delay = 1;  // a copy of the event differs only in received_at
};

struct Ui {
  int id;
  std::string type;
  std::int64_t at;
  std::uint64_t user;
  std::uint64_t movie = 0;
  std::string section = "", query = "";
  std::uint32_t results = 0;
  std::vector<std::string> genres = {};
  std::string device = "tv", tier = "basic", country = "DE";
  int received_delay = 1;
};

struct Impression {
  int id;
  std::int64_t at;
  std::uint64_t user, movie;
  int position = 1;
  std::string model_version = "v1", variant = "A", source = "personal";
  std::string request_id = "r";
  std::vector<std::string> genres = {};
  int received_delay = 1;
};

class ClickHouseDatabase {
 public:
  ClickHouseDatabase() : ClickHouseDatabase(MakeConfig()) {}
  // The database of `config` (migrated if needed), dropped at the end: for a test's IsolatedConfig().
  explicit ClickHouseDatabase(Config config) : config_(std::move(config)), client_(config_.clickhouse) {
    MigrateClickHouse(client_, EmbeddedMigrations("clickhouse"));
  }
  ~ClickHouseDatabase() {
    try {
      client_.Query("DROP DATABASE IF EXISTS " + config_.clickhouse.database);
    } catch (const std::exception&) {
    }
  }
  ClickHouseDatabase(const ClickHouseDatabase&) = delete;
  ClickHouseDatabase& operator=(const ClickHouseDatabase&) = delete;

  HttpClickHouseClient& client() { return client_; }
  const Config& config() const { return config_; }

  void Add(const Watch& e) {
    client_.Insert(
        "watch_events", "JSONEachRow",
        fmt::format(R"({{"event_id":"{}","event_type":"{}","event_time":"{}","received_at":"{}",)"
                    R"("user_id":{},"movie_id":{},"session_id":"{}","device":"{}","position_s":{},)"
                    R"("seek_from_s":{},"seek_to_s":{},"watched_s":{},"duration_s":{},"movie_genres":{},)"
                    R"("user_tier":"{}","user_country":"{}"}})",
                    Id(e.id), e.type, ChTime(e.at), ChTime(e.at + e.received_delay), e.user, e.movie,
                    e.session, e.device, e.position, e.seek_from, e.seek_to, e.watched, e.duration,
                    Genres(e.genres), e.tier, e.country));
  }
  void Add(const Ui& e) {
    client_.Insert("ui_events", "JSONEachRow",
                   fmt::format(R"({{"event_id":"{}","event_type":"{}","event_time":"{}","received_at":"{}",)"
                               R"("user_id":{},"movie_id":{},"section":{},"query":{},"results":{},)"
                               R"("device":"{}","movie_genres":{},"user_tier":"{}","user_country":"{}"}})",
                               Id(e.id), e.type, ChTime(e.at), ChTime(e.at + e.received_delay), e.user,
                               e.movie, JsonText(e.section), JsonText(e.query), e.results, e.device,
                               Genres(e.genres), e.tier, e.country));
  }
  void Add(const Impression& e) {
    client_.Insert(
        "recommendation_impressions", "JSONEachRow",
        fmt::format(
            R"({{"event_id":"{}","request_id":"{}","event_time":"{}","received_at":"{}",)"
            R"("user_id":{},"movie_id":{},"position":{},"score":0.5,"model_version":"{}",)"
            R"("variant":"{}","source":"{}","movie_genres":{},"user_tier":"basic","user_country":"DE"}})",
            Id(e.id), e.request_id, ChTime(e.at), ChTime(e.at + e.received_delay), e.user, e.movie,
            e.position, e.model_version, e.variant, e.source, Genres(e.genres)));
  }
  void AddMovie(std::uint64_t id, const std::string& title, const std::vector<std::string>& genres) {
    client_.Insert("movies_dim", "JSONEachRow",
                   fmt::format(R"({{"movie_id":{},"title":"{}","genres":{},"year":2000,"duration_s":1000,)"
                               R"("deleted":0,"updated_at":"{}"}})",
                               id, title, Genres(genres), ChTime(kT0)));
  }
  void AddUser(std::uint64_t id, const std::string& signup_date, std::int64_t updated_at = kT0,
               const std::string& country = "DE", const std::string& tier = "basic") {
    client_.Insert(
        "users_dim", "JSONEachRow",
        fmt::format(R"({{"user_id":{},"tier":"{}","country":"{}","signup_date":"{}","birth_year":0,)"
                    R"("updated_at":"{}","deleted":0}})",
                    id, tier, country, signup_date, ChTime(updated_at)));
  }
  void AddSignup(int id, std::int64_t at, std::uint64_t user, int received_delay = 1) {
    client_.Insert(
        "account_events", "JSONEachRow",
        fmt::format(R"({{"event_id":"{}","event_type":"signup","event_time":"{}","received_at":"{}",)"
                    R"("user_id":{},"plan":"free","status":"active","user_country":"DE"}})",
                    Id(id), ChTime(at), ChTime(at + received_delay), user));
  }

 private:
  static Config MakeConfig() {
    Config config = cinerec::testing::StackConfig();
    config.clickhouse.database = "cinerec_an_" + cinerec::testing::UniqueName();
    return config;
  }
  Config config_;
  HttpClickHouseClient client_;
};

}  // namespace cinerec::analytics::testing
