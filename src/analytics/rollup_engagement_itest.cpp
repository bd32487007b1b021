// The engagement report's sealed rollups (activity, reactions) against the real ClickHouse (18.16 on the test
// stack): the report gives the same numbers with and without them for every granularity, filter and range
// (also ranges starting or ending mid-day, and the cohort's retention, which reads activity 30 days after
// sign-up); replayed copies and late events after sealing count exactly once and re-seal their days; empty
// ranges give zeros. Merges are stopped, as in rollups_itest.cpp, so that the coverage does not depend on
// when ClickHouse collapses copies.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "analytics/analytics_service.h"
#include "analytics/analytics_test_support.h"
#include "analytics/report_sql.h"
#include "analytics/rollup_engagement.h"
#include "analytics/rollup_test_support.h"
#include "analytics/rollups.h"

namespace cinerec::analytics {
namespace {

namespace json = boost::json;
using namespace testing;  // NOLINT: the fixture builders

// Every fixture day up to day 37 is closed (window 1 day + lateness 6 h): day 30 retention reads sealed days.
constexpr std::int64_t kNow = kT0 + 40 * kDay;

class AnalyticsEngagementRollupsTest : public RollupComparisonTest {
 protected:
  AnalyticsEngagementRollupsTest()
      : RollupComparisonTest({"ui_events", "watch_events"}, 45 /* day -5 .. 37 */) {
    db_.AddMovie(1, "Heat", {"Drama"});
    db_.AddMovie(2, "Airplane!", {"Comedy"});
  }

  static ReportRequest Range(std::int64_t from, std::int64_t to) {
    ReportRequest request;
    request.from = from;
    request.to = to;
    return request;
  }
  RollupJobResult Seal(Rollup rollup) { return SealClosedDays(db_.client(), rollup, JobOptions(), kNow); }
  RollupCoverage CoverageOf(Rollup rollup, std::int64_t from, std::int64_t to) {
    return Coverage(db_.client(), rollup, RollupSettings{}, from, to);
  }

  // The report with rollups equals the raw-only report for every granularity.
  void ExpectSameAsRaw(ReportRequest request) {
    for (const auto granularity : {Granularity::kHour, Granularity::kDay, Granularity::kWeek}) {
      SCOPED_TRACE(static_cast<int>(granularity));
      request.granularity = granularity;
      EXPECT_EQ(json::serialize(rollups_.Engagement(request, kNow)),
                json::serialize(raw_.Engagement(request, kNow)));
    }
  }
  // ... and for every filter (one at a time and combined) and a short top list.
  void ExpectSameAsRawFiltered(const ReportRequest& base) {
    ExpectSameAsRaw(base);
    auto request = base;
    request.limit = 1;
    ExpectSameAsRaw(request);
    for (int i = 0; i < 7; ++i) {
      request = base;
      auto& f = request.filters;
      switch (i) {
        case 0:
          f.device = "web";
          break;
        case 1:
          f.country = "FR";
          break;
        case 2:
          f.tier = "premium";
          break;
        case 3:
          f.movie_id = 1;
          break;
        case 4:
          f.genre = "Comedy";
          break;
        case 5:
          f.country = "DE";
          f.tier = "basic";
          f.device = "tv";
          break;
        default:
          f.country = "GB";
          break;  // no event matches
      }
      SCOPED_TRACE(i);
      ExpectSameAsRaw(request);
    }
  }
};

// Cohort: u60 and u61 signed up on day 0, u62 on day 1; u63 long before. Activity (UI events of every type
// and watch events; impressions do not count):
//   day 0: u60 click 10:00; u61 search at 23:59:59 (arrives twice); u63 like of Airplane! 06:00 on the web
//   day 1: u60 view_start 09:00; u61 view_progress at 00:00:00 (FR, premium)
//   day 2: u61 dislike of Airplane! 13:30 (web); u62 like of Heat 08:00 (arrives twice)
//   day 3: u63 dislike of Heat 20:00 (FR)
//   day 7: u60 like of Heat 23:30; day 8: u62 reaction_clear; day 30: u60 page view at 00:00:00
// Days 0-3: active users 4 (3, 2, 2, 1 per day); likes 2, dislikes 2 (Heat 1/1, Airplane! 1/1); the cohort of
// days 0-3 is u60, u61, u62: day-1 retention 3 (u62 on day 2), day 7: 2 (u60, u62 on day 8), day 30: 1.
void AddEngagement(ClickHouseDatabase& db) {
  db.AddUser(60, "2026-10-05");
  db.AddUser(61, "2026-10-05", kT0, "FR", "premium");
  db.AddUser(62, "2026-10-06");
  db.AddUser(63, "2026-09-01");
  db.Add(Ui{.id = 1, .type = "click", .at = kT0 + 10 * kHour, .user = 60, .movie = 1, .genres = {"Drama"}});
  for (int delay : {1, 40})
    db.Add(Ui{.id = 2,
              .type = "search",
              .at = kT0 + kDay - 1,
              .user = 61,
              .query = "heat",
              .tier = "premium",
              .country = "FR",
              .received_delay = delay});
  db.Add(Ui{.id = 3,
            .type = "like",
            .at = kT0 + 6 * kHour,
            .user = 63,
            .movie = 2,
            .genres = {"Comedy"},
            .device = "web"});
  db.Add(Watch{.id = 4,
               .type = "view_start",
               .at = kT0 + kDay + 9 * kHour,
               .user = 60,
               .movie = 1,
               .genres = {"Drama"}});
  db.Add(Watch{.id = 5,
               .type = "view_progress",
               .at = kT0 + kDay,
               .user = 61,
               .movie = 2,
               .genres = {"Comedy"},
               .tier = "premium",
               .country = "FR"});
  db.Add(Ui{.id = 6,
            .type = "dislike",
            .at = kT0 + 2 * kDay + 13 * kHour + 1800,
            .user = 61,
            .movie = 2,
            .genres = {"Comedy"},
            .device = "web",
            .tier = "premium",
            .country = "FR"});
  for (int delay : {1, 7})
    db.Add(Ui{.id = 7,
              .type = "like",
              .at = kT0 + 2 * kDay + 8 * kHour,
              .user = 62,
              .movie = 1,
              .genres = {"Drama"},
              .received_delay = delay});
  db.Add(Ui{.id = 8,
            .type = "dislike",
            .at = kT0 + 3 * kDay + 20 * kHour,
            .user = 63,
            .movie = 1,
            .genres = {"Drama"},
            .country = "FR"});
  db.Add(Ui{.id = 9, .type = "like", .at = kT0 + 7 * kDay + 23 * kHour + 1800, .user = 60, .movie = 1});
  db.Add(Ui{.id = 10, .type = "reaction_clear", .at = kT0 + 8 * kDay + kHour, .user = 62, .movie = 1});
  db.Add(Ui{.id = 11, .type = "page_view", .at = kT0 + 30 * kDay, .user = 60, .section = "home"});
  db.Add(Impression{.id = 12, .at = kT0 + kDay + kHour, .user = 64, .movie = 1});
}

TEST_F(AnalyticsEngagementRollupsTest, EngagementIsTheSameWithAndWithoutRollups) {
  AddEngagement(db_);
  const auto activity = Seal(Rollup::kActivity);
  EXPECT_EQ(activity.days_checked, 43);  // day -5 .. day 37
  EXPECT_EQ(activity.days_sealed, 43);
  EXPECT_EQ(activity.days_ambiguous, 0);
  EXPECT_EQ(Seal(Rollup::kReactions).days_sealed, 43);
  EXPECT_EQ(AsInt(QueryRows(db_.client(), "SELECT count() FROM rollup_activity_daily").at(0).at(0)), 11);

  const auto whole = CoverageOf(Rollup::kActivity, kT0, kT0 + 4 * kDay);
  EXPECT_EQ(whole.seal_ids.size(), 4u);
  EXPECT_TRUE(whole.raw_intervals.empty());
  auto request = Range(kT0, kT0 + 4 * kDay);
  const auto report = rollups_.Engagement(request, kNow);
  EXPECT_EQ(report.at("active_users").as_int64(), 4);
  EXPECT_EQ(json::serialize(report.at("series")), R"([{"period":"2026-10-05T00:00:00Z","active_users":3},)"
                                                  R"({"period":"2026-10-06T00:00:00Z","active_users":2},)"
                                                  R"({"period":"2026-10-07T00:00:00Z","active_users":2},)"
                                                  R"({"period":"2026-10-08T00:00:00Z","active_users":1}])");
  EXPECT_EQ(json::serialize(report.at("cohort")),
            R"({"signup_from":"2026-10-05","signup_to":"2026-10-09","users":3,"retention":{)"
            R"("day_1":{"users":3,"rate":1E0,"complete":true},)"
            R"("day_7":{"users":2,"rate":6.666666666666666E-1,"complete":true},)"
            R"("day_30":{"users":1,"rate":3.333333333333333E-1,"complete":true}}})");
  EXPECT_EQ(json::serialize(report.at("reactions")),
            R"({"likes":2,"dislikes":2,"top_movies":[)"
            R"({"movie_id":1,"title":"Heat","likes":1,"dislikes":1,"like_share":5E-1},)"
            R"({"movie_id":2,"title":"Airplane!","likes":1,"dislikes":1,"like_share":5E-1}]})");
  ExpectSameAsRawFiltered(request);

  // Partial days at both ends (raw) around sealed whole days; a range across weeks and into unsealed days;
  // ranges inside one day; the month after sign-up.
  ExpectSameAsRawFiltered(Range(kT0 + 12 * kHour, kT0 + 3 * kDay + 5 * kHour));
  ExpectSameAsRawFiltered(Range(kT0 - 3 * kDay, kT0 + 39 * kDay + 7 * kHour));
  ExpectSameAsRaw(Range(kT0 + kDay - 1, kT0 + kDay + 1));
  ExpectSameAsRaw(Range(kT0 + 2 * kDay + 8 * kHour + 1, kT0 + 2 * kDay + 14 * kHour));
  ExpectSameAsRaw(Range(kT0 + kDay, kT0 + 31 * kDay));
}

TEST_F(AnalyticsEngagementRollupsTest, CoverageWithinKeepsOnlyWholeSealedDays) {
  AddEngagement(db_);
  Seal(Rollup::kActivity);
  const auto all = CoverageOf(Rollup::kActivity, kT0 - kDay, kT0 + 4 * kDay);
  const auto within = CoverageWithin(all, kT0 + 12 * kHour, kT0 + 3 * kDay + 5 * kHour);
  EXPECT_EQ(within.first_day, kT0 / kDay + 1);
  EXPECT_EQ(within.last_day, kT0 / kDay + 2);
  ASSERT_EQ(within.raw_intervals.size(), 2u);
  EXPECT_EQ(within.raw_intervals[0], std::make_pair(kT0 + 12 * kHour, kT0 + kDay));
  EXPECT_EQ(within.raw_intervals[1], std::make_pair(kT0 + 3 * kDay, kT0 + 3 * kDay + 5 * kHour));
  // A raw day in the middle of the coverage (a late event) stays raw within it.
  db_.Add(Ui{.id = 13, .type = "click", .at = kT0 + kDay + kHour, .user = 65, .received_delay = 9 * 86400});
  const auto stale =
      CoverageWithin(CoverageOf(Rollup::kActivity, kT0 - kDay, kT0 + 4 * kDay), kT0, kT0 + 4 * kDay);
  EXPECT_EQ(stale.first_day, kT0 / kDay);
  EXPECT_EQ(stale.last_day, kT0 / kDay + 3);
  ASSERT_EQ(stale.raw_intervals.size(), 1u);
  EXPECT_EQ(stale.raw_intervals[0], std::make_pair(kT0 + kDay, kT0 + 2 * kDay));
  // Nothing sealed inside: all raw.
  const auto none = CoverageWithin(all, kT0 + kHour, kT0 + 2 * kHour);
  EXPECT_FALSE(none.AnySealed());
  ASSERT_EQ(none.raw_intervals.size(), 1u);
  EXPECT_EQ(none.raw_intervals[0], std::make_pair(kT0 + kHour, kT0 + 2 * kHour));
}

TEST_F(AnalyticsEngagementRollupsTest, LateOrReplayedEventsAfterSealingCountExactlyOnce) {
  AddEngagement(db_);
  Seal(Rollup::kActivity);
  Seal(Rollup::kReactions);
  const auto request = Range(kT0, kT0 + 4 * kDay);
  const auto before = rollups_.Engagement(request, kNow);

  // A third copy of u62's like (day 2) and a late click of a new user u64 on day 1.
  db_.Add(Ui{.id = 7,
             .type = "like",
             .at = kT0 + 2 * kDay + 8 * kHour,
             .user = 62,
             .movie = 1,
             .genres = {"Drama"},
             .received_delay = 9 * 86400});
  db_.Add(
      Ui{.id = 14, .type = "click", .at = kT0 + kDay + 5 * kHour, .user = 64, .received_delay = 8 * 86400});
  const auto stale = CoverageOf(Rollup::kActivity, kT0, kT0 + 4 * kDay);
  EXPECT_EQ(stale.seal_ids.size(), 2u);  // days 0 and 3
  EXPECT_EQ(CoverageOf(Rollup::kReactions, kT0, kT0 + 4 * kDay).seal_ids.size(), 3u);
  auto report = rollups_.Engagement(request, kNow);
  EXPECT_EQ(report.at("active_users").as_int64(), 5);
  EXPECT_EQ(report.at("series").at(1).at("active_users").as_int64(), 3);
  EXPECT_EQ(report.at("reactions"), before.at("reactions"));  // the copy counts once
  ExpectSameAsRawFiltered(request);

  EXPECT_EQ(Seal(Rollup::kActivity).days_sealed, 2);   // days 1 and 2
  EXPECT_EQ(Seal(Rollup::kReactions).days_sealed, 1);  // day 2
  EXPECT_TRUE(CoverageOf(Rollup::kActivity, kT0, kT0 + 4 * kDay).raw_intervals.empty());
  EXPECT_TRUE(CoverageOf(Rollup::kReactions, kT0, kT0 + 4 * kDay).raw_intervals.empty());
  report = rollups_.Engagement(request, kNow);
  EXPECT_EQ(report.at("active_users").as_int64(), 5);
  EXPECT_EQ(report.at("reactions"), before.at("reactions"));
  ExpectSameAsRawFiltered(request);
  EXPECT_EQ(Seal(Rollup::kActivity).days_sealed, 0);
  EXPECT_EQ(Seal(Rollup::kReactions).days_sealed, 0);
}

TEST_F(AnalyticsEngagementRollupsTest, EmptyRangesGiveZeros) {
  AddEngagement(db_);
  Seal(Rollup::kActivity);
  Seal(Rollup::kReactions);
  auto request = Range(kT0 + 12 * kDay, kT0 + 16 * kDay);
  EXPECT_EQ(CoverageOf(Rollup::kActivity, request.from, request.to).seal_ids.size(), 4u);
  const auto report = rollups_.Engagement(request, kNow);
  EXPECT_EQ(report.at("active_users").as_int64(), 0);
  for (const auto& point : report.at("series").as_array())
    EXPECT_EQ(point.at("active_users").as_int64(), 0);
  EXPECT_EQ(report.at("cohort").at("users").as_int64(), 0);
  EXPECT_EQ(json::serialize(report.at("reactions")), R"({"likes":0,"dislikes":0,"top_movies":[]})");
  ExpectSameAsRawFiltered(request);
}

}  // namespace
}  // namespace cinerec::analytics
