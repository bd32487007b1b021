// GET /v1/analytics/engagement:
//  - active users per period: a user is active in a period when they sent at least one UI event (click,
//    trailer play, search, page view, like, dislike, reaction clear) or watch event in it. Day granularity
//    gives daily active users, week gives weekly active users.
//  - sign-ups (account_events of type signup, distinct ids) in the range.
//  - cohort retention: the cohort is the users whose signup_date (users_dim) falls in the range's days;
//    day-N retention is the share of them active on the UTC day signup_date + N (N = 1, 7, 30). A figure is
//    "complete" once that day has ended for the whole cohort. Cohort filters: country and tier (users_dim).
//  - reactions per movie: like and dislike events (distinct ids), top movies by likes + dislikes.
// Sealed days come from the activity and reactions rollups where they can answer (rollup_engagement.h), the
// rest from the raw rows: both parts are exact and disjoint, so the answer is the raw-only one.
#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <future>
#include <map>

#include "analytics/analytics_service.h"
#include "analytics/report_sql.h"
#include "analytics/rollup_engagement.h"
#include "analytics/rollups.h"

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

struct ActiveUsersPart {
  std::vector<Row> series;
  std::int64_t total = 0;
};

// The active users of each period of `in_range` and of the whole range.
ActiveUsersPart ActiveUsers(ClickHouseClient& clickhouse, const ReportRequest& request,
                            const RollupCoverage& in_range) {
  ActiveUsersPart out;
  if (!in_range.AnySealed() || request.granularity == Granularity::kWeek) {
    // The range's active users are the totals row of the same scan (WITH TOTALS: uniqExact over all rows).
    Row active;
    const std::string rows = in_range.AnySealed()
                                 ? ActiveUserPeriods(in_range, request.granularity)
                                 : "SELECT " + PeriodExpression(request.granularity) + " AS p, user_id FROM ("
                                       + ActivityRows(request, request.from, request.to, "") + ")";
    out.series = QueryRows(
        clickhouse, "SELECT p, uniqExact(user_id) FROM (" + rows + ") GROUP BY p WITH TOTALS", &active);
    out.total = active.size() < 2 ? 0 : AsInt(active[1]);
    return out;
  }
  // Hours and days are each wholly sealed or wholly raw: a sealed one's users are its rollup rows.
  out.series = QueryRows(clickhouse, SealedActiveCounts(in_range, request.granularity));
  if (!in_range.raw_intervals.empty()) {
    RollupCoverage raw_part;
    raw_part.raw_intervals = in_range.raw_intervals;
    for (auto& row :
         QueryRows(clickhouse, "SELECT p, uniqExact(user_id) FROM ("
                                   + ActiveUserPeriods(raw_part, request.granularity) + ") GROUP BY p"))
      out.series.push_back(std::move(row));
  }
  const auto total =
      QueryRows(clickhouse, "SELECT uniqExact(user_id) FROM (" + ActiveUserDays(in_range, "") + ")");
  out.total = total.empty() ? 0 : AsInt(total[0].at(0));
  return out;
}

using Reactions = std::map<std::int64_t, std::pair<std::int64_t, std::int64_t>>;  // movie: likes, dislikes

}  // namespace

json::object AnalyticsService::Engagement(const ReportRequest& request, std::int64_t now_s) {
  CheckGenre(request.filters.genre);
  const auto& f = request.filters;
  // Cohort: users who signed up on the range's days (whole UTC days from the day of `from`); their activity
  // is read up to 31 days after the range. That span contains [from, to): one coverage of the activity
  // rollup serves both.
  const std::int64_t first_day = request.from / kDay * kDay;
  const std::int64_t end_day = (request.to + kDay - 1) / kDay * kDay;
  const std::int64_t activity_end = end_day + 31 * kDay;
  // The report's parts are independent queries: they run concurrently (the client is thread-safe), each on
  // its own ClickHouse query threads, so the report takes about its slowest part instead of their sum. Every
  // local a part reads is declared before its future, whose destructor waits for it.
  // Reactions per movie: sealed days from rollup_reactions_daily (movie, device, country and tier are its
  // columns; a genre filter reads raw), the rest raw; likes and dislikes are distinct ids, additive.
  auto reactions_part = std::async(std::launch::async, [&] {
    Reactions by_movie;
    const RollupCoverage reacted =
        options_.use_rollups && f.genre.empty()
            ? Coverage(clickhouse_, Rollup::kReactions, RollupSettingsOf(options_), request.from, request.to)
            : RawOnly(request.from, request.to);
    auto add = [&](const std::vector<Row>& rows) {
      for (const auto& row : rows) {
        auto& counts = by_movie[AsInt(row.at(0))];
        counts.first += AsInt(row.at(1));
        counts.second += AsInt(row.at(2));
      }
    };
    if (reacted.AnySealed())
      add(QueryRows(clickhouse_,
                    "SELECT movie_id, sum(likes), sum(dislikes) FROM rollup_reactions_daily WHERE "
                        + reacted.SealedRows() + FilterConditions(f, TableColumns{.genres = false})
                        + " GROUP BY movie_id"));
    if (!reacted.raw_intervals.empty())
      add(QueryRows(clickhouse_,
                    "SELECT movie_id, uniqExactIf(event_id, event_type = 'like'), uniqExactIf(event_id, "
                    "event_type = 'dislike') FROM ui_events WHERE event_type IN ('like', 'dislike') AND "
                        + IntervalsCondition(reacted.raw_intervals) + FilterConditions(f, {})
                        + " GROUP BY movie_id"));
    return by_movie;
  });
  auto signups = std::async(std::launch::async, [&] {
    return QueryRows(
        clickhouse_,
        "SELECT uniqExact(event_id) FROM account_events WHERE event_type = 'signup' AND "
            + TimeCondition(request.from, request.to)
            + (request.filters.country.empty() ? ""
                                               : " AND user_country = " + Quote(request.filters.country)));
  });
  std::string cohort_filter =
      "deleted = 0 AND signup_date >= " + Date(first_day) + " AND signup_date < " + Date(end_day);
  if (!request.filters.country.empty()) cohort_filter += " AND country = " + Quote(request.filters.country);
  if (!request.filters.tier.empty()) cohort_filter += " AND tier = " + Quote(request.filters.tier);
  auto size = std::async(std::launch::async, [&] {
    return QueryRows(clickhouse_, "SELECT count() FROM users_dim FINAL WHERE " + cohort_filter);
  });
  // The activity rollup carries no event attributes: a filtered request reads its active users raw.
  const bool filtered =
      !f.genre.empty() || f.movie_id != 0 || !f.device.empty() || !f.country.empty() || !f.tier.empty();
  // Day-N retention: the cohort's users active on signup_date + N: their active days (the activity rollup's
  // rows of sealed days, raw events elsewhere) joined with their sign-up dates, only the rows N days after
  // (fewer rows into the distinct counts). uniqExactIf: a raw day has a row per event.
  std::string retained, offsets;
  for (int n : kRetentionDays) {
    retained += fmt::format(", uniqExactIf(user_id, n = {})", n);
    offsets += fmt::format("{}{}", offsets.empty() ? "" : ", ", n);
  }
  const RollupCoverage activity =
      options_.use_rollups
          ? Coverage(clickhouse_, Rollup::kActivity, RollupSettingsOf(options_), first_day, activity_end)
          : RawOnly(first_day, activity_end);
  const RollupCoverage in_range =
      filtered ? RawOnly(request.from, request.to) : CoverageWithin(activity, request.from, request.to);
  // The active users and the retention (both read the activity rows) concurrently.
  auto active = std::async(std::launch::async, [&] { return ActiveUsers(clickhouse_, request, in_range); });
  const auto cohort_rows =
      QueryRows(clickhouse_, "SELECT 0" + retained + " FROM (SELECT user_id, day - signup_date AS n FROM ("
                                 + ActiveUserDays(activity, "")
                                 + ") ANY INNER JOIN (SELECT user_id, signup_date FROM users_dim FINAL WHERE "
                                 + cohort_filter + ") USING user_id WHERE n IN (" + offsets + "))");
  auto [series, active_users] = active.get();
  const auto size_rows = size.get();
  const Row zero(4, json::value(0));
  const Row& c = cohort_rows.empty() ? zero : cohort_rows[0];
  const auto cohort_size = size_rows.empty() ? 0 : AsInt(size_rows[0].at(0));
  json::object retention;
  for (std::size_t i = 0; i < std::size(kRetentionDays); ++i) {
    const int n = kRetentionDays[i];
    const auto users = AsInt(c.at(i + 1));
    retention[fmt::format("day_{}", n)] = json::object{
        {"users", users}, {"rate", Rate(users, cohort_size)}, {"complete", end_day + n * kDay <= now_s}};
  }

  const Reactions by_movie = reactions_part.get();
  std::int64_t total_likes = 0, total_dislikes = 0;
  std::vector<std::pair<std::int64_t, std::pair<std::int64_t, std::int64_t>>> reactions;
  for (const auto& [movie, counts] : by_movie) {  // by movie id: the stable sort keeps that order for ties
    total_likes += counts.first;
    total_dislikes += counts.second;
    reactions.emplace_back(movie, counts);
  }
  std::stable_sort(reactions.begin(), reactions.end(), [](const auto& a, const auto& b) {
    return a.second.first + a.second.second > b.second.first + b.second.second;
  });
  if (reactions.size() > static_cast<std::size_t>(request.limit)) reactions.resize(request.limit);
  std::vector<std::int64_t> ids;
  for (const auto& entry : reactions)
    ids.push_back(entry.first);
  auto titles = Titles(ids);
  json::array per_movie;
  for (std::size_t i = 0; i < reactions.size(); ++i) {
    const auto [likes, dislikes] = reactions[i].second;
    per_movie.emplace_back(json::object{{"movie_id", ids[i]},
                                        {"title", titles[i]},
                                        {"likes", likes},
                                        {"dislikes", dislikes},
                                        {"like_share", Rate(likes, likes + dislikes)}});
  }

  json::object out = RequestEcho(request);
  out["active_users"] = active_users;
  const auto signup_rows = signups.get();
  out["signups"] = signup_rows.empty() ? 0 : AsInt(signup_rows[0].at(0));
  out["series"] = Series(request, series, {"active_users"});
  out["cohort"] = json::object{{"signup_from", FormatTime(first_day).substr(0, 10)},
                               {"signup_to", FormatTime(end_day).substr(0, 10)},
                               {"users", cohort_size},
                               {"retention", std::move(retention)}};
  out["reactions"] = json::object{
      {"likes", total_likes}, {"dislikes", total_dislikes}, {"top_movies", std::move(per_movie)}};
  return out;
}

}  // namespace cinerec::analytics
