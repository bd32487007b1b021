#pragma once
// SQL pieces the reports share. Every query must run on ClickHouse 18.16 and current ClickHouse: no window
// functions, CTEs or JSON functions; times are compared as Unix seconds (toDateTime(N)), and periods are
// computed with integer arithmetic on toUInt32(event_time), so nothing depends on the server's time zone.
#include <boost/json/array.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "analytics/report_request.h"

namespace cinerec {
class ClickHouseClient;
}

namespace cinerec::analytics {

// 'text' as a ClickHouse string literal: backslash and quote escaped, control bytes as \xHH.
std::string Quote(std::string_view text);

// "event_time >= toDateTime(from) AND event_time < toDateTime(to)" for the column `column`.
std::string TimeCondition(std::int64_t from, std::int64_t to, std::string_view column = "event_time");

// What a table carries, so that a filter the table cannot answer is refused instead of ignored.
struct TableColumns {
  bool device = true;           // impressions have no device
  bool genres = true;           // movie_genres
  bool movie = true;            // movie_id
  bool user_attributes = true;  // user_tier, user_country
};
// " AND ..." for every filter set in `filters` (genre, movie, device, country, tier, model_version, variant,
// source: the last three only on impressions). REQUIRES: the filters were validated by ParseReportRequest.
std::string FilterConditions(const ReportFilters& filters, const TableColumns& columns);
std::string ImpressionFilterConditions(const ReportFilters& filters);

// The start of the event's period, Unix seconds, as a SQL expression of `column`.
std::string PeriodExpression(Granularity granularity, std::string_view column = "event_time");

// A completed view_stop: the position reached or the seconds watched are at least `threshold` of the
// movie's length (the collection service's rule for PostgreSQL views). Unknown length: never completed.
// The column names default to the raw table's.
std::string CompletedCondition(double threshold, std::string_view position = "position_s",
                               std::string_view watched = "watched_s",
                               std::string_view duration = "duration_s");

// Runs `sql` (without FORMAT) and returns the rows of its JSONCompact answer. For a query ending in
// WITH TOTALS, `totals` (when given) receives the totals row: the aggregates over all the groups' rows in
// the same scan (exact for uniqExact too), present even when no row matched.
using Row = std::vector<boost::json::value>;
std::vector<Row> QueryRows(ClickHouseClient& clickhouse, const std::string& sql, Row* totals = nullptr);

// JSONCompact quotes 64-bit integers: these accept a number or a numeric string.
std::int64_t AsInt(const boost::json::value& value);
double AsDouble(const boost::json::value& value);
std::string AsString(const boost::json::value& value);

// Every period of [from, to) in order as {"period": "...Z", names[i]: row[i + 1]}, rows keyed by their
// period start (row[0], Unix seconds); periods without a row get zeros, so an empty range is all zeros.
boost::json::array Series(const ReportRequest& request, const std::vector<Row>& rows,
                          const std::vector<std::string>& names);

// x / n, 0 when n == 0 (an empty range gives zero rates, not NaN).
double Rate(std::int64_t x, std::int64_t n);

}  // namespace cinerec::analytics
