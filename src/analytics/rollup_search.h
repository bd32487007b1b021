#pragma once
// The sealed daily rollup of the search report (rollup_search_daily, migration 0006; docs/analytics.md,
// "Sealed daily rollups"): what the sealing job inserts for a day, and the pieces of SQL with which the
// report reads the sealed days from it and everything else of its range from the raw rows, giving exactly the
// raw-only answer. The rollup keeps, per search, the delay to the user's first click and view_start within
// the conversion window, so it answers the funnel for every search window up to that window.
#include <cstdint>
#include <string>

namespace cinerec::analytics {

struct RollupSettings;
struct RollupCoverage;

// INSERT ... SELECT of day `day`'s rows with `seal_id` (the job in rollups.cpp).
std::string InsertSearchRollup(const RollupSettings& settings, std::int64_t day, std::uint64_t seal_id);

// "q, uid, n, z" rows: the searches of the coverage matching `filters` (" AND ..." on device, user_country,
// user_tier) by lower-cased query and user, n = distinct search events, z = those with zero results. A
// query's searches are sum(n), its users uniqExact(uid).
std::string SearchesByQueryAndUser(const RollupCoverage& coverage, const std::string& filters);

// "SELECT searches, with_click, with_watch" of the coverage's sealed days matching `filters`, for a search
// window of `window_s` (at most the rollup's conversion window).
std::string SealedSearchFunnel(const RollupCoverage& coverage, const std::string& filters,
                               std::int64_t window_s);

}  // namespace cinerec::analytics
