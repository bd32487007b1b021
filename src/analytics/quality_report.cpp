// GET /v1/analytics/watch-quality: how far viewers get and how they move within a movie.
//  - A view session is (user, session_id, movie) with at least one view_stop in the range; its reach is
//    min(1, max(position_s, watched_s) / duration_s), its watched share min(1, max watched_s / duration_s).
//    Sessions of movies without a known length are counted apart (unknown_length) and left out of the rest.
//  - completion_distribution: sessions per decile of reach (0-10 %, ..., 90-100 %).
//  - drop_off: the sessions that did not complete, per decile of the furthest position they reached.
//  - seeks: view_seek events (distinct ids): forward (to > from) and backward (to < from), with the median
//    and mean distance in seconds.
// Sealed days come from rollup_views_daily (rollup_views.h), the rest of the range from the raw rows: the
// same numbers, faster.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <future>

#include "analytics/analytics_service.h"
#include "analytics/report_sql.h"
#include "analytics/rollup_views.h"
#include "analytics/rollups.h"

namespace cinerec::analytics {

namespace json = boost::json;

namespace {

// Seek statistics of one direction from a histogram of distances (ascending, with counts): how many, the
// sum, and the median as quantileExact(0.5) takes it (the element at index floor(n / 2) of the sorted
// values: the upper middle one for an even count).
struct Direction {
  std::int64_t count = 0, sum = 0, median = 0;
};
Direction Summarize(const std::vector<std::pair<std::int64_t, std::int64_t>>& distances) {
  Direction out;
  for (const auto& [distance, n] : distances) {
    out.count += n;
    out.sum += distance * n;
  }
  std::int64_t index = out.count / 2, seen = 0;
  for (const auto& [distance, n] : distances) {
    seen += n;
    if (seen > index) {
      out.median = distance;
      break;
    }
  }
  return out;
}

}  // namespace

json::object AnalyticsService::WatchQuality(const ReportRequest& request) {
  CheckGenre(request.filters.genre);
  const RollupCoverage coverage =
      options_.use_rollups
          ? Coverage(clickhouse_, Rollup::kViews, RollupSettingsOf(options_), request.from, request.to)
          : RawOnly(request.from, request.to);
  const std::string sessions = ViewSessions(coverage, request.filters, options_.completion_threshold, false);
  // The seeks run concurrently with the sessions (the client is thread-safe).
  auto seek_rows = std::async(
      std::launch::async, [&] { return QueryRows(clickhouse_, SeekDistances(coverage, request.filters)); });
  // Deciles in integer arithmetic (no float rounding at the edges): 10 * x / dur, capped at 9.
  const auto rows = QueryRows(
      clickhouse_,
      "SELECT dur > 0 AS known, least(9, intDiv(10 * toUInt64(greatest(pos, w)), greatest(dur, 1))) "
      "AS reach, least(9, intDiv(10 * toUInt64(pos), greatest(dur, 1))) AS stop_at, done, count(), "
      "sum(least(1, w / greatest(dur, 1))) FROM ("
          + sessions + ") GROUP BY known, reach, stop_at, done");

  std::int64_t total = 0, unknown = 0, completed = 0;
  double share_sum = 0;
  std::array<std::int64_t, 10> reach{}, drop_off{};
  for (const auto& row : rows) {
    const auto count = AsInt(row.at(4));
    if (AsInt(row.at(0)) == 0) {
      unknown += count;
      continue;
    }
    total += count;
    reach.at(static_cast<std::size_t>(AsInt(row.at(1)))) += count;
    if (AsInt(row.at(3)) != 0)
      completed += count;
    else
      drop_off.at(static_cast<std::size_t>(AsInt(row.at(2)))) += count;
    share_sum += AsDouble(row.at(5));
  }
  auto histogram = [](const std::array<std::int64_t, 10>& counts) {
    json::array out;
    for (std::size_t i = 0; i < counts.size(); ++i)
      out.emplace_back(
          json::object{{"from_percent", i * 10}, {"to_percent", i * 10 + 10}, {"sessions", counts[i]}});
    return out;
  };

  // Seeks as a histogram of distances (distinct events), summarized here: the sealed days' rows and the raw
  // rows add up per distance.
  std::int64_t seeks = 0;
  std::vector<std::pair<std::int64_t, std::int64_t>> forward_distances, backward_distances;
  for (const auto& row : seek_rows.get()) {
    const auto distance = AsInt(row.at(0)), n = AsInt(row.at(1));
    seeks += n;
    if (distance > 0) forward_distances.emplace_back(distance, n);
    if (distance < 0) backward_distances.emplace_back(-distance, n);
  }
  std::reverse(backward_distances.begin(), backward_distances.end());  // ascending distances
  const Direction forward = Summarize(forward_distances), backward = Summarize(backward_distances);
  auto mean = [](const Direction& d) {
    return d.count == 0 ? 0.0 : static_cast<double>(d.sum) / static_cast<double>(d.count);
  };

  json::object out = RequestEcho(request);
  out["sessions"] = total;
  out["unknown_length_sessions"] = unknown;
  out["completed_sessions"] = completed;
  out["completion_rate"] = Rate(completed, total);
  out["average_watched_share"] = total == 0 ? 0.0 : share_sum / static_cast<double>(total);
  out["completion_distribution"] = histogram(reach);
  out["drop_off"] = histogram(drop_off);
  out["seeks"] = json::object{
      {"total", seeks},
      {"forward", forward.count},
      {"backward", backward.count},
      {"median_forward_s", forward.median},
      {"median_backward_s", backward.median},
      {"mean_forward_s", mean(forward)},
      {"mean_backward_s", mean(backward)},
  };
  return out;
}

}  // namespace cinerec::analytics
