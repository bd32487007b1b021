#pragma once
// Sealed daily rollups (docs/analytics.md, "Speed"): per UTC day, exact additive measures computed from the
// de-duplicated raw rows into a small table, with the day's raw fingerprint (count() and max(received_at) of
// the raw rows the measures read). A report reads a day from the rollup only while the fingerprint still
// matches, and everything else (partial days at the range's ends, today, unsealed days, days that received a
// late or replayed event after sealing, days whose copies merged) from the raw tables: the answer is always
// exactly the raw tables' answer, only faster.
//
// The fingerprint is taken BEFORE the measures are computed: a row arriving in between is then in the
// measures but not in the fingerprint, so the day reads raw (safe) until the next run re-seals it; the
// other order could miss it. A late copy raises count() and normally max(received_at); a merge collapsing
// copies lowers count(); either way the day reads raw until re-sealed.
//
// Rollups so far (migrations/clickhouse/0004_rollups.sql): recommendation conversion per model version,
// variant, source, position, user country and tier; UI events per section, device, user country and tier;
// 0006 (rollup_engagement.h, rollup_search.h): active users per day with their hours, likes and dislikes per
// movie, searches per query and user with the delays to the first click and watch.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace cinerec {
class ClickHouseClient;
struct Config;
}  // namespace cinerec

namespace cinerec::analytics {

// What the measures depend on besides the raw rows: a seal made with other values is never used.
struct RollupSettings {
  std::int64_t conversion_window_s = 24 * 3600;
  double completion_threshold = 0.9;
};

struct RollupJobOptions {
  RollupSettings settings;
  // A day is sealed once its end + the conversion window + this margin has passed (events that arrive later
  // still count: the fingerprint changes and the day reads raw until re-sealed).
  std::int64_t lateness_s = 6 * 3600;
  int lookback_days = 400;  // days before now that are checked (older ones are left as they are)
  // At most this many days with raw rows (re-)sealed per rollup and run, newest first; 0 = all. serve's
  // scheduler bounds a first run over a long history so that its other jobs keep their turns.
  int max_days_per_run = 0;
};

// The job's options from the configuration (analytics.conversion_window_s, collect.completion_threshold,
// analytics.rollup_lateness_s); lookback_days < 0: analytics.max_range_days.
RollupJobOptions RollupOptionsOf(const Config& config, int lookback_days = -1);

// The rollups, each with its table (migrations/clickhouse/0004_rollups.sql).
enum class Rollup {
  kConversions,  // rollup_conversions_daily: impressions and conversions per model/variant/source/position
  kUi,           // rollup_ui_daily: clicks / trailer plays / page views per section, trailer -> watch
  kViews,        // rollup_views_daily (0005): view starts, view sessions and seeks (rollup_views.h)
  kActivity,     // rollup_activity_daily (0006): active users per day with their active hours
  kReactions,    // rollup_reactions_daily (0006): likes and dislikes per movie, device, country, tier
  kSearch,       // rollup_search_daily (0006): searches per query and user, delays to click / watch
};

struct RollupJobResult {
  int days_checked = 0;    // closed days in the lookback, summed over the rollups
  int days_sealed = 0;     // newly sealed or re-sealed (fingerprint changed)
  int days_ambiguous = 0;  // not sealed: copies of an event differ in country/tier (see rollups.cpp)
};

// Seals, for every rollup, every closed day of the lookback whose seal is missing, made with other settings,
// or whose fingerprint no longer matches. Idempotent: a second run with no new raw rows seals nothing.
// Throws StoreError / ClickHouseQueryError.
RollupJobResult SealClosedDays(ClickHouseClient& clickhouse, const RollupJobOptions& options,
                               std::int64_t now_s);
RollupJobResult SealClosedDays(ClickHouseClient& clickhouse, Rollup rollup, const RollupJobOptions& options,
                               std::int64_t now_s);

// How a report range splits between sealed days and raw rows.
struct RollupCoverage {
  std::vector<std::uint64_t> seal_ids;        // of the days read from the rollup
  std::int64_t first_day = 0, last_day = -1;  // day numbers (Unix days) spanning those days
  // [from, to) Unix-second intervals read from the raw tables, in order; together with the sealed days they
  // cover the range exactly once.
  std::vector<std::pair<std::int64_t, std::int64_t>> raw_intervals;
  bool AnySealed() const { return !seal_ids.empty(); }
  // "day >= ... AND day <= ... AND seal_id IN (...)": the rollup rows of the sealed days.
  std::string SealedRows() const;
};

// The coverage of [from, to) by `rollup`: whole UTC days with a current seal made with `settings` whose
// fingerprint matches the raw tables now. One query when nothing is sealed, two otherwise.
RollupCoverage Coverage(ClickHouseClient& clickhouse, Rollup rollup, const RollupSettings& settings,
                        std::int64_t from, std::int64_t to);
// All of [from, to) from the raw tables (a request the rollup cannot answer).
RollupCoverage RawOnly(std::int64_t from, std::int64_t to);

// The intervals each extended by `window_s` + 1 s, overlaps merged: where the outcomes of events in the
// intervals lie (outcome reads are [from, to + window], both ends inclusive).
std::vector<std::pair<std::int64_t, std::int64_t>> WithWindow(
    const std::vector<std::pair<std::int64_t, std::int64_t>>& intervals, std::int64_t window_s);

// "(event_time >= ... AND event_time < ...) OR ..." for the intervals ("0" when there are none); the
// primary key's day prefix still selects only those days.
// Day `day` (Unix days) as a ClickHouse Date expression, toDate('YYYY-MM-DD'): from a string, so that the
// server's time zone never matters. For the rollups' SQL.
std::string DateOfDay(std::int64_t day);

std::string IntervalsCondition(const std::vector<std::pair<std::int64_t, std::int64_t>>& intervals,
                               const std::string& column = "event_time");

}  // namespace cinerec::analytics
