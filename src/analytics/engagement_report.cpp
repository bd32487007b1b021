// GET /v1/analytics/engagement:
//  - active users per period: a user is active in a period when they sent at least one UI event (click,
//    trailer play, search, page view, like, dislike, reaction clear) or watch event in it. Day granularity
//    gives daily active users, week gives weekly active users.
//  - sign-ups (account_events of type signup, distinct ids) in the range.
//  - cohort retention: the cohort is the users whose signup_date (users_dim) falls in the range's days;
//    day-N retention is the share of them active on the UTC day signup_date + N (N = 1, 7, 30). A figure is
//    "complete" once that day has ended for the whole cohort. Cohort filters: country and tier (users_dim).
//  - reactions per movie: like and dislike events (distinct ids), top movies by likes + dislikes.
#include <fmt/format.h>

#include <boost/json.hpp>

#include "analytics/analytics_service.h"
#include "analytics/report_sql.h"

namespace cinerec::analytics {

namespace json = boost::json;

namespace {

constexpr std::int64_t kDay = 86400;
constexpr int kRetentionDays[] = {1, 7, 30};

// (user_id, event_time) of every UI and watch event in [from, to) matching the filters, plus `extra`.
std::string ActivityRows(const ReportRequest& request, std::int64_t from, std::int64_t to,
                         const std::string& extra) {
  const std::string filters = FilterConditions(request.filters, {}) + extra;
  return "SELECT user_id, event_time FROM ui_events WHERE " + TimeCondition(from, to) + filters
         + " UNION ALL SELECT user_id, event_time FROM watch_events WHERE " + TimeCondition(from, to)
         + filters;
}

std::string Date(std::int64_t unix_s) {
  return "toDate(" + Quote(FormatTime(unix_s).substr(0, 10)) + ")";
}

}  // namespace

json::object AnalyticsService::Engagement(const ReportRequest& request, std::int64_t now_s) {
  CheckGenre(request.filters.genre);
  const std::string activity = ActivityRows(request, request.from, request.to, "");
  // The range's active users are the totals row of the same scan (WITH TOTALS: uniqExact over all rows).
  Row active;
  auto series = QueryRows(clickhouse_,
                          "SELECT " + PeriodExpression(request.granularity)
                              + " AS p, uniqExact(user_id) FROM (" + activity + ") GROUP BY p WITH TOTALS",
                          &active);
  auto signups = QueryRows(
      clickhouse_,
      "SELECT uniqExact(event_id) FROM account_events WHERE event_type = 'signup' AND "
          + TimeCondition(request.from, request.to)
          + (request.filters.country.empty() ? "" : " AND user_country = " + Quote(request.filters.country)));

  // Cohort: users who signed up on the range's days (whole UTC days from the day of `from`).
  const std::int64_t first_day = request.from / kDay * kDay;
  const std::int64_t end_day = (request.to + kDay - 1) / kDay * kDay;
  std::string cohort_filter =
      "deleted = 0 AND signup_date >= " + Date(first_day) + " AND signup_date < " + Date(end_day);
  if (!request.filters.country.empty()) cohort_filter += " AND country = " + Quote(request.filters.country);
  if (!request.filters.tier.empty()) cohort_filter += " AND tier = " + Quote(request.filters.tier);
  const std::string cohort_users = "SELECT user_id FROM users_dim FINAL WHERE " + cohort_filter;
  const std::string cohort_activity =
      ActivityRows(ReportRequest{}, first_day, end_day + 31 * kDay, " AND user_id IN (" + cohort_users + ")");
  std::string retained;
  for (int n : kRetentionDays)
    retained += fmt::format(", countIf(has(days, signup_date + {}))", n);
  auto cohort = QueryRows(clickhouse_, "SELECT count()" + retained + " FROM (SELECT user_id, signup_date FROM users_dim FINAL WHERE "
                                           + cohort_filter + ") ANY LEFT JOIN (SELECT user_id, groupUniqArray(toDate(event_time)) "
                                           "AS days FROM (" + cohort_activity + ") GROUP BY user_id) USING user_id");
  const Row zero(4, json::value(0));
  const Row& c = cohort.empty() ? zero : cohort[0];
  const auto cohort_size = AsInt(c.at(0));
  json::object retention;
  for (std::size_t i = 0; i < std::size(kRetentionDays); ++i) {
    const int n = kRetentionDays[i];
    const auto users = AsInt(c.at(i + 1));
    retention[fmt::format("day_{}", n)] = json::object{
        {"users", users}, {"rate", Rate(users, cohort_size)}, {"complete", end_day + n * kDay <= now_s}};
  }

  auto reactions = QueryRows(
      clickhouse_,
      fmt::format("SELECT movie_id, uniqExactIf(event_id, event_type = 'like') AS likes, "
                  "uniqExactIf(event_id, event_type = 'dislike') AS dislikes FROM ui_events WHERE "
                  "event_type IN ('like', 'dislike') AND {}{} GROUP BY movie_id ORDER BY likes + dislikes "
                  "DESC, movie_id LIMIT {}",
                  TimeCondition(request.from, request.to), FilterConditions(request.filters, {}),
                  request.limit));
  auto reaction_totals = QueryRows(
      clickhouse_,
      "SELECT uniqExactIf(event_id, event_type = 'like'), uniqExactIf(event_id, event_type = 'dislike') "
      "FROM ui_events WHERE event_type IN ('like', 'dislike') AND "
          + TimeCondition(request.from, request.to) + FilterConditions(request.filters, {}));
  std::vector<std::int64_t> ids;
  for (const auto& row : reactions)
    ids.push_back(AsInt(row.at(0)));
  auto titles = Titles(ids);
  json::array per_movie;
  for (std::size_t i = 0; i < reactions.size(); ++i) {
    const auto likes = AsInt(reactions[i].at(1)), dislikes = AsInt(reactions[i].at(2));
    per_movie.emplace_back(json::object{{"movie_id", ids[i]},
                                        {"title", titles[i]},
                                        {"likes", likes},
                                        {"dislikes", dislikes},
                                        {"like_share", Rate(likes, likes + dislikes)}});
  }

  json::object out = RequestEcho(request);
  out["active_users"] = active.size() < 2 ? 0 : AsInt(active[1]);
  out["signups"] = signups.empty() ? 0 : AsInt(signups[0].at(0));
  out["series"] = Series(request, series, {"active_users"});
  out["cohort"] = json::object{{"signup_from", FormatTime(first_day).substr(0, 10)},
                               {"signup_to", FormatTime(end_day).substr(0, 10)},
                               {"users", cohort_size},
                               {"retention", std::move(retention)}};
  const Row& rt = reaction_totals.empty() ? zero : reaction_totals[0];
  out["reactions"] = json::object{
      {"likes", AsInt(rt.at(0))}, {"dislikes", AsInt(rt.at(1))}, {"top_movies", std::move(per_movie)}};
  return out;
}

}  // namespace cinerec::analytics
