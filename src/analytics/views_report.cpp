// GET /v1/analytics/views: views started and completed, unique viewers and watch time per period; top movies
// and genres by views and by watch time.
//
// Two sources, merged per key (period, movie or genre):
//  - starts: view_start events -> views_started (distinct event ids), unique_viewers (distinct users);
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

// view_start events matching the request, grouped by `key` (an expression of the raw columns; with
// `array_join` for genres): k, distinct event ids, distinct users. Counting distinct ids directly is exact
// (every copy of an event carries the same type, time, movie, user and genres, so it falls in the same
// group) and several times faster than a GROUP BY event_id subquery carrying any() of every column.
std::string StartsQuery(const ReportRequest& request, const std::string& key, const std::string& array_join) {
  return "SELECT " + key + " AS k, uniqExact(event_id), uniqExact(user_id) FROM watch_events" + array_join
         + " WHERE event_type = 'view_start' AND " + TimeCondition(request.from, request.to)
         + FilterConditions(request.filters, {}) + " GROUP BY k";
}

// The view_stop sessions (user, session, movie, plus genre with `by_genre`): first stop, largest watched_s,
// completed or not. Copies of events change none of them (min, max). The genre is unnested from the raw rows
// (any(movie_genres) per session instead exceeded the per-query memory at 90 days of the bench history).
std::string StopSessions(const ReportRequest& request, double threshold, bool by_genre) {
  const std::string genre = by_genre ? ", genre" : "";
  return "SELECT user_id AS uid, session_id AS sid, movie_id AS mid" + genre
         + ", min(event_time) AS ts, max(watched_s) AS w, max(" + CompletedCondition(threshold)
         + ") AS done FROM watch_events" + (by_genre ? " ARRAY JOIN movie_genres AS genre" : "")
         + " WHERE event_type = 'view_stop' AND " + TimeCondition(request.from, request.to)
         + FilterConditions(request.filters, {}) + " GROUP BY uid, sid, mid" + genre;
}

struct Groups {
  Measures totals{};
  std::map<std::string, Measures> periods, movies, genres;
};

// Fills the starts (views_started, unique_viewers) of `groups`: one scan per grouping, the range totals from
// the period scan WITH TOTALS.
void AddStarts(ClickHouseClient& clickhouse, const ReportRequest& request, Groups& groups) {
  const auto add = [&](const std::string& key, const std::string& array_join,
                       std::map<std::string, Measures>& to, Row* totals) {
    for (const auto& row : QueryRows(
             clickhouse, StartsQuery(request, key, array_join) + (totals ? " WITH TOTALS" : ""), totals)) {
      auto& m = to[AsString(row.at(0))];
      m[0] = AsInt(row.at(1));
      m[2] = AsInt(row.at(2));
    }
  };
  Row totals;
  add(PeriodExpression(request.granularity), "", groups.periods, &totals);
  if (totals.size() == 3) {
    groups.totals[0] = AsInt(totals[1]);
    groups.totals[2] = AsInt(totals[2]);
  }
  add("movie_id", "", groups.movies, nullptr);
  add("genre", " ARRAY JOIN movie_genres AS genre", groups.genres, nullptr);
}

// Fills the sessions (views_completed, watch_time_s) of `groups`: one grouping of the sessions (the
// expensive part) fanned out to each session's period ("p…") and movie ("m…") keys, and one grouping per
// (session, genre) for the genre lists ("g…"). Every session has exactly one period, so the totals are the
// sum of the periods'.
void AddSessions(ClickHouseClient& clickhouse, const ReportRequest& request, double threshold,
                 Groups& groups) {
  const std::string period_and_movie =
      "SELECT key, countIf(done), sum(w) FROM (" + StopSessions(request, threshold, false)
      + ") ARRAY JOIN [concat('p', toString(" + PeriodExpression(request.granularity, "ts")
      + ")), concat('m', toString(mid))] AS key GROUP BY key";
  const std::string genre = "SELECT concat('g', genre) AS key, countIf(done), sum(w) FROM ("
                            + StopSessions(request, threshold, true) + ") GROUP BY key";
  for (const auto& sql : {period_and_movie, genre}) {
    for (const auto& row : QueryRows(clickhouse, sql)) {
      const std::string key = AsString(row.at(0));
      auto& to = key[0] == 'p' ? groups.periods : key[0] == 'm' ? groups.movies : groups.genres;
      auto& m = to[key.substr(1)];
      m[1] = AsInt(row.at(1));
      m[3] = AsInt(row.at(2));
      if (key[0] == 'p') {
        groups.totals[1] += m[1];
        groups.totals[3] += m[3];
      }
    }
  }
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
  Groups groups;
  AddStarts(clickhouse_, request, groups);
  AddSessions(clickhouse_, request, threshold, groups);
  const auto& totals = groups.totals;
  const auto& periods = groups.periods;
  const auto& movies = groups.movies;
  const auto& genres = groups.genres;

  json::object out = RequestEcho(request);
  json::object total_object;
  AddMeasures(total_object, totals);
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
