#include "analytics/rollup_views.h"

#include <fmt/format.h>

#include <vector>

#include "analytics/report_request.h"
#include "analytics/report_sql.h"
#include "analytics/rollups.h"

namespace cinerec::analytics {

namespace {

constexpr std::int64_t kDay = 86400;
constexpr const char* kRollup = "rollup_views_daily";
constexpr const char* kSessionKey = "cityHash64(user_id, session_id, movie_id)";

std::string UnionAll(const std::vector<std::string>& selects) {
  std::string sql;
  for (const auto& select : selects)
    sql += (sql.empty() ? "" : " UNION ALL ") + select;
  return sql;
}

// The rollup rows of kind `kind` of the sealed days matching the filters (its columns carry the raw names).
std::string SealedRows(const RollupCoverage& coverage, const ReportFilters& filters, const char* kind) {
  return fmt::format("row_kind = '{}' AND {}{}", kind, coverage.SealedRows(), FilterConditions(filters, {}));
}

// The raw rows of `type` in the coverage's raw intervals matching the filters.
std::string RawRows(const RollupCoverage& coverage, const ReportFilters& filters, const char* type) {
  return fmt::format("event_type = '{}' AND {}{}", type, IntervalsCondition(coverage.raw_intervals),
                     FilterConditions(filters, {}));
}

// Constant columns as "materialize(a), materialize(b), ...": ClickHouse 18.16 refuses a UNION ALL whose
// column is constant in one branch and not in another ("must be constant in result").
std::string Materialized(const std::vector<std::string>& constants) {
  std::string out;
  for (const auto& constant : constants)
    out += (out.empty() ? "materialize(" : ", materialize(") + constant + ")";
  return out;
}

bool AnyRaw(const RollupCoverage& coverage) {
  return !coverage.raw_intervals.empty();
}

}  // namespace

std::string InsertViewsRollup(const RollupSettings& settings, std::int64_t day, std::uint64_t seal_id) {
  const std::string in_day = TimeCondition(day * kDay, (day + 1) * kDay);
  const std::string head = fmt::format("SELECT {}, toUInt64({}), ", DateOfDay(day), seal_id);
  const std::string attributes = "movie_id, movie_genres, device, user_country, user_tier";
  // Sessions of the day that also have stops on another day (any day of the table: a session's parts are
  // then merged by the report), or stops with other attributes on this day (a filter may keep only some).
  const std::string other_days =
      "SELECT user_id, session_id, movie_id FROM watch_events WHERE event_type = 'view_stop' AND NOT ("
      + in_day + ") AND user_id IN (SELECT user_id FROM watch_events WHERE event_type = 'view_stop' AND "
      + in_day + ")";
  const std::string mixed =
      "SELECT user_id, session_id, movie_id FROM watch_events WHERE event_type = 'view_stop' AND " + in_day
      + " GROUP BY user_id, session_id, movie_id HAVING min(movie_genres) != max(movie_genres) OR "
        "min(device) != max(device) OR min(user_country) != max(user_country) OR "
        "min(user_tier) != max(user_tier)";
  // Copies of an event carry the same attributes on a sealed day (rollups.cpp leaves days with differing
  // copies unsealed), so grouping by them and counting distinct ids counts every event once.
  const std::string starts =
      head + "materialize('start'), toDateTime(intDiv(toUInt32(event_time), 3600) * 3600) AS hour, user_id, "
      + attributes + ", " + Materialized({"''", "toUInt64(0)", "toUInt8(0)"}) + ", uniqExact(event_id), "
      + Materialized({"toUInt32(0)", "toUInt32(0)", "toUInt32(0)", "toUInt8(0)", "toInt64(0)"})
      + " FROM watch_events WHERE event_type = 'view_start' AND " + in_day + " GROUP BY hour, user_id, "
      + attributes;
  const std::string stops =
      head + "materialize('stop'), min(event_time), user_id, " + attributes + ", session_id, " + kSessionKey
      + ", toUInt8((user_id, session_id, movie_id) IN (" + other_days
      + ") OR (user_id, session_id, movie_id) IN (" + mixed
      + ")), materialize(toUInt64(0)), max(watched_s), max(position_s), max(duration_s), toUInt8(max("
      + CompletedCondition(settings.completion_threshold)
      + ")), materialize(toInt64(0)) FROM watch_events WHERE event_type = 'view_stop' AND " + in_day
      + " GROUP BY user_id, session_id, " + attributes;
  const std::string seeks =
      head + "materialize('seek'), " + Materialized({fmt::format("toDateTime({})", day * kDay), "toUInt64(0)"}) + ", "
      + attributes + ", " + Materialized({"''", "toUInt64(0)", "toUInt8(0)"}) + ", uniqExact(event_id), "
      + Materialized({"toUInt32(0)", "toUInt32(0)", "toUInt32(0)", "toUInt8(0)"})
      + ", toInt64(seek_to_s) - toInt64(seek_from_s) AS distance FROM watch_events WHERE "
        "event_type = 'view_seek' AND "
      + in_day + " GROUP BY " + attributes + ", distance";
  return std::string("INSERT INTO ") + kRollup
         + " (day, seal_id, row_kind, event_time, user_id, movie_id, movie_genres, device, user_country, "
           "user_tier, session_id, session_key, spans, events, watched_s, position_s, duration_s, completed, "
           "seek_delta) "
         + UnionAll({starts, stops, seeks});
}

std::string StartsByKey(const RollupCoverage& coverage, const ReportFilters& filters, const std::string& key,
                        bool by_genre, const std::string& also) {
  const std::string array_join = by_genre ? " ARRAY JOIN movie_genres AS genre" : "";
  std::vector<std::string> parts;
  if (coverage.AnySealed())
    parts.push_back("SELECT " + key + " AS k, user_id AS uid, events AS n FROM " + kRollup + array_join
                    + " WHERE " + SealedRows(coverage, filters, "start") + also);
  // Per (key, user), distinct ids: an event has one user, so the sums per key are the distinct ids per key.
  if (AnyRaw(coverage))
    parts.push_back("SELECT " + key + " AS k, user_id AS uid, uniqExact(event_id) AS n FROM watch_events"
                    + array_join + " WHERE " + RawRows(coverage, filters, "view_start") + also
                    + " GROUP BY k, uid");
  return UnionAll(parts);
}

std::string ViewSessions(const RollupCoverage& coverage, const ReportFilters& filters, double threshold,
                         bool by_genre) {
  const std::string genre = by_genre ? ", genre" : "";
  const std::string array_join = by_genre ? " ARRAY JOIN movie_genres AS genre" : "";
  // Rows to merge per session: uid, sid, t0, mid, [genre,] w0, d0, p0, l0 (names apart from the merged ones:
  // ClickHouse would resolve an alias max(w) AS w inside its own argument).
  const std::string raw = "SELECT user_id AS uid, session_id AS sid, event_time AS t0, movie_id AS mid"
                          + genre + ", watched_s AS w0, " + CompletedCondition(threshold)
                          + " AS d0, position_s AS p0, duration_s AS l0 FROM watch_events" + array_join
                          + " WHERE " + RawRows(coverage, filters, "view_stop");
  const std::string merged = "SELECT min(t0) AS ts, mid" + genre
                             + ", max(w0) AS w, max(d0) AS done, max(p0) AS pos, max(l0) AS dur FROM (";
  const std::string merge = ") GROUP BY uid, sid, mid" + genre;
  if (!coverage.AnySealed()) return merged + raw + merge;

  const std::string sealed = SealedRows(coverage, filters, "stop");
  // Session keys that may have more than one row in the range: flagged when sealed, or with raw stops.
  std::vector<std::string> spanning = {"SELECT session_key FROM " + std::string(kRollup) + " WHERE " + sealed
                                       + " AND spans = 1"};
  if (AnyRaw(coverage))
    spanning.push_back(std::string("SELECT ") + kSessionKey + " FROM watch_events WHERE "
                       + RawRows(coverage, filters, "view_stop"));
  const std::string spanning_keys = UnionAll(spanning);
  const std::string rollup =
      std::string(" FROM ") + kRollup + array_join + " WHERE " + sealed + " AND session_key ";
  // A session row whose key spans nothing is the whole session in the range; the others are merged.
  const std::string alone = "SELECT event_time AS ts, movie_id AS mid" + genre
                            + ", watched_s AS w, completed AS done, position_s AS pos, duration_s AS dur"
                            + rollup + "NOT IN (" + spanning_keys + ")";
  std::vector<std::string> to_merge = {"SELECT user_id AS uid, session_id AS sid, event_time AS t0, movie_id AS mid"
                                       + genre + ", watched_s AS w0, completed AS d0, position_s AS p0, "
                                                 "duration_s AS l0"
                                       + rollup + "IN (" + spanning_keys + ")"};
  if (AnyRaw(coverage)) to_merge.push_back(raw);
  return alone + " UNION ALL " + merged + UnionAll(to_merge) + merge;
}

std::string SeekDistances(const RollupCoverage& coverage, const ReportFilters& filters) {
  std::vector<std::string> parts;
  if (coverage.AnySealed())
    parts.push_back("SELECT seek_delta AS d, events AS n FROM " + std::string(kRollup) + " WHERE "
                    + SealedRows(coverage, filters, "seek"));
  if (AnyRaw(coverage))
    parts.push_back(
        "SELECT toInt64(t) - toInt64(f) AS d, materialize(toUInt64(1)) AS n FROM (SELECT event_id, "
        "any(seek_from_s) AS f, "
        "any(seek_to_s) AS t FROM watch_events WHERE "
        + RawRows(coverage, filters, "view_seek") + " GROUP BY event_id)");
  return "SELECT d, sum(n) FROM (" + UnionAll(parts) + ") GROUP BY d ORDER BY d";
}

}  // namespace cinerec::analytics
