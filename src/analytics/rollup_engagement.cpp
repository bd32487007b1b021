#include "analytics/rollup_engagement.h"

#include <fmt/format.h>

#include <algorithm>

#include "analytics/report_request.h"
#include "analytics/report_sql.h"
#include "analytics/rollups.h"

namespace cinerec::analytics {

namespace {

constexpr std::int64_t kDay = 86400;

// The period start (Unix seconds) of a rollup row's day; for hours, of the hour `h` of its day.
std::string RollupPeriod(Granularity granularity) {
  switch (granularity) {
    case Granularity::kHour:
      return "toUInt32(day) * 86400 + h * 3600";
    case Granularity::kDay:
      return "toUInt32(day) * 86400";
    case Granularity::kWeek:
      // Days since 1970-01-01 (a Thursday); (day + 3) % 7 is 0 on Mondays (as PeriodExpression).
      return "(toUInt32(day) - (toUInt32(day) + 3) % 7) * 86400";
  }
  return "0";
}

// The hours of a rollup row's bit mask, one row each (h). `hours != 0` (always true) names the column outside
// the lambda, which ClickHouse 18.16 needs to resolve it inside.
constexpr const char* kEachHour =
    " ARRAY JOIN arrayFilter(x -> bitAnd(hours, bitShiftLeft(toUInt32(1), x)) != 0, range(24)) AS h";
constexpr const char* kNameHours = " AND hours != 0";

std::string DayRange(std::int64_t day) {
  return TimeCondition(day * kDay, (day + 1) * kDay);
}

}  // namespace

std::string InsertActivityRollup(const RollupSettings& /*settings*/, std::int64_t day,
                                 std::uint64_t seal_id) {
  // Copies of an event carry the same user and time, so distinct users and hours need no de-duplication.
  const std::string range = DayRange(day);
  return fmt::format(
      "INSERT INTO rollup_activity_daily (day, seal_id, user_id, hours) SELECT {}, toUInt64({}), user_id, "
      "groupBitOr(toUInt32(bitShiftLeft(toUInt32(1), toUInt8(intDiv(toUInt32(event_time) - {}, 3600))))) "
      "FROM (SELECT user_id, event_time FROM ui_events WHERE {} UNION ALL SELECT user_id, event_time FROM "
      "watch_events WHERE {}) GROUP BY user_id",
      DateOfDay(day), seal_id, day * kDay, range, range);
}

std::string InsertReactionsRollup(const RollupSettings& /*settings*/, std::int64_t day,
                                  std::uint64_t seal_id) {
  // Copies of an event share its movie and device, and (the job leaves days where they differ unsealed) its
  // country and tier, so they fall into one group and uniqExact counts them once.
  return fmt::format(
      "INSERT INTO rollup_reactions_daily (day, seal_id, movie_id, device, user_country, user_tier, likes, "
      "dislikes) SELECT {}, toUInt64({}), movie_id, device, user_country, user_tier, "
      "uniqExactIf(event_id, event_type = 'like'), uniqExactIf(event_id, event_type = 'dislike') FROM "
      "ui_events WHERE event_type IN ('like', 'dislike') AND {} GROUP BY movie_id, device, user_country, "
      "user_tier",
      DateOfDay(day), seal_id, DayRange(day));
}

RollupCoverage CoverageWithin(const RollupCoverage& coverage, std::int64_t from, std::int64_t to) {
  RollupCoverage out;
  std::int64_t cursor = from;
  for (std::int64_t day = std::max(coverage.first_day, (from + kDay - 1) / kDay);
       day <= coverage.last_day && (day + 1) * kDay <= to; ++day) {
    // A day between the first and last sealed days is sealed unless a raw interval reaches into it.
    const bool raw = std::any_of(coverage.raw_intervals.begin(), coverage.raw_intervals.end(), [&](auto& i) {
      return i.first < (day + 1) * kDay && i.second > day * kDay;
    });
    if (raw) continue;
    if (cursor < day * kDay) out.raw_intervals.emplace_back(cursor, day * kDay);
    cursor = (day + 1) * kDay;
    if (!out.AnySealed()) out.first_day = day;
    out.last_day = day;
    out.seal_ids = coverage.seal_ids;  // ids of days outside [first_day, last_day] select nothing
  }
  if (cursor < to) out.raw_intervals.emplace_back(cursor, to);
  return out;
}

std::string ActiveUserDays(const RollupCoverage& coverage, const std::string& user_condition) {
  std::string sql;
  if (coverage.AnySealed())
    sql = "SELECT user_id, day FROM rollup_activity_daily WHERE " + coverage.SealedRows() + user_condition;
  if (!coverage.raw_intervals.empty()) {
    const std::string range = IntervalsCondition(coverage.raw_intervals);
    for (const char* table : {"ui_events", "watch_events"})
      sql += (sql.empty() ? "" : " UNION ALL ")
             + fmt::format("SELECT user_id, toDate(event_time) AS day FROM {} WHERE {}{}", table, range,
                           user_condition);
  }
  return sql;
}

std::string ActiveUserPeriods(const RollupCoverage& coverage, Granularity granularity) {
  const bool hours = granularity == Granularity::kHour;
  std::string sql;
  if (coverage.AnySealed())
    sql = "SELECT toUInt64(" + RollupPeriod(granularity) + ") AS p, user_id FROM rollup_activity_daily"
          + (hours ? kEachHour : "") + " WHERE " + coverage.SealedRows() + (hours ? kNameHours : "");
  if (!coverage.raw_intervals.empty()) {
    const std::string range = IntervalsCondition(coverage.raw_intervals);
    for (const char* table : {"ui_events", "watch_events"})
      sql += (sql.empty() ? "" : " UNION ALL ")
             + fmt::format("SELECT toUInt64({}) AS p, user_id FROM {} WHERE {}",
                           PeriodExpression(granularity), table, range);
  }
  return sql;
}

std::string SealedActiveCounts(const RollupCoverage& coverage, Granularity granularity) {
  const bool hours = granularity == Granularity::kHour;
  return "SELECT toUInt64(" + RollupPeriod(granularity) + ") AS p, count() FROM rollup_activity_daily"
         + (hours ? kEachHour : "") + " WHERE " + coverage.SealedRows() + (hours ? kNameHours : "")
         + " GROUP BY p";
}

}  // namespace cinerec::analytics
