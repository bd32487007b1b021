#include "analytics/rollups.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <random>

#include "analytics/conversion_sql.h"
#include "analytics/report_request.h"
#include "analytics/report_sql.h"
#include "analytics/rollup_engagement.h"
#include "analytics/rollup_search.h"
#include "analytics/rollup_views.h"
#include "common/config.h"
#include "storage/clickhouse/clickhouse_client.h"

namespace cinerec::analytics {

namespace {

constexpr std::int64_t kDay = 86400;

// Raw rows: a table and the condition (besides time) that selects them.
struct RawRows {
  const char* table;
  const char* condition;  // "" or "... AND "
};

// What distinguishes the rollups: the raw rows a day's measures read, its table, and the INSERT ... SELECT
// of one day's measures.
struct Kind {
  const char* name;               // rollup_seals.rollup
  const char* table;              // the rollup table
  RawRows own;                    // the day's own events (their attributes are the rollup's dimensions)
  std::vector<RawRows> outcomes;  // rows within the window after an own event, which decide its conversion
  // INSERT ... SELECT of day `day`'s rows with `seal_id`.
  std::string (*insert)(const RollupSettings& s, std::int64_t day, std::uint64_t seal_id);
  std::vector<RawRows> more_own = {};  // further tables of the day's own events (activity: watch_events)
  // The rollup's rows carry movie_genres too: copies of an event with other genres make a day ambiguous.
  bool genres = false;
};

// count() and max(received_at) of raw rows: equal fingerprints = no row was added or collapsed since.
struct Fingerprint {
  std::uint64_t rows = 0;
  std::int64_t max_received = 0;
  bool operator==(const Fingerprint&) const = default;
  void Add(const Fingerprint& other) {
    rows += other.rows;
    max_received = std::max(max_received, other.max_received);
  }
};

struct Seal {
  std::uint64_t seal_id = 0;
  Fingerprint fingerprint;
};

std::string Params(const RollupSettings& s) {
  return fmt::format("window_s={};completion_threshold={}", s.conversion_window_s, s.completion_threshold);
}

std::string DayText(std::int64_t day) {
  return FormatTime(day * kDay).substr(0, 10);
}

// "YYYY-MM-DD hh:mm:ss" (UTC), as a DateTime('UTC') column parses it in JSONEachRow.
std::string ChDateTime(std::int64_t unix_s) {
  std::string text = FormatTime(unix_s);  // 2026-10-05T00:00:00Z
  text[10] = ' ';
  text.pop_back();
  return text;
}

// Days after an event's day that can hold its outcomes: outcomes of day D's events lie in
// [D * 86400, (D + 1) * 86400 - 1 + window].
std::int64_t OutcomeDays(std::int64_t window_s) {
  return (kDay - 1 + window_s) / kDay;
}

// The fingerprint of each day in [first, last]: the day's own rows plus the outcome rows of the day and the
// OutcomeDays after it. Primary-key range scans (every event table is ordered by type and day first).
std::map<std::int64_t, Fingerprint> Fingerprints(ClickHouseClient& clickhouse, const Kind& kind,
                                                 std::int64_t first, std::int64_t last,
                                                 std::int64_t window_s) {
  const std::int64_t k = kind.outcomes.empty() ? 0 : OutcomeDays(window_s);
  auto select = [](int stream, const RawRows& rows, std::int64_t from, std::int64_t to) {
    return fmt::format(
        "SELECT {} AS stream, intDiv(toUInt32(event_time), 86400) AS d, count() AS n, "
        "toUInt32(max(received_at)) AS m FROM {} WHERE {}{} GROUP BY d",
        stream, rows.table, rows.condition, TimeCondition(from, to));
  };
  std::string sql = select(0, kind.own, first * kDay, (last + 1) * kDay);
  for (const auto& rows : kind.more_own)
    sql += " UNION ALL " + select(0, rows, first * kDay, (last + 1) * kDay);
  for (const auto& rows : kind.outcomes)
    sql += " UNION ALL " + select(1, rows, first * kDay, (last + 1 + k) * kDay);
  std::map<std::int64_t, Fingerprint> per_stream[2];
  for (const auto& row : QueryRows(clickhouse, sql))
    per_stream[AsInt(row.at(0)) == 0 ? 0 : 1][AsInt(row.at(1))].Add(
        Fingerprint{static_cast<std::uint64_t>(AsInt(row.at(2))), AsInt(row.at(3))});
  std::map<std::int64_t, Fingerprint> out;
  for (std::int64_t day = first; day <= last; ++day) {
    Fingerprint fp;
    if (auto it = per_stream[0].find(day); it != per_stream[0].end()) fp.Add(it->second);
    if (!kind.outcomes.empty())
      for (std::int64_t j = 0; j <= k; ++j)
        if (auto it = per_stream[1].find(day + j); it != per_stream[1].end()) fp.Add(it->second);
    out[day] = fp;
  }
  return out;
}

// The newest seal of each day in [first, last] made with `params`.
std::map<std::int64_t, Seal> CurrentSeals(ClickHouseClient& clickhouse, const Kind& kind,
                                          const std::string& params, std::int64_t first, std::int64_t last) {
  const auto rows = QueryRows(clickhouse,
                              "SELECT toUInt16(day), max(seal_id), argMax(raw_rows, seal_id), "
                              "toUInt32(argMax(raw_max_received, seal_id)) FROM rollup_seals WHERE rollup = "
                                  + Quote(kind.name) + " AND params = " + Quote(params) + " AND day >= "
                                  + DateOfDay(first) + " AND day <= " + DateOfDay(last) + " GROUP BY day");
  std::map<std::int64_t, Seal> seals;
  for (const auto& row : rows)
    seals[AsInt(row.at(0))] =
        Seal{static_cast<std::uint64_t>(AsInt(row.at(1))),
             Fingerprint{static_cast<std::uint64_t>(AsInt(row.at(2))), AsInt(row.at(3))}};
  return seals;
}

// Increasing across runs (Unix microseconds), with random low bits so that two processes sealing the same
// day in the same microsecond still write distinct ids.
std::uint64_t NewSealId() {
  static thread_local std::mt19937_64 random{std::random_device{}()};
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  return static_cast<std::uint64_t>(micros) * 256 + random() % 256;
}

std::string SealRow(const Kind& kind, const std::string& params, std::int64_t day, std::uint64_t seal_id,
                    const Fingerprint& fp, std::int64_t now_s) {
  return fmt::format(R"({{"rollup":"{}","params":"{}","day":"{}","seal_id":{},"raw_rows":{},)"
                     R"("raw_max_received":"{}","sealed_at":"{}"}})",
                     kind.name, params, DayText(day), seal_id, fp.rows, ChDateTime(fp.max_received),
                     ChDateTime(now_s));
}

// Events of one id whose copies carry different user countries or tiers (enriched at each delivery): a
// country/tier filter on the raw rows counts such an event if ANY copy matches, which one rollup row cannot
// represent, so the day is left unsealed (it reads raw).
std::int64_t AmbiguousEvents(ClickHouseClient& clickhouse, const Kind& kind, std::int64_t day) {
  const auto rows = QueryRows(
      clickhouse,
      fmt::format("SELECT count() FROM (SELECT event_id FROM {} WHERE {}{} GROUP BY event_id HAVING "
                  "min(user_country) != max(user_country) OR min(user_tier) != max(user_tier){})",
                  kind.own.table, kind.own.condition, TimeCondition(day * kDay, (day + 1) * kDay),
                  kind.genres ? " OR min(movie_genres) != max(movie_genres)" : ""));
  return rows.empty() ? 0 : AsInt(rows[0].at(0));
}

std::string CountWithin(std::int64_t window_s, const std::string& times, const std::string& also = "") {
  return fmt::format("countIf({}arrayExists(x -> x >= ts AND x <= ts + {}, {}))", also, window_s, times);
}

// Every group has an event of the day, so this HAVING keeps them all; it names ts outside the lambdas, which
// ClickHouse 18.16 needs to resolve a lambda's outer column (a max(ts) column would be pruned under INSERT).
constexpr const char* kNameTs = " HAVING max(ts) > toDateTime(0)";

// One day of recommendation conversion, the report's definitions (recommendation_report.cpp).
std::string InsertConversions(const RollupSettings& s, std::int64_t day, std::uint64_t seal_id) {
  const std::string where = TimeCondition(day * kDay, (day + 1) * kDay);
  const std::string pairs = "SELECT user_id, movie_id FROM recommendation_impressions WHERE " + where;
  const auto w = s.conversion_window_s;
  return "INSERT INTO rollup_conversions_daily (day, seal_id, model_version, variant, source, position, "
         "user_country, user_tier, impressions, clicked, started, completed) SELECT "
         + DateOfDay(day) + fmt::format(", toUInt64({}), ", seal_id)
         + "model_version_k, variant_k, source_k, position_k, country_k, tier_k, count(), "
         + CountWithin(w, "clicks") + ", " + CountWithin(w, "starts") + ", " + CountWithin(w, "completes")
         + " FROM (SELECT event_id, any(user_id) AS uid, any(movie_id) AS mid, any(event_time) AS ts, "
           "any(model_version) AS model_version_k, any(variant) AS variant_k, toString(any(source)) AS source_k, "
           "any(position) AS position_k, any(user_country) AS country_k, any(user_tier) AS tier_k FROM "
           "recommendation_impressions WHERE "
         + where + " GROUP BY event_id) ANY LEFT JOIN ("
         + Outcomes(day * kDay, (day + 1) * kDay, w, s.completion_threshold, pairs)
         + ") USING (uid, mid) GROUP BY model_version_k, variant_k, source_k, position_k, country_k, tier_k"
         + kNameTs;
}

// One day of UI events per section, the ui report's definitions (search_ui_report.cpp).
std::string InsertUi(const RollupSettings& s, std::int64_t day, std::uint64_t seal_id) {
  const std::string where = TimeCondition(day * kDay, (day + 1) * kDay);
  return "INSERT INTO rollup_ui_daily (day, seal_id, section, device, user_country, user_tier, clicks, "
         "trailer_plays, page_views, trailers_watched) SELECT "
         + DateOfDay(day) + fmt::format(", toUInt64({}), ", seal_id)
         + "se, de, co, ti, countIf(ty = 'click'), countIf(ty = 'trailer_play'), countIf(ty = 'page_view'), "
         + CountWithin(s.conversion_window_s, "at", "ty = 'trailer_play' AND ")
         + " FROM (SELECT event_id, any(event_type) AS ty, any(user_id) AS uid, any(movie_id) AS mid, "
           "any(event_time) AS ts, any(section) AS se, any(device) AS de, any(user_country) AS co, "
           "any(user_tier) AS ti FROM ui_events WHERE event_type IN ('click', 'trailer_play', 'page_view') AND "
         + where
         + " GROUP BY event_id) ANY LEFT JOIN (SELECT user_id AS uid, movie_id AS mid, groupArray(event_time) AS "
           "at FROM watch_events WHERE event_type = 'view_start' AND "
         + TimeCondition(day * kDay, (day + 1) * kDay + s.conversion_window_s + 1)
         + " AND user_id IN (SELECT user_id FROM ui_events WHERE event_type = 'trailer_play' AND " + where
         + ") GROUP BY uid, mid) USING (uid, mid) GROUP BY se, de, co, ti" + kNameTs;
}

const Kind& KindOf(Rollup rollup) {
  static const Kind conversions{"conversions",
                                "rollup_conversions_daily",
                                {"recommendation_impressions", ""},
                                {{"ui_events", "event_type = 'click' AND "},
                                 {"watch_events", "event_type IN ('view_start', 'view_stop') AND "}},
                                &InsertConversions};
  static const Kind ui{"ui",
                       "rollup_ui_daily",
                       {"ui_events", "event_type IN ('click', 'trailer_play', 'page_view') AND "},
                       {{"watch_events", "event_type = 'view_start' AND "}},
                       &InsertUi};
  // The engagement report's rollups (rollup_engagement.cpp): every UI and watch event is activity.
  static const Kind activity{.name = "activity",
                             .table = "rollup_activity_daily",
                             .own = {"ui_events", ""},
                             .outcomes = {},
                             .insert = &InsertActivityRollup,
                             .more_own = {{"watch_events", ""}}};
  static const Kind reactions{"reactions",
                              "rollup_reactions_daily",
                              {"ui_events", "event_type IN ('like', 'dislike') AND "},
                              {},
                              &InsertReactionsRollup};
  // The search report's rollup (rollup_search.cpp): clicks and view starts within the window decide a search.
  static const Kind search{
      "search",
      "rollup_search_daily",
      {"ui_events", "event_type = 'search' AND "},
      {{"ui_events", "event_type = 'click' AND "}, {"watch_events", "event_type = 'view_start' AND "}},
      &InsertSearchRollup};
  // The views and watch-quality reports' rollup (rollup_views.cpp).
  static const Kind views{
      .name = "views",
      .table = "rollup_views_daily",
      .own = {"watch_events", "event_type IN ('view_start', 'view_stop', 'view_seek') AND "},
      .outcomes = {},
      .insert = &InsertViewsRollup,
      .genres = true};
  if (rollup == Rollup::kViews) return views;
  switch (rollup) {
    case Rollup::kActivity:
      return activity;
    case Rollup::kReactions:
      return reactions;
    case Rollup::kSearch:
      return search;
    default:
      return rollup == Rollup::kConversions ? conversions : ui;
  }
}

}  // namespace

RollupJobOptions RollupOptionsOf(const Config& config, int lookback_days) {
  RollupJobOptions options;
  options.settings.conversion_window_s = config.analytics.conversion_window_s;
  options.settings.completion_threshold = config.collect.completion_threshold;
  options.lateness_s = config.analytics.rollup_lateness_s;
  options.lookback_days = lookback_days >= 0 ? lookback_days : config.analytics.max_range_days;
  return options;
}

RollupJobResult SealClosedDays(ClickHouseClient& clickhouse, Rollup rollup, const RollupJobOptions& options,
                               std::int64_t now_s) {
  RollupJobResult result;
  const Kind& kind = KindOf(rollup);
  const auto& s = options.settings;
  const std::string params = Params(s);
  // The last day D with (D + 1) * 86400 + window + lateness <= now.
  const std::int64_t last = (now_s - s.conversion_window_s - options.lateness_s) / kDay - 1;
  const std::int64_t first = std::max<std::int64_t>(0, now_s / kDay - options.lookback_days);
  if (last < first) return result;
  const auto fingerprints = Fingerprints(clickhouse, kind, first, last, s.conversion_window_s);
  const auto seals = CurrentSeals(clickhouse, kind, params, first, last);
  std::string empty_days;                               // seals of days without raw rows, written at once
  int computed = 0;                                     // days whose measures were computed in this run
  for (std::int64_t day = last; day >= first; --day) {  // newest first: the most asked-for days
    ++result.days_checked;
    const auto seal = seals.find(day);
    const Fingerprint bulk = fingerprints.at(day);
    if (seal != seals.end() && seal->second.fingerprint == bulk) continue;
    if (bulk.rows == 0 && seal == seals.end()) {
      empty_days += SealRow(kind, params, day, NewSealId(), bulk, now_s) + "\n";
      ++result.days_sealed;
      continue;
    }
    if (options.max_days_per_run > 0 && computed >= options.max_days_per_run) continue;  // the next run
    ++computed;
    // The day's own fingerprint, taken just before its measures (the bulk one may be minutes old by now).
    const Fingerprint fp = Fingerprints(clickhouse, kind, day, day, s.conversion_window_s).at(day);
    if (AmbiguousEvents(clickhouse, kind, day) > 0) {
      ++result.days_ambiguous;
      spdlog::warn("analytics rollup {}: {} not sealed: copies of an event differ in country or tier",
                   kind.name, DayText(day));
      continue;
    }
    const std::uint64_t seal_id = NewSealId();
    if (fp.rows > 0) clickhouse.Query(kind.insert(s, day, seal_id));
    clickhouse.Insert("rollup_seals", "JSONEachRow", SealRow(kind, params, day, seal_id, fp, now_s));
    // A re-seal: the older seals' rows are no longer read; drop them (a mutation, applied in the background).
    if (seal != seals.end())
      clickhouse.Query(fmt::format("ALTER TABLE {} DELETE WHERE day = {} AND seal_id < {}", kind.table,
                                   DateOfDay(day), seal_id));
    ++result.days_sealed;
  }
  if (!empty_days.empty()) clickhouse.Insert("rollup_seals", "JSONEachRow", empty_days);
  return result;
}

RollupJobResult SealClosedDays(ClickHouseClient& clickhouse, const RollupJobOptions& options,
                               std::int64_t now_s) {
  RollupJobResult total;
  for (const Rollup rollup : {Rollup::kConversions, Rollup::kUi, Rollup::kViews, Rollup::kActivity,
                              Rollup::kReactions, Rollup::kSearch}) {
    const auto result = SealClosedDays(clickhouse, rollup, options, now_s);
    total.days_checked += result.days_checked;
    total.days_sealed += result.days_sealed;
    total.days_ambiguous += result.days_ambiguous;
  }
  return total;
}

RollupCoverage RawOnly(std::int64_t from, std::int64_t to) {
  RollupCoverage coverage;
  coverage.raw_intervals = {{from, to}};
  return coverage;
}

RollupCoverage Coverage(ClickHouseClient& clickhouse, Rollup rollup, const RollupSettings& settings,
                        std::int64_t from, std::int64_t to) {
  const Kind& kind = KindOf(rollup);
  RollupCoverage coverage;
  const std::int64_t first = (from + kDay - 1) / kDay;  // whole days inside [from, to)
  const std::int64_t last = to / kDay - 1;
  std::map<std::int64_t, Seal> usable;
  if (from >= 0 && first <= last) {
    usable = CurrentSeals(clickhouse, kind, Params(settings), first, last);
    if (!usable.empty()) {
      const auto fingerprints = Fingerprints(clickhouse, kind, usable.begin()->first, usable.rbegin()->first,
                                             settings.conversion_window_s);
      std::erase_if(usable, [&](const auto& entry) {
        return !(fingerprints.at(entry.first) == entry.second.fingerprint);
      });
    }
  }
  // Raw intervals: everything of [from, to) outside the usable days, contiguous pieces merged.
  std::int64_t cursor = from;
  for (const auto& [day, seal] : usable) {
    if (cursor < day * kDay) coverage.raw_intervals.emplace_back(cursor, day * kDay);
    cursor = (day + 1) * kDay;
    coverage.seal_ids.push_back(seal.seal_id);
  }
  if (cursor < to) coverage.raw_intervals.emplace_back(cursor, to);
  if (!usable.empty()) {
    coverage.first_day = usable.begin()->first;
    coverage.last_day = usable.rbegin()->first;
  }
  return coverage;
}

std::string DateOfDay(std::int64_t day) {
  return "toDate('" + DayText(day) + "')";
}

std::string RollupCoverage::SealedRows() const {
  std::string ids;
  for (auto id : seal_ids)
    ids += (ids.empty() ? "" : ",") + std::to_string(id);
  return "day >= " + DateOfDay(first_day) + " AND day <= " + DateOfDay(last_day) + " AND seal_id IN (" + ids
         + ")";
}

std::vector<std::pair<std::int64_t, std::int64_t>> WithWindow(
    const std::vector<std::pair<std::int64_t, std::int64_t>>& intervals, std::int64_t window_s) {
  std::vector<std::pair<std::int64_t, std::int64_t>> out;
  for (const auto& [from, to] : intervals) {
    if (!out.empty() && from <= out.back().second)
      out.back().second = std::max(out.back().second, to + window_s + 1);
    else
      out.emplace_back(from, to + window_s + 1);
  }
  return out;
}

std::string IntervalsCondition(const std::vector<std::pair<std::int64_t, std::int64_t>>& intervals,
                               const std::string& column) {
  if (intervals.empty()) return "0";
  std::string sql;
  for (const auto& [from, to] : intervals)
    sql += (sql.empty() ? "(" : " OR (") + TimeCondition(from, to, column) + ")";
  return intervals.size() == 1 ? sql : "(" + sql + ")";
}

}  // namespace cinerec::analytics
