#pragma once
// The sealed daily rollups of the engagement report (rollup_activity_daily and rollup_reactions_daily,
// migration 0006; docs/analytics.md, "Sealed daily rollups"): what the sealing job inserts for a day, and
// the pieces of SQL with which the report reads the sealed days from them and everything else of its range
// from the raw rows, giving exactly the raw-only answer.
#include <cstdint>
#include <string>

namespace cinerec::analytics {

struct RollupSettings;
struct RollupCoverage;
enum class Granularity;

// INSERT ... SELECT of day `day`'s rows with `seal_id` (the job in rollups.cpp): one row per active user
// with the bit mask of their active hours; likes and dislikes per movie, device, country and tier.
std::string InsertActivityRollup(const RollupSettings& settings, std::int64_t day, std::uint64_t seal_id);
std::string InsertReactionsRollup(const RollupSettings& settings, std::int64_t day, std::uint64_t seal_id);

// `coverage` (of a larger range) restricted to [from, to): its sealed days wholly inside [from, to) stay
// sealed, every other part of [from, to) is raw. REQUIRES: [from, to) lies within the coverage's range.
RollupCoverage CoverageWithin(const RollupCoverage& coverage, std::int64_t from, std::int64_t to);

// "user_id, <day>" rows of every user active on a day of `coverage`: the sealed days' rollup rows and the
// raw UI and watch events elsewhere, only for users `user_condition` (" AND user_id IN (...)" or "")
// accepts; <day> is a Date.
std::string ActiveUserDays(const RollupCoverage& coverage, const std::string& user_condition);

// "p, user_id" rows: the users active in each period (start, Unix seconds) of `granularity` within the
// coverage, the sealed days' from the rollup (hours from its bit mask), the rest from the raw events. Users
// appear once per day (sealed) or event (raw): count them with uniqExact.
std::string ActiveUserPeriods(const RollupCoverage& coverage, Granularity granularity);

// "SELECT p, n": the active users of every hour or day (not week: a week's users are not additive over its
// days) of the coverage's sealed days, n = the rollup rows, one per user and day, with the hour's bit.
std::string SealedActiveCounts(const RollupCoverage& coverage, Granularity granularity);

}  // namespace cinerec::analytics
