// GET /v1/analytics/search and /v1/analytics/ui.
//  - search: top queries (lower-cased text, distinct search events, distinct users, how many had zero
//    results), the top zero-result queries, and the funnel: of the search events, how many the same user
//    followed within search_window_s (inclusive) by a click (any click), and by a view_start (any movie).
//  - ui: per section, clicks, trailer plays and page views (distinct events); trailer -> watch: trailer plays
//    the same user followed by a view_start of the same movie within the conversion window (inclusive).
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <map>

#include "analytics/analytics_service.h"
#include "analytics/report_sql.h"
#include "analytics/rollup_search.h"
#include "analytics/rollups.h"

namespace cinerec::analytics {

namespace json = boost::json;

namespace {

// "x >= ts AND x <= ts + window" for an outcome time x after an event at ts.
std::string Within(std::int64_t window_s, const std::string& times) {
  return fmt::format("arrayExists(x -> x >= ts AND x <= ts + {}, {})", window_s, times);
}

json::array QueryList(const std::vector<Row>& rows) {
  json::array out;
  for (const auto& row : rows)
    out.emplace_back(json::object{{"query", AsString(row.at(0))},
                                  {"searches", AsInt(row.at(1))},
                                  {"users", AsInt(row.at(2))},
                                  {"zero_result_searches", AsInt(row.at(3))}});
  return out;
}

}  // namespace

json::object AnalyticsService::Search(const ReportRequest& request) {
  const std::string filters =
      FilterConditions(request.filters, TableColumns{.genres = false, .movie = false});
  const std::int64_t window = options_.search_window_s;
  // Sealed days from rollup_search_daily (device, country and tier are its columns; it answers search windows
  // up to the conversion window it was sealed with), the rest from the raw rows; both parts are exact and
  // disjoint. Users are not additive: the lists count them over the rows of both parts together.
  const RollupCoverage coverage =
      options_.use_rollups && window <= options_.conversion_window_s
          ? Coverage(clickhouse_, Rollup::kSearch, RollupSettingsOf(options_), request.from, request.to)
          : RawOnly(request.from, request.to);
  const std::string per_user = SearchesByQueryAndUser(coverage, filters);
  auto top = QueryRows(clickhouse_,
                       "SELECT q, sum(n) AS searches, uniqExact(uid), sum(z) FROM (" + per_user
                           + fmt::format(") GROUP BY q ORDER BY searches DESC, q LIMIT {}", request.limit));
  auto zero = QueryRows(
      clickhouse_,
      "SELECT q, sum(z) AS searches, uniqExact(uid), sum(z) FROM (" + per_user
          + fmt::format(") WHERE z > 0 GROUP BY q ORDER BY searches DESC, q LIMIT {}", request.limit));

  std::int64_t total = 0, clicked = 0, watched = 0;
  if (coverage.AnySealed()) {
    const auto sealed = QueryRows(clickhouse_, SealedSearchFunnel(coverage, filters, window));
    if (!sealed.empty()) {
      total += AsInt(sealed[0].at(0));
      clicked += AsInt(sealed[0].at(1));
      watched += AsInt(sealed[0].at(2));
    }
  }
  if (!coverage.raw_intervals.empty()) {
    const std::string base = "FROM ui_events WHERE event_type = 'search' AND "
                             + IntervalsCondition(coverage.raw_intervals) + filters;
    const std::string searches =
        "SELECT event_id, any(user_id) AS uid, any(event_time) AS ts " + base + " GROUP BY event_id";
    const std::string later = IntervalsCondition(WithWindow(coverage.raw_intervals, window));
    const std::string users = " AND user_id IN (SELECT user_id " + base + ")";
    const std::string outcomes =
        "SELECT uid, groupArrayIf(at, kind = 1) AS clicks, groupArrayIf(at, kind = 2) AS starts FROM (SELECT "
        "user_id "
        "AS uid, event_time AS at, 1 AS kind FROM ui_events WHERE event_type = 'click' AND "
        + later + users
        + " UNION ALL SELECT user_id, event_time, 2 FROM watch_events WHERE event_type = 'view_start' AND "
        + later + users + ") GROUP BY uid";
    // max(ts) is not used: 18.16 resolves the lambda's outer column (ts) only when the query names it
    // elsewhere.
    auto funnel = QueryRows(clickhouse_, "SELECT count(), countIf(" + Within(window, "clicks") + "), countIf("
                                             + Within(window, "starts") + "), max(ts) FROM (" + searches
                                             + ") ANY LEFT JOIN (" + outcomes + ") USING uid");
    if (!funnel.empty()) {
      total += AsInt(funnel[0].at(0));
      clicked += AsInt(funnel[0].at(1));
      watched += AsInt(funnel[0].at(2));
    }
  }

  json::object out = RequestEcho(request);
  out["top_queries"] = QueryList(top);
  out["zero_result_queries"] = QueryList(zero);
  out["funnel"] = json::object{{"window_s", window},
                               {"searches", total},
                               {"searches_with_click", clicked},
                               {"searches_with_watch", watched},
                               {"click_rate", Rate(clicked, total)},
                               {"watch_rate", Rate(watched, total)}};
  return out;
}

json::object AnalyticsService::Ui(const ReportRequest& request) {
  CheckGenre(request.filters.genre);
  const std::int64_t window = Window(request);
  const std::string filters = FilterConditions(request.filters, {});
  // Sealed days from rollup_ui_daily when it carries what the request asks (its window; section, device,
  // country and tier are its columns), the rest from the raw rows; both parts are exact, so their sum is.
  const RollupCoverage coverage =
      options_.use_rollups && window == options_.conversion_window_s && request.filters.genre.empty()
              && request.filters.movie_id == 0
          ? Coverage(clickhouse_, Rollup::kUi, RollupSettingsOf(options_), request.from, request.to)
          : RawOnly(request.from, request.to);
  std::map<std::string, std::array<std::int64_t, 3>> sections;  // clicks, trailer plays, page views
  std::int64_t plays = 0, watched = 0;
  if (coverage.AnySealed()) {
    for (const auto& row : QueryRows(clickhouse_,
                                     "SELECT section, sum(clicks), sum(trailer_plays), sum(page_views), "
                                     "sum(trailers_watched) FROM rollup_ui_daily WHERE "
                                         + coverage.SealedRows() + filters + " GROUP BY section")) {
      auto& counts = sections[AsString(row.at(0))];
      for (std::size_t i = 0; i < 3; ++i)
        counts[i] += AsInt(row.at(i + 1));
      plays += AsInt(row.at(2));
      watched += AsInt(row.at(4));
    }
  }
  if (!coverage.raw_intervals.empty()) {
    const std::string range = IntervalsCondition(coverage.raw_intervals);
    for (const auto& row : QueryRows(clickhouse_,
                                     "SELECT section, uniqExactIf(event_id, event_type = 'click'), "
                                     "uniqExactIf(event_id, event_type = 'trailer_play'), "
                                     "uniqExactIf(event_id, event_type = 'page_view') FROM ui_events WHERE "
                                     "event_type IN ('click', 'trailer_play', 'page_view') AND "
                                         + range + filters + " GROUP BY section")) {
      auto& counts = sections[AsString(row.at(0))];
      for (std::size_t i = 0; i < 3; ++i)
        counts[i] += AsInt(row.at(i + 1));
    }
    const std::string trailers =
        "SELECT event_id, any(user_id) AS uid, any(movie_id) AS mid, any(event_time) AS ts "
        "FROM ui_events WHERE event_type = 'trailer_play' AND "
        + range + filters + " GROUP BY event_id";
    const std::string starts =
        "SELECT user_id AS uid, movie_id AS mid, groupArray(event_time) AS at FROM watch_events WHERE "
        "event_type = "
        "'view_start' AND "
        + IntervalsCondition(WithWindow(coverage.raw_intervals, window))
        + " AND user_id IN (SELECT user_id FROM ui_events WHERE event_type = 'trailer_play' AND " + range
        + filters + ") GROUP BY uid, mid";
    const auto conversion =
        QueryRows(clickhouse_, "SELECT count(), countIf(" + Within(window, "at") + "), max(ts) FROM ("
                                   + trailers + ") ANY LEFT JOIN (" + starts + ") USING (uid, mid)");
    plays += conversion.empty() ? 0 : AsInt(conversion[0].at(0));
    watched += conversion.empty() ? 0 : AsInt(conversion[0].at(1));
  }

  // Most events first, then by section name; the first `limit`.
  std::vector<std::pair<std::string, std::array<std::int64_t, 3>>> sorted(sections.begin(), sections.end());
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return a.second[0] + a.second[1] + a.second[2] > b.second[0] + b.second[1] + b.second[2];
  });
  json::array per_section;
  for (const auto& [section, counts] : sorted) {
    if (static_cast<int>(per_section.size()) >= request.limit) break;
    per_section.emplace_back(json::object{{"section", section},
                                          {"clicks", counts[0]},
                                          {"trailer_plays", counts[1]},
                                          {"page_views", counts[2]}});
  }
  json::object out = RequestEcho(request);
  out["sections"] = std::move(per_section);
  out["trailer_to_watch"] = json::object{{"window_s", window},
                                         {"trailer_plays", plays},
                                         {"followed_by_watch", watched},
                                         {"rate", Rate(watched, plays)}};
  return out;
}

}  // namespace cinerec::analytics
