// GET /v1/analytics/views: views started and completed, unique viewers and watch time per period; top movies
// and genres by views and by watch time.
//
// Two sources, merged per key (period, movie or genre):
//  - starts: view_start events, one row per event id -> views_started, unique_viewers;
//  - sessions: the view_stop events of a playback session (user, session_id, movie) -> the session counts as
//    completed when any stop reached the completion threshold, and adds its largest watched_s (a session's
//    stops carry its running total, so summing them would count twice). A session belongs to the period of
//    its first stop in the range. Copies of events change neither (max, uniq).
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <map>

#include "analytics/analytics_service.h"
#include "analytics/report_sql.h"

namespace cinerec::analytics {

namespace json = boost::json;

namespace {

using Measures = std::array<std::int64_t, 4>;  // views_started, views_completed, unique_viewers, watch_time_s
const std::vector<std::string> kMeasureNames = {"views_started", "views_completed", "unique_viewers",
                                                "watch_time_s"};

std::string DistinctStarts(const ReportRequest& request) {
  return "SELECT event_id, any(event_time) AS ts, any(user_id) AS uid, any(movie_id) AS mid, "
         "any(movie_genres) AS genres FROM watch_events WHERE event_type = 'view_start' AND "
         + TimeCondition(request.from, request.to) + FilterConditions(request.filters, {})
         + " GROUP BY event_id";
}

std::string StopSessions(const ReportRequest& request, double threshold) {
  return "SELECT user_id AS uid, session_id AS sid, movie_id AS mid, min(event_time) AS ts, max(watched_s) AS w, "
         "max(" + CompletedCondition(threshold) + ") AS done, any(movie_genres) AS genres FROM watch_events "
         "WHERE event_type = 'view_stop' AND " + TimeCondition(request.from, request.to)
         + FilterConditions(request.filters, {}) + " GROUP BY user_id, session_id, movie_id";
}

// Runs the starts and sessions queries grouped by `key` (an expression over either subquery's columns,
// with `array_join` for genres) and merges them by the key's text.
std::map<std::string, Measures> Grouped(ClickHouseClient& clickhouse, const ReportRequest& request,
                                        double threshold, const std::string& key,
                                        const std::string& array_join) {
  std::map<std::string, Measures> out;
  const std::string group = key.empty() ? "" : " GROUP BY k";
  const std::string select_key = key.empty() ? "'' AS k" : key + " AS k";
  for (const auto& row : QueryRows(clickhouse, "SELECT " + select_key + ", count(), uniqExact(uid) FROM ("
                                                   + DistinctStarts(request) + ")" + array_join + group)) {
    auto& m = out[AsString(row.at(0))];
    m[0] = AsInt(row.at(1));
    m[2] = AsInt(row.at(2));
  }
  for (const auto& row :
       QueryRows(clickhouse, "SELECT " + select_key + ", countIf(done), sum(w) FROM ("
                                 + StopSessions(request, threshold) + ")" + array_join + group)) {
    auto& m = out[AsString(row.at(0))];
    m[1] = AsInt(row.at(1));
    m[3] = AsInt(row.at(2));
  }
  return out;
}

void AddMeasures(json::object& object, const Measures& m) {
  for (std::size_t i = 0; i < kMeasureNames.size(); ++i)
    object[kMeasureNames[i]] = m[i];
}

// The `limit` keys with the largest measure `index` (ties: smaller key first), without zero rows.
std::vector<std::pair<std::string, Measures>> TopBy(const std::map<std::string, Measures>& rows,
                                                    std::size_t index, int limit) {
  std::vector<std::pair<std::string, Measures>> sorted(rows.begin(), rows.end());
  std::stable_sort(sorted.begin(), sorted.end(),
                   [index](const auto& a, const auto& b) { return a.second[index] > b.second[index]; });
  std::vector<std::pair<std::string, Measures>> out;
  for (const auto& row : sorted)
    if (static_cast<int>(out.size()) < limit && row.second[index] > 0) out.push_back(row);
  return out;
}

}  // namespace

json::object AnalyticsService::Views(const ReportRequest& request) {
  CheckGenre(request.filters.genre);
  const double threshold = options_.completion_threshold;
  auto totals = Grouped(clickhouse_, request, threshold, "", "");
  auto periods = Grouped(clickhouse_, request, threshold, PeriodExpression(request.granularity, "ts"), "");
  auto movies = Grouped(clickhouse_, request, threshold, "mid", "");
  auto genres = Grouped(clickhouse_, request, threshold, "genre", " ARRAY JOIN genres AS genre");

  json::object out = RequestEcho(request);
  json::object total_object;
  AddMeasures(total_object, totals.empty() ? Measures{} : totals.begin()->second);
  out["totals"] = std::move(total_object);

  std::vector<Row> series_rows;
  for (const auto& [period, m] : periods)
    series_rows.push_back(Row{json::value(std::stoll(period)), m[0], m[1], m[2], m[3]});
  out["series"] = Series(request, series_rows, kMeasureNames);

  auto movie_list = [&](std::size_t index) {
    auto top = TopBy(movies, index, request.limit);
    std::vector<std::int64_t> ids;
    for (const auto& [id, m] : top)
      ids.push_back(std::stoll(id));
    auto titles = Titles(ids);
    json::array list;
    for (std::size_t i = 0; i < top.size(); ++i) {
      json::object item{{"movie_id", ids[i]}, {"title", titles[i]}};
      AddMeasures(item, top[i].second);
      list.emplace_back(std::move(item));
    }
    return list;
  };
  auto genre_list = [&](std::size_t index) {
    json::array list;
    for (const auto& [genre, m] : TopBy(genres, index, request.limit)) {
      json::object item{{"genre", genre}};
      AddMeasures(item, m);
      list.emplace_back(std::move(item));
    }
    return list;
  };
  out["top_movies_by_views"] = movie_list(0);
  out["top_movies_by_watch_time"] = movie_list(3);
  out["top_genres_by_views"] = genre_list(0);
  out["top_genres_by_watch_time"] = genre_list(3);
  return out;
}

}  // namespace cinerec::analytics
