// GET /v1/analytics/views: views started and completed, unique viewers and watch time per period; top movies
// and genres by views and by watch time.
//
// Two sources, merged per key (period, movie or genre):
//  - starts: view_start events -> views_started (distinct event ids), unique_viewers (distinct users);
//  - sessions: the view_stop events of a playback session (user, session_id, movie) -> the session counts as
//    completed when any stop reached the completion threshold, and adds its largest watched_s (a session's
//    stops carry its running total, so summing them would count twice). A session belongs to the period of
//    its first stop in the range. Copies of events change neither (max, uniq).
// Sealed days come from rollup_views_daily (rollup_views.h), the rest of the range from the raw rows: the
// same numbers, faster.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <future>
#include <map>

#include "analytics/analytics_service.h"
#include "analytics/report_sql.h"
#include "analytics/rollup_views.h"
#include "analytics/rollups.h"

namespace cinerec::analytics {

namespace json = boost::json;

namespace {

using Measures = std::array<std::int64_t, 4>;  // views_started, views_completed, unique_viewers, watch_time_s
const std::vector<std::string> kMeasureNames = {"views_started", "views_completed", "unique_viewers",
                                                "watch_time_s"};

// view_start events matching the request, grouped by `key` (an expression of event_time, movie_id or, with
// `by_genre`, genre) and restricted by `also` (" AND ..." or ""): k, distinct event ids and, with `users`,
// distinct users. Sealed days from the rollup (StartsByKey); on the raw rows, counting distinct ids directly
// is exact (every copy of an event carries the same type, time, movie, user and genres, so it falls in the
// same group) and several times faster than a GROUP BY event_id subquery carrying any() of every column.
std::string StartsQuery(const ReportRequest& request, const RollupCoverage& coverage, const std::string& key,
                        bool by_genre, bool users, const std::string& also) {
  if (coverage.AnySealed())
    return std::string("SELECT k, sum(n)") + (users ? ", uniqExact(uid)" : "") + " FROM ("
           + StartsByKey(coverage, request.filters, key, by_genre, also) + ") GROUP BY k";
  return "SELECT " + key + " AS k, uniqExact(event_id)" + (users ? ", uniqExact(user_id)" : "")
         + " FROM watch_events" + (by_genre ? " ARRAY JOIN movie_genres AS genre" : "")
         + " WHERE event_type = 'view_start' AND " + TimeCondition(request.from, request.to)
         + FilterConditions(request.filters, {}) + also + " GROUP BY k";
}

struct Groups {
  Measures totals{};
  std::map<std::string, Measures> periods, movies, genres;
};

// Fills the starts of `groups`: with `periods`, views_started and unique_viewers per period, the range
// totals from the same scan WITH TOTALS; otherwise views_started and unique_viewers per genre (a few dozen;
// most of them are listed) and views_started per movie (their viewers: AddViewers, for the listed movies).
void AddStarts(ClickHouseClient& clickhouse, const ReportRequest& request, const RollupCoverage& coverage,
               bool periods, Groups& groups) {
  if (!periods) {
    for (const auto& row : QueryRows(clickhouse, StartsQuery(request, coverage, "genre", true, true, ""))) {
      auto& m = groups.genres[AsString(row.at(0))];
      m[0] = AsInt(row.at(1));
      m[2] = AsInt(row.at(2));
    }
    for (const auto& row :
         QueryRows(clickhouse, StartsQuery(request, coverage, "movie_id", false, false, "")))
      groups.movies[AsString(row.at(0))][0] = AsInt(row.at(1));
    return;
  }
  Row totals;
  for (const auto& row :
       QueryRows(clickhouse,
                 StartsQuery(request, coverage, PeriodExpression(request.granularity), false, true, "")
                     + " WITH TOTALS",
                 &totals)) {
    auto& m = groups.periods[AsString(row.at(0))];
    m[0] = AsInt(row.at(1));
    m[2] = AsInt(row.at(2));
  }
  if (totals.size() == 3) {
    groups.totals[0] = AsInt(totals[1]);
    groups.totals[2] = AsInt(totals[2]);
  }
}

// Fills unique_viewers of the movies `ids`: distinct users per movie are the expensive measure (tens of
// thousands of movies), and only the top lists show them.
void AddViewers(ClickHouseClient& clickhouse, const ReportRequest& request, const RollupCoverage& coverage,
                const std::vector<std::string>& ids, std::map<std::string, Measures>& movies) {
  if (ids.empty()) return;
  std::string in;
  for (const auto& id : ids)
    in += (in.empty() ? "" : ", ") + id;
  for (const auto& row : QueryRows(clickhouse, StartsQuery(request, coverage, "movie_id", false, true,
                                                           " AND movie_id IN (" + in + ")")))
    movies[AsString(row.at(0))][2] = AsInt(row.at(2));
}

// Fills the sessions (views_completed, watch_time_s) of `groups`. On the raw rows: one grouping of the
// sessions (the expensive part) fanned out to each session's period ("p…") and movie ("m…") keys, and one
// grouping per (session, genre) for the genre lists ("g…"). With sealed days most sessions are single
// rollup rows that need no grouping, and one numeric grouping per key is cheaper than the fan-out. Every
// session has exactly one period, so the totals are the sum of the periods'.
void AddSessions(ClickHouseClient& clickhouse, const ReportRequest& request, const RollupCoverage& coverage,
                 double threshold, Groups& groups) {
  const std::string sessions = ViewSessions(coverage, request.filters, threshold, false);
  const std::string period = PeriodExpression(request.granularity, "ts");
  std::vector<std::string> queries;
  if (coverage.AnySealed()) {
    queries.push_back("SELECT concat('p', toString(k)), c, s FROM (SELECT " + period
                      + " AS k, countIf(done) AS c, sum(w) AS s FROM (" + sessions + ") GROUP BY k)");
    queries.push_back("SELECT concat('m', toString(mid)), countIf(done), sum(w) FROM (" + sessions
                      + ") GROUP BY mid");
  } else {
    queries.push_back("SELECT key, countIf(done), sum(w) FROM (" + sessions
                      + ") ARRAY JOIN [concat('p', toString(" + period
                      + ")), concat('m', toString(mid))] AS key GROUP BY key");
  }
  queries.push_back("SELECT concat('g', genre) AS key, countIf(done), sum(w) FROM ("
                    + ViewSessions(coverage, request.filters, threshold, true) + ") GROUP BY key");
  for (const auto& sql : queries) {
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

// The `limit` keys with the largest measure `index` (ties: smaller key first), without zero rows. The order
// does not depend on unique_viewers (index 2), so they may be filled in after choosing the keys.
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
  const RollupCoverage coverage =
      options_.use_rollups
          ? Coverage(clickhouse_, Rollup::kViews, RollupSettingsOf(options_), request.from, request.to)
          : RawOnly(request.from, request.to);
  // Three independent parts run concurrently (the client is thread-safe), each on its own ClickHouse query
  // threads, into groups of their own that are merged after: each fills other measures.
  Groups groups, by_key, sessions;
  {
    auto period_part =
        std::async(std::launch::async, [&] { AddStarts(clickhouse_, request, coverage, true, groups); });
    auto key_part =
        std::async(std::launch::async, [&] { AddStarts(clickhouse_, request, coverage, false, by_key); });
    AddSessions(clickhouse_, request, coverage, threshold, sessions);
    period_part.get();
    key_part.get();
  }
  groups.movies = std::move(by_key.movies);
  groups.genres = std::move(by_key.genres);
  // The sessions' measures: views_completed (1) and watch_time_s (3).
  auto take = [](std::map<std::string, Measures>& to, const std::map<std::string, Measures>& from) {
    for (const auto& [key, m] : from) {
      to[key][1] = m[1];
      to[key][3] = m[3];
    }
  };
  take(groups.periods, sessions.periods);
  take(groups.movies, sessions.movies);
  take(groups.genres, sessions.genres);
  groups.totals[1] = sessions.totals[1];
  groups.totals[3] = sessions.totals[3];
  std::vector<std::string> listed;  // the movies of the two top lists
  for (const std::size_t index : {0, 3})
    for (const auto& [id, m] : TopBy(groups.movies, index, request.limit))
      if (std::find(listed.begin(), listed.end(), id) == listed.end()) listed.push_back(id);
  AddViewers(clickhouse_, request, coverage, listed, groups.movies);
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
