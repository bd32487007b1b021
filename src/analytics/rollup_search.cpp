#include "analytics/rollup_search.h"

#include <fmt/format.h>

#include "analytics/report_request.h"
#include "analytics/report_sql.h"
#include "analytics/rollups.h"

namespace cinerec::analytics {

namespace {

constexpr std::int64_t kDay = 86400;
constexpr const char* kNone = "4294967295";  // no click / view_start within the conversion window

// Seconds from the search (ts) to the first time in `times` within [ts, ts + window_s], else kNone.
std::string FirstDelay(const std::string& times, std::int64_t window_s) {
  return fmt::format(
      "arrayReduce('min', arrayConcat([toUInt32({})], arrayMap(x -> toUInt32(toUInt32(x) - toUInt32(ts)), "
      "arrayFilter(x -> x >= ts AND x <= ts + {}, {}))))",
      kNone, window_s, times);
}

}  // namespace

std::string InsertSearchRollup(const RollupSettings& settings, std::int64_t day, std::uint64_t seal_id) {
  const std::int64_t window = settings.conversion_window_s;
  const std::string range = TimeCondition(day * kDay, (day + 1) * kDay);
  const std::string later = TimeCondition(day * kDay, (day + 1) * kDay + window + 1);
  const std::string users =
      " AND user_id IN (SELECT user_id FROM ui_events WHERE event_type = 'search' AND " + range + ")";
  // One row per search event (copies collapsed by event_id), joined with its user's clicks and starts of the
  // day and the window after it. HAVING names ts outside the lambdas, which 18.16 needs to resolve them.
  return fmt::format(
      "INSERT INTO rollup_search_daily (day, seal_id, query, user_id, zero_results, device, user_country, "
      "user_tier, click_delay, watch_delay, searches) SELECT toDate({}), toUInt64({}), q, uid, z, de, co, "
      "ti, {} "
      "AS cd, {} AS wd, count() FROM (SELECT event_id, any(lowerUTF8(query)) AS q, any(user_id) AS uid, "
      "any(results) = 0 AS z, any(device) AS de, any(user_country) AS co, any(user_tier) AS ti, "
      "any(event_time) "
      "AS ts FROM ui_events WHERE event_type = 'search' AND {} GROUP BY event_id) ANY LEFT JOIN (SELECT uid, "
      "groupArrayIf(at, kind = 1) AS clicks, groupArrayIf(at, kind = 2) AS starts FROM (SELECT user_id AS "
      "uid, "
      "event_time AS at, 1 AS kind FROM ui_events WHERE event_type = 'click' AND {}{} UNION ALL SELECT "
      "user_id, "
      "event_time, 2 FROM watch_events WHERE event_type = 'view_start' AND {}{}) GROUP BY uid) USING uid "
      "GROUP "
      "BY q, uid, z, de, co, ti, cd, wd HAVING max(ts) > toDateTime(0)",
      Quote(FormatTime(day * kDay).substr(0, 10)), seal_id, FirstDelay("clicks", window),
      FirstDelay("starts", window), range, later, users, later, users);
}

std::string SearchesByQueryAndUser(const RollupCoverage& coverage, const std::string& filters) {
  std::string sql;
  if (coverage.AnySealed())
    sql =
        "SELECT query AS q, user_id AS uid, searches AS n, if(zero_results = 1, searches, toUInt64(0)) AS z "
        "FROM rollup_search_daily WHERE "
        + coverage.SealedRows() + filters;
  if (!coverage.raw_intervals.empty())
    sql +=
        (sql.empty() ? "" : " UNION ALL ")
        + ("SELECT any(lowerUTF8(query)) AS q, any(user_id) AS uid, toUInt64(1) AS n, toUInt64(any(results) "
           "= 0) AS z FROM ui_events WHERE event_type = 'search' AND "
           + IntervalsCondition(coverage.raw_intervals) + filters + " GROUP BY event_id");
  return sql;
}

std::string SealedSearchFunnel(const RollupCoverage& coverage, const std::string& filters,
                               std::int64_t window_s) {
  return fmt::format(
      "SELECT sum(searches), sumIf(searches, click_delay <= {0}), sumIf(searches, watch_delay <= {0}) FROM "
      "rollup_search_daily WHERE {1}{2}",
      window_s, coverage.SealedRows(), filters);
}

}  // namespace cinerec::analytics
