#include "analytics/dimension_sync.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <map>
#include <tuple>
#include <vector>

#include "analytics/report_request.h"
#include "analytics/report_sql.h"
#include "storage/clickhouse/clickhouse_client.h"
#include "storage/postgres/pg_pool.h"

namespace cinerec::analytics {

namespace json = boost::json;

namespace {

// Effective tier as everywhere else (see the subscriptions table comment); version = the later updated_at.
constexpr const char* kUsersSql =
    "SELECT u.id, CASE WHEN s.status IN ('active', 'past_due') AND (s.expires_at IS NULL OR s.expires_at > "
    "now()) "
    "THEN s.plan ELSE 'free' END, "
    "CASE WHEN u.profile->>'country' ~ '^[A-Za-z]{2}$' THEN upper(u.profile->>'country') ELSE '' END, "
    "to_char(u.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'), "
    "CASE WHEN u.profile->>'birth_year' ~ '^[0-9]{4}$' THEN (u.profile->>'birth_year')::int ELSE 0 END, "
    "floor(extract(epoch FROM greatest(u.updated_at, coalesce(s.updated_at, u.updated_at))))::bigint, "
    "floor(extract(epoch FROM u.created_at))::bigint, coalesce(s.plan, 'free'), coalesce(s.status, "
    "'active'), "
    "floor(extract(epoch FROM coalesce(s.updated_at, u.created_at)))::bigint "
    "FROM users u LEFT JOIN subscriptions s ON s.user_id = u.id "
    "WHERE greatest(u.updated_at, coalesce(s.updated_at, u.updated_at)) >= to_timestamp($1) AND u.id > $2 "
    "ORDER BY u.id LIMIT $3";

constexpr const char* kMoviesSql =
    "SELECT m.id, m.title, coalesce((SELECT array_to_json(array_agg(g.name ORDER BY g.name))::text FROM "
    "movie_genres mg "
    "JOIN genres g ON g.id = mg.genre_id WHERE mg.movie_id = m.id), '[]'), coalesce(m.year, 0), "
    "coalesce(m.duration_s, 0), m.deleted_at IS NOT NULL, floor(extract(epoch FROM m.updated_at))::bigint "
    "FROM movies m WHERE m.updated_at >= to_timestamp($1) AND m.id > $2 ORDER BY m.id LIMIT $3";

// A UUID derived from `seed`: the same seed always gives the same id.
std::string StableUuid(const std::string& seed) {
  // FNV-1a twice with different offsets gives 128 stable bits; ids only need to be unique per (kind, user,
  // time), which the seed text already is, so a cryptographic hash buys nothing here.
  auto fnv = [&seed](std::uint64_t hash) {
    for (unsigned char c : seed) {
      hash ^= c;
      hash *= 1099511628211ULL;
    }
    return hash;
  };
  const std::uint64_t high = fnv(14695981039346656037ULL), low = fnv(0x84222325cbf29ce4ULL ^ seed.size());
  const std::string hex = fmt::format("{:016x}{:016x}", high, low);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-"
         + hex.substr(20, 12);
}

std::string ChDateTime(std::int64_t unix_s) {
  const std::string iso = FormatTime(unix_s);  // 2026-10-05T00:00:00Z
  return iso.substr(0, 10) + " " + iso.substr(11, 8);
}

std::string JsonText(std::string_view text) {
  return json::serialize(json::string(text));
}

}  // namespace

DimensionSync::DimensionSync(PgPool& postgres, ClickHouseClient& clickhouse)
    : postgres_(postgres), clickhouse_(clickhouse) {}

SyncCounts DimensionSync::SyncChanges() {
  return Sync(watermark_s_ < 0 ? 0 : watermark_s_ - kOverlapS);
}

SyncCounts DimensionSync::FullRefresh() {
  return Sync(0);
}

SyncCounts DimensionSync::Sync(std::int64_t since_s) {
  SyncCounts counts;
  std::int64_t newest = watermark_s_;
  if (events_since_s_ < 0) {
    // Account events already in ClickHouse (from an earlier process) need not be sent again.
    auto last = QueryRows(clickhouse_, "SELECT toUInt32(max(event_time)) FROM account_events");
    events_since_s_ = last.empty() ? 0 : std::max<std::int64_t>(0, AsInt(last[0].at(0)) - kOverlapS);
  }
  const std::int64_t events_since = std::max(since_s, events_since_s_);
  const std::string since = std::to_string(since_s);

  for (std::int64_t after = 0;;) {
    auto rows = postgres_.Exec(kUsersSql, PgParams(since, after, std::int64_t{kPageRows}));
    if (rows.rows() == 0) break;
    std::string users, events;
    std::vector<std::tuple<std::int64_t, std::int64_t, std::string, std::string, std::string>> changes;
    for (int r = 0; r < rows.rows(); ++r) {
      const auto id = rows.GetInt(r, 0);
      const auto version = rows.GetInt(r, 5), created = rows.GetInt(r, 6), sub_updated = rows.GetInt(r, 9);
      const std::string country(rows.Get(r, 2));
      users += fmt::format(R"({{"user_id":{},"tier":{},"country":{},"signup_date":"{}","birth_year":{},)"
                           R"("updated_at":"{}","deleted":0}})"
                           "\n",
                           id, JsonText(rows.Get(r, 1)), JsonText(country), rows.Get(r, 3), rows.GetInt(r, 4),
                           ChDateTime(version));
      newest = std::max(newest, version);
      if (created >= events_since) {
        events +=
            fmt::format(R"({{"event_id":"{}","event_type":"signup","event_time":"{}","received_at":"{}",)"
                        R"("user_id":{},"plan":{},"status":{},"previous_plan":"","previous_status":"",)"
                        R"("user_country":{}}})"
                        "\n",
                        StableUuid(fmt::format("signup:{}", id)), ChDateTime(created), ChDateTime(version),
                        id, JsonText(rows.Get(r, 7)), JsonText(rows.Get(r, 8)), JsonText(country));
        ++counts.signups;
      }
      // The subscription row written at sign-up has the user's creation time: only later updates are changes.
      if (sub_updated > created && sub_updated >= events_since)
        changes.emplace_back(id, sub_updated, std::string(rows.Get(r, 7)), std::string(rows.Get(r, 8)),
                             country);
      after = id;
    }
    counts.users += rows.rows();
    clickhouse_.Insert("users_dim", "JSONEachRow", users);

    if (!changes.empty()) {
      // The plan and status before each change: the user's latest account event before it.
      std::string ids;
      for (const auto& change : changes)
        ids += (ids.empty() ? "" : ",") + std::to_string(std::get<0>(change));
      std::map<std::int64_t, std::vector<Row>> history;
      for (auto& row : QueryRows(clickhouse_,
                                 "SELECT user_id, toUInt32(event_time), plan, status FROM account_events "
                                 "WHERE user_id IN ("
                                     + ids + ") ORDER BY user_id, event_time"))
        history[AsInt(row.at(0))].push_back(std::move(row));
      for (const auto& [id, at, plan, status, country] : changes) {
        std::string previous_plan, previous_status;
        for (const auto& row : history[id])
          if (AsInt(row.at(1)) < at) {
            previous_plan = AsString(row.at(2));
            previous_status = AsString(row.at(3));
          }
        events += fmt::format(R"({{"event_id":"{}","event_type":"subscription_change","event_time":"{}",)"
                              R"("received_at":"{}","user_id":{},"plan":{},"status":{},"previous_plan":{},)"
                              R"("previous_status":{},"user_country":{}}})"
                              "\n",
                              StableUuid(fmt::format("subscription:{}:{}", id, at)), ChDateTime(at),
                              ChDateTime(at), id, JsonText(plan), JsonText(status), JsonText(previous_plan),
                              JsonText(previous_status), JsonText(country));
        ++counts.subscription_changes;
      }
    }
    if (!events.empty()) clickhouse_.Insert("account_events", "JSONEachRow", events);
    if (rows.rows() < kPageRows) break;
  }

  for (std::int64_t after = 0;;) {
    auto rows = postgres_.Exec(kMoviesSql, PgParams(since, after, std::int64_t{kPageRows}));
    if (rows.rows() == 0) break;
    std::string movies;
    for (int r = 0; r < rows.rows(); ++r) {
      const auto version = rows.GetInt(r, 6);
      movies +=
          fmt::format(R"({{"movie_id":{},"title":{},"genres":{},"year":{},"duration_s":{},"deleted":{},)"
                      R"("updated_at":"{}"}})"
                      "\n",
                      rows.GetInt(r, 0), JsonText(rows.Get(r, 1)), rows.Get(r, 2), rows.GetInt(r, 3),
                      rows.GetInt(r, 4), rows.GetBool(r, 5) ? 1 : 0, ChDateTime(version));
      newest = std::max(newest, version);
      after = rows.GetInt(r, 0);
    }
    counts.movies += rows.rows();
    clickhouse_.Insert("movies_dim", "JSONEachRow", movies);
    if (rows.rows() < kPageRows) break;
  }
  watermark_s_ = newest;
  events_since_s_ = std::max<std::int64_t>(0, newest - kOverlapS);
  return counts;
}

}  // namespace cinerec::analytics
