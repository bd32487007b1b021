#pragma once
// The sealed daily rollup of the views and watch-quality reports (rollup_views_daily, migration 0005;
// docs/analytics.md, "Sealed daily rollups"): what the sealing job inserts for a day, and the report
// queries that read the sealed days from it and everything else of the range from the raw rows, giving
// exactly the raw-only answer.
//
// Distinct users and view sessions are not additive over days, so the rollup keeps them, narrow and
// de-duplicated, instead of counts: view starts per (hour, user, movie, attributes) with their distinct ids,
// one row per view session and day with its first stop and maxima, and seeks per distance. A session with
// stops on more than one day (or under different attributes) is flagged `spans` when sealed; a report merges
// those sessions' rows and the raw stops by the exact key and takes every other session row as it is.
#include <cstdint>
#include <string>

namespace cinerec::analytics {

struct RollupSettings;
struct RollupCoverage;
struct ReportFilters;

// INSERT ... SELECT of day `day`'s rows of rollup_views_daily with `seal_id` (the job in rollups.cpp).
std::string InsertViewsRollup(const RollupSettings& settings, std::int64_t day, std::uint64_t seal_id);

// The view_start events of the range matching `filters`, grouped by a key: "k, uid, n" rows (n = distinct
// event ids of that key and user), for `SELECT k, sum(n), uniqExact(uid) FROM (...) GROUP BY k`.
// `key` is an expression of event_time, movie_id or genre (ARRAY JOIN movie_genres AS genre when
// `by_genre`), valid on both the raw rows and the rollup's; `also` (" AND ..." or "") restricts the rows.
std::string StartsByKey(const RollupCoverage& coverage, const ReportFilters& filters, const std::string& key,
                        bool by_genre, const std::string& also = "");

// The view sessions of the range (stops matching `filters`, grouped by user, session_id, movie and, when
// `by_genre`, genre): rows "ts, mid, [genre,] w, done, pos, dur" = first stop, movie, largest watched_s,
// completed (0/1), largest position_s, largest duration_s.
std::string ViewSessions(const RollupCoverage& coverage, const ReportFilters& filters, double threshold,
                         bool by_genre);

// The distinct view_seek events of the range matching `filters` as a histogram "d, n": seek distance
// (seek_to_s - seek_from_s) and how many events.
std::string SeekDistances(const RollupCoverage& coverage, const ReportFilters& filters);

}  // namespace cinerec::analytics
