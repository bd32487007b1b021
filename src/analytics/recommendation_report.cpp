// GET /v1/analytics/recommendations, /recommendations/compare and /users/{id}/history.
//
// An impression (one recommended item shown, distinct event ids) converts when the same user, for the same
// movie, within [shown, shown + window] (both ends inclusive, window = analytics.conversion_window_s or the
// request's `window`):
//  - clicked: a click event;
//  - started: a view_start event;
//  - completed: a view_stop reaching the completion threshold of the movie's length.
// Each impression counts at most once per outcome, however many clicks or views follow; rates are over
// impressions. Outcomes are looked up until `to + window`, so impressions near the end of the range have
// their whole window.
#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <map>
#include <utility>

#include "analytics/analytics_service.h"
#include "analytics/conversion_sql.h"
#include "analytics/report_sql.h"
#include "analytics/rollups.h"
#include "common/errors.h"

namespace cinerec::analytics {

namespace json = boost::json;

std::string DistinctImpressions(const std::string& where) {
  return "SELECT event_id, any(user_id) AS uid, any(movie_id) AS mid, any(event_time) AS ts, "
         "any(model_version) AS model_version_k, any(variant) AS variant_k, toString(any(source)) AS "
         "source_k, "
         "toString(any(position)) AS position_k, any(request_id) AS request_k, any(position) AS position_n, "
         "any(score) AS score_n, toString(any(source)) AS source_n FROM recommendation_impressions WHERE "
         + where + " GROUP BY event_id";
}

std::string Outcomes(std::int64_t from, std::int64_t to, std::int64_t window, double threshold,
                     const std::string& impression_pairs, const std::string& user_condition) {
  return OutcomesWhere(TimeCondition(from, to + window + 1), threshold, impression_pairs, user_condition);
}

std::string OutcomesWhere(const std::string& time_condition, double threshold,
                          const std::string& impression_pairs, const std::string& user_condition) {
  const std::string range = time_condition + user_condition;
  // Only the (user, movie) pairs that were shown: keeps the joined table small. Filtered once after the
  // UNION ALL, so ClickHouse builds one set of pairs instead of one per event table (memory).
  return "SELECT uid, mid, groupArrayIf(at, kind = 1) AS clicks, groupArrayIf(at, kind = 2) AS starts, "
         "groupArrayIf(at, kind = 3) AS completes FROM (SELECT user_id AS uid, movie_id AS mid, event_time AS at, "
         "1 AS kind FROM ui_events WHERE event_type = 'click' AND movie_id > 0 AND " + range
         + " UNION ALL SELECT user_id, movie_id, event_time, 2 FROM watch_events WHERE event_type = 'view_start' AND "
         + range + " UNION ALL SELECT user_id, movie_id, event_time, 3 FROM watch_events WHERE event_type = "
         "'view_stop' AND " + CompletedCondition(threshold) + " AND " + range + ") WHERE (uid, mid) IN ("
         + impression_pairs + ") GROUP BY uid, mid";
}

std::string FirstWithin(std::int64_t window_s, const std::string& times) {
  return fmt::format("toUInt32(arrayFirst(x -> x >= ts AND x <= ts + {}, arraySort({})))", window_s, times);
}

namespace {

std::string Within(std::int64_t window_s, const std::string& times) {
  return fmt::format("arrayExists(x -> x >= ts AND x <= ts + {}, {})", window_s, times);
}

struct Counts {
  std::int64_t impressions = 0, clicked = 0, started = 0, completed = 0;
};

json::object CountsObject(const Counts& c) {
  return json::object{{"impressions", c.impressions},
                      {"clicks", c.clicked},
                      {"watches_started", c.started},
                      {"watches_completed", c.completed},
                      {"ctr", Rate(c.clicked, c.impressions)},
                      {"start_rate", Rate(c.started, c.impressions)},
                      {"completion_rate", Rate(c.completed, c.impressions)}};
}

// Normal-approximation (Wald) interval for p_b - p_a and the pooled two-sided z-test.
json::object Difference(std::int64_t xa, std::int64_t na, std::int64_t xb, std::int64_t nb,
                        double confidence) {
  json::object out{{"a", Rate(xa, na)}, {"b", Rate(xb, nb)}, {"difference", Rate(xb, nb) - Rate(xa, na)}};
  if (na == 0 || nb == 0) {
    out["ci_low"] = nullptr;
    out["ci_high"] = nullptr;
    out["p_value"] = nullptr;
    return out;
  }
  const double pa = Rate(xa, na), pb = Rate(xb, nb);
  const double se =
      std::sqrt(pa * (1 - pa) / static_cast<double>(na) + pb * (1 - pb) / static_cast<double>(nb));
  const boost::math::normal standard;
  const double z = boost::math::quantile(standard, 0.5 + confidence / 2);
  out["ci_low"] = (pb - pa) - z * se;
  out["ci_high"] = (pb - pa) + z * se;
  const double pooled = Rate(xa + xb, na + nb);
  const double pooled_se =
      std::sqrt(pooled * (1 - pooled) * (1.0 / static_cast<double>(na) + 1.0 / static_cast<double>(nb)));
  out["p_value"] =
      pooled_se == 0 ? 1.0
                     : 2 * boost::math::cdf(boost::math::complement(standard, std::abs(pb - pa) / pooled_se));
  return out;
}

// Groups in report order: positions numerically, the other keys by their text.
using CountsByKey = std::map<std::pair<std::int64_t, std::string>, Counts>;

void AddRow(const std::string& by, const Row& row, CountsByKey& by_key) {
  const std::string key = AsString(row.at(0));
  auto& c = by_key[{by == "position" ? std::stoll(key) : 0, key}];
  c.impressions += AsInt(row.at(1));
  c.clicked += AsInt(row.at(2));
  c.started += AsInt(row.at(3));
  c.completed += AsInt(row.at(4));
}

// The sealed days' counts from rollup_conversions_daily (rollups.h): their filters are columns there.
void AddSealedConversions(ClickHouseClient& clickhouse, const ReportRequest& request,
                          const RollupCoverage& coverage, CountsByKey& by_key) {
  const std::string key = request.by == "position" ? "toString(position)" : request.by;
  const auto rows = QueryRows(clickhouse, "SELECT " + key
                                              + " AS k, sum(impressions), sum(clicked), sum(started), "
                                                "sum(completed) FROM rollup_conversions_daily WHERE "
                                              + coverage.SealedRows() + ImpressionFilterConditions(request.filters)
                                              + " GROUP BY k");
  for (const auto& row : rows)
    AddRow(request.by, row, by_key);
}

// Impressions of the raw intervals and their outcomes within the window.
void AddRawConversions(ClickHouseClient& clickhouse, const ServiceOptions& options,
                       const ReportRequest& request, const RollupCoverage& coverage, std::int64_t window,
                       CountsByKey& by_key) {
  const std::string where =
      IntervalsCondition(coverage.raw_intervals) + ImpressionFilterConditions(request.filters);
  // Outcomes of the raw intervals' impressions: each interval and the window after it.
  const std::string outcome_range = IntervalsCondition(WithWindow(coverage.raw_intervals, window));
  // Only the columns the grouping needs (the full DistinctImpressions row of millions of impressions does not
  // fit ClickHouse's per-query memory).
  const std::string key_column = request.by == "source" || request.by == "position"
                                     ? "toString(any(" + request.by + "))"
                                     : "any(" + request.by + ")";
  const auto count = QueryRows(clickhouse, "SELECT count() FROM recommendation_impressions WHERE " + where);
  // Passes over disjoint shares of the users (user_id % passes): each share is exact on its own (a user's
  // impressions and outcomes are all in the same share) and the shares add up. 3.75 M impressions (30 days of
  // the 100M-event bench history) in one query took three times longer than in four (hash tables that fit
  // the caches), and 90 days exceeded ClickHouse's per-query memory limit; more passes re-read the columns.
  const std::int64_t per_pass = std::max<std::int64_t>(1, options.impressions_per_pass);
  const std::int64_t passes =
      std::max<std::int64_t>(1, ((count.empty() ? 0 : AsInt(count[0].at(0))) + per_pass - 1) / per_pass);
  for (std::int64_t pass = 0; pass < passes; ++pass) {
    const std::string share = passes == 1 ? "" : fmt::format(" AND user_id % {} = {}", passes, pass);
    const std::string users =
        "SELECT user_id, movie_id FROM recommendation_impressions WHERE " + where + share;
    const std::string impressions =
        "SELECT event_id, any(user_id) AS uid, any(movie_id) AS mid, any(event_time) "
        "AS ts, "
        + key_column + " AS k FROM recommendation_impressions WHERE " + where + share + " GROUP BY event_id";
    const auto rows = QueryRows(clickhouse,
                                // max(ts) is not used: ClickHouse 18.16 resolves a lambda's outer column (ts)
                                // only when the query also names it outside the lambda.
                                "SELECT k, count(), countIf(" + Within(window, "clicks") + "), countIf("
                                    + Within(window, "starts") + "), countIf(" + Within(window, "completes")
                                    + "), max(ts) FROM (" + impressions + ") ANY LEFT JOIN ("
                                    + OutcomesWhere(outcome_range, options.completion_threshold, users, share)
                                    + ") USING (uid, mid) GROUP BY k");
    for (const auto& row : rows)
      AddRow(request.by, row, by_key);
  }
}

}  // namespace

json::object AnalyticsService::Recommendations(const ReportRequest& request) {
  CheckGenre(request.filters.genre);
  const std::int64_t window = Window(request);
  // Sealed days come from the rollup when it carries what the request asks (its window and filters); the
  // rest, or everything, from the raw tables. Both parts are exact, so their sum is.
  const RollupCoverage coverage =
      options_.use_rollups && window == options_.conversion_window_s && request.filters.genre.empty()
              && request.filters.movie_id == 0
          ? Coverage(clickhouse_, Rollup::kConversions, RollupSettingsOf(options_), request.from, request.to)
          : RawOnly(request.from, request.to);
  CountsByKey by_key;
  if (coverage.AnySealed()) AddSealedConversions(clickhouse_, request, coverage, by_key);
  if (!coverage.raw_intervals.empty())
    AddRawConversions(clickhouse_, options_, request, coverage, window, by_key);
  Counts total;
  json::array groups;
  for (const auto& [key, c] : by_key) {
    total.impressions += c.impressions;
    total.clicked += c.clicked;
    total.started += c.started;
    total.completed += c.completed;
    json::object group = CountsObject(c);
    group[request.by] = request.by == "position" ? json::value(key.first) : json::value(key.second);
    groups.emplace_back(std::move(group));
  }
  json::object out = RequestEcho(request);
  out["window_s"] = window;
  out["by"] = request.by;
  out["totals"] = CountsObject(total);
  out["groups"] = std::move(groups);
  return out;
}

json::object AnalyticsService::CompareVariants(const ReportRequest& request) {
  ReportRequest by_variant = request;
  by_variant.by = "variant";
  by_variant.filters.variant.clear();
  const auto report = Recommendations(by_variant);
  Counts a, b;
  for (const auto& group : report.at("groups").as_array()) {
    const auto& g = group.as_object();
    Counts c{g.at("impressions").as_int64(), g.at("clicks").as_int64(), g.at("watches_started").as_int64(),
             g.at("watches_completed").as_int64()};
    if (g.at("variant").as_string() == request.variant_a) a = c;
    if (g.at("variant").as_string() == request.variant_b) b = c;
  }
  json::object out = RequestEcho(request);
  out["window_s"] = report.at("window_s");
  out["confidence"] = request.confidence;
  out["variant_a"] = json::object{{"variant", request.variant_a}, {"counts", CountsObject(a)}};
  out["variant_b"] = json::object{{"variant", request.variant_b}, {"counts", CountsObject(b)}};
  out["ctr"] = Difference(a.clicked, a.impressions, b.clicked, b.impressions, request.confidence);
  out["start_rate"] = Difference(a.started, a.impressions, b.started, b.impressions, request.confidence);
  out["completion_rate"] =
      Difference(a.completed, a.impressions, b.completed, b.impressions, request.confidence);
  return out;
}

json::object AnalyticsService::UserHistory(std::uint64_t user_id, const ReportRequest& request) {
  const std::int64_t window = Window(request);
  const std::string where =
      fmt::format("user_id = {} AND {}", user_id, TimeCondition(request.from, request.to));
  const std::string users = "SELECT user_id, movie_id FROM recommendation_impressions WHERE " + where;
  auto first = [window](const std::string& times) { return FirstWithin(window, times); };
  auto rows = QueryRows(
      clickhouse_,
      "SELECT toUInt32(ts), request_k, mid, position_n, score_n, model_version_k, variant_k, source_n, "
          + first("clicks") + ", " + first("starts") + ", " + first("completes") + " FROM ("
          + DistinctImpressions(where) + ") ANY LEFT JOIN ("
          + Outcomes(request.from, request.to, window, options_.completion_threshold, users)
          + fmt::format(") USING (uid, mid) ORDER BY ts DESC, position_n LIMIT {}", request.limit));
  std::vector<std::int64_t> ids;
  for (const auto& row : rows)
    ids.push_back(AsInt(row.at(2)));
  auto titles = Titles(ids);
  auto when = [](const json::value& cell) -> json::value {
    const auto t = AsInt(cell);
    return t == 0 ? json::value(nullptr) : json::value(FormatTime(t));
  };
  json::array items;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows[i];
    items.emplace_back(json::object{{"shown_at", FormatTime(AsInt(r.at(0)))},
                                    {"request_id", AsString(r.at(1))},
                                    {"movie_id", ids[i]},
                                    {"title", titles[i]},
                                    {"position", AsInt(r.at(3))},
                                    {"score", AsDouble(r.at(4))},
                                    {"model_version", AsString(r.at(5))},
                                    {"variant", AsString(r.at(6))},
                                    {"source", AsString(r.at(7))},
                                    {"clicked_at", when(r.at(8))},
                                    {"watch_started_at", when(r.at(9))},
                                    {"watch_completed_at", when(r.at(10))}});
  }
  json::object out = RequestEcho(request);
  out["user_id"] = user_id;
  out["window_s"] = window;
  out["impressions"] = std::move(items);
  return out;
}

}  // namespace cinerec::analytics
