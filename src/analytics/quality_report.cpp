// GET /v1/analytics/watch-quality: how far viewers get and how they move within a movie.
//  - A view session is (user, session_id, movie) with at least one view_stop in the range; its reach is
//    min(1, max(position_s, watched_s) / duration_s), its watched share min(1, max watched_s / duration_s).
//    Sessions of movies without a known length are counted apart (unknown_length) and left out of the rest.
//  - completion_distribution: sessions per decile of reach (0-10 %, ..., 90-100 %).
//  - drop_off: the sessions that did not complete, per decile of the furthest position they reached.
//  - seeks: view_seek events (distinct ids): forward (to > from) and backward (to < from), with the median
//    and mean distance in seconds.
#include <fmt/format.h>

#include <array>
#include <boost/json.hpp>

#include "analytics/analytics_service.h"
#include "analytics/report_sql.h"

namespace cinerec::analytics {

namespace json = boost::json;

json::object AnalyticsService::WatchQuality(const ReportRequest& request) {
  CheckGenre(request.filters.genre);
  const std::string filters = FilterConditions(request.filters, {});
  const std::string range = TimeCondition(request.from, request.to);
  const std::string sessions =
      "SELECT max(position_s) AS pos, max(watched_s) AS w, max(duration_s) AS dur, max("
      + CompletedCondition(options_.completion_threshold) + ") AS done FROM watch_events WHERE event_type = "
      "'view_stop' AND " + range + filters + " GROUP BY user_id, session_id, movie_id";
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

  const std::string seeks_sql =
      "SELECT count(), countIf(t > f), countIf(t < f), quantileExactIf(0.5)(t - f, t > f), "
      "quantileExactIf(0.5)(f - t, t < f), sumIf(t - f, t > f), sumIf(f - t, t < f) FROM (SELECT event_id, "
      "any(seek_from_s) AS f, any(seek_to_s) AS t FROM watch_events WHERE event_type = 'view_seek' AND "
      + range + filters + " GROUP BY event_id)";
  const auto seek = QueryRows(clickhouse_, seeks_sql);
  const Row zero(7, json::value(0));
  const Row& s = seek.empty() ? zero : seek[0];
  const auto forward = AsInt(s.at(1)), backward = AsInt(s.at(2));

  json::object out = RequestEcho(request);
  out["sessions"] = total;
  out["unknown_length_sessions"] = unknown;
  out["completed_sessions"] = completed;
  out["completion_rate"] = Rate(completed, total);
  out["average_watched_share"] = total == 0 ? 0.0 : share_sum / static_cast<double>(total);
  out["completion_distribution"] = histogram(reach);
  out["drop_off"] = histogram(drop_off);
  out["seeks"] = json::object{
      {"total", AsInt(s.at(0))},
      {"forward", forward},
      {"backward", backward},
      {"median_forward_s", forward == 0 ? 0 : AsInt(s.at(3))},
      {"median_backward_s", backward == 0 ? 0 : AsInt(s.at(4))},
      {"mean_forward_s", forward == 0 ? 0.0 : static_cast<double>(AsInt(s.at(5))) / forward},
      {"mean_backward_s", backward == 0 ? 0.0 : static_cast<double>(AsInt(s.at(6))) / backward},
  };
  return out;
}

}  // namespace cinerec::analytics
