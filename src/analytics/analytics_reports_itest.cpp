// The reports against the real ClickHouse (18.16 on the test stack), on event fixtures whose answers are
// known by construction: every number is exact, copies of an event (same id, later received_at) count once,
// conversion windows are inclusive at their edges and exclusive one second later, periods are UTC days.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "analytics/analytics_service.h"
#include "analytics/analytics_test_support.h"
#include "common/errors.h"

namespace cinerec::analytics {
namespace {

namespace json = boost::json;
using namespace testing;  // NOLINT: the fixture builders

class AnalyticsReportsTest : public ::testing::Test {
 protected:
  AnalyticsReportsTest() : service_(db_.client(), ServiceOptions{}) {
    db_.AddMovie(1, "Heat", {"Drama", "Crime"});
    db_.AddMovie(2, "Airplane!", {"Comedy"});
    db_.AddMovie(3, "Alien", {"Sci-Fi"});
  }

  static ReportRequest Range(std::int64_t from, std::int64_t to) {
    ReportRequest request;
    request.from = from;
    request.to = to;
    return request;
  }
  static std::int64_t Int(const json::value& v) { return v.as_int64(); }

  ClickHouseDatabase db_;
  AnalyticsService service_;
};

// Day 0: u10 starts Heat (device tv), completes it (950/1000 s); u11 starts Heat at 23:59:59 UTC (device web)
// and stops at 300 s. Day 1: u10 starts Airplane! and stops twice in one session (running total 500 then
// 1900 of 2000 s). u12's starts one second before the range and exactly at its end are outside it.
void AddViews(ClickHouseDatabase& db) {
  db.Add(Watch{.id = 1,
               .type = "view_start",
               .at = kT0 + kHour,
               .user = 10,
               .movie = 1,
               .session = "a",
               .genres = {"Drama", "Crime"}});
  db.Add(Watch{.id = 1,
               .type = "view_start",
               .at = kT0 + kHour,
               .user = 10,
               .movie = 1,
               .session = "a",
               .genres = {"Drama", "Crime"},
               .received_delay = 60});
  db.Add(Watch{.id = 2,
               .type = "view_stop",
               .at = kT0 + 3 * kHour,
               .user = 10,
               .movie = 1,
               .session = "a",
               .position = 950,
               .watched = 950,
               .genres = {"Drama", "Crime"}});
  db.Add(Watch{.id = 2,
               .type = "view_stop",
               .at = kT0 + 3 * kHour,
               .user = 10,
               .movie = 1,
               .session = "a",
               .position = 950,
               .watched = 950,
               .genres = {"Drama", "Crime"},
               .received_delay = 99});
  db.Add(Watch{.id = 3,
               .type = "view_start",
               .at = kT0 + kDay - 1,
               .user = 11,
               .movie = 1,
               .session = "b",
               .genres = {"Drama", "Crime"},
               .device = "web"});
  db.Add(Watch{.id = 4,
               .type = "view_stop",
               .at = kT0 + kDay - 1,
               .user = 11,
               .movie = 1,
               .session = "b",
               .position = 300,
               .watched = 300,
               .genres = {"Drama", "Crime"},
               .device = "web"});
  db.Add(Watch{.id = 5,
               .type = "view_start",
               .at = kT0 + kDay + kHour,
               .user = 10,
               .movie = 2,
               .session = "c",
               .genres = {"Comedy"}});
  db.Add(Watch{.id = 6,
               .type = "view_stop",
               .at = kT0 + kDay + 2 * kHour,
               .user = 10,
               .movie = 2,
               .session = "c",
               .position = 500,
               .watched = 500,
               .duration = 2000,
               .genres = {"Comedy"}});
  db.Add(Watch{.id = 7,
               .type = "view_stop",
               .at = kT0 + kDay + 3 * kHour,
               .user = 10,
               .movie = 2,
               .session = "c",
               .position = 1900,
               .watched = 1900,
               .duration = 2000,
               .genres = {"Comedy"}});
  db.Add(Watch{.id = 8, .type = "view_start", .at = kT0 - 1, .user = 12, .movie = 2, .session = "d"});
  db.Add(Watch{.id = 9, .type = "view_start", .at = kT0 + 2 * kDay, .user = 12, .movie = 2, .session = "e"});
}

TEST_F(AnalyticsReportsTest, ViewsCountsDistinctEventsPerUtcDay) {
  AddViews(db_);
  const auto report = service_.Views(Range(kT0, kT0 + 2 * kDay));
  EXPECT_EQ(json::serialize(report.at("totals")),
            R"({"views_started":3,"views_completed":2,"unique_viewers":2,"watch_time_s":3150})");
  EXPECT_EQ(
      json::serialize(report.at("series")),
      R"([{"period":"2026-10-05T00:00:00Z","views_started":2,"views_completed":1,"unique_viewers":2,"watch_time_s":1250},)"
      R"({"period":"2026-10-06T00:00:00Z","views_started":1,"views_completed":1,"unique_viewers":1,"watch_time_s":1900}])");
  const auto& by_views = report.at("top_movies_by_views").as_array();
  ASSERT_EQ(by_views.size(), 2u);
  EXPECT_EQ(by_views[0].at("title").as_string(), "Heat");
  EXPECT_EQ(Int(by_views[0].at("views_started")), 2);
  const auto& by_time = report.at("top_movies_by_watch_time").as_array();
  EXPECT_EQ(by_time[0].at("title").as_string(), "Airplane!");
  EXPECT_EQ(Int(by_time[0].at("watch_time_s")), 1900);
  const auto& genres = report.at("top_genres_by_views").as_array();
  ASSERT_EQ(genres.size(), 3u);  // Crime and Drama 2 each (ties by name), Comedy 1
  EXPECT_EQ(genres[0].at("genre").as_string(), "Crime");
  EXPECT_EQ(genres[2].at("genre").as_string(), "Comedy");
}

TEST_F(AnalyticsReportsTest, ViewsFiltersAndHourlyPeriods) {
  AddViews(db_);
  auto request = Range(kT0, kT0 + 2 * kDay);
  request.filters.genre = "Comedy";
  EXPECT_EQ(Int(service_.Views(request).at("totals").at("views_started")), 1);
  request.filters = {};
  request.filters.device = "web";
  EXPECT_EQ(json::serialize(service_.Views(request).at("totals")),
            R"({"views_started":1,"views_completed":0,"unique_viewers":1,"watch_time_s":300})");
  request.filters = {};
  request.filters.movie_id = 2;
  request.granularity = Granularity::kHour;
  const auto report = service_.Views(request);
  const auto& series = report.at("series").as_array();
  ASSERT_EQ(series.size(), 48u);
  EXPECT_EQ(Int(series[25].at("views_started")), 1);  // 2026-10-06T01:00Z
  EXPECT_EQ(Int(series[24].at("views_started")), 0);
  request.filters.genre = "Western";
  EXPECT_THROW(service_.Views(request), ApiError);  // no movie has it
}

TEST_F(AnalyticsReportsTest, EmptyRangesGiveZeros) {
  AddViews(db_);
  auto request = Range(kT0 + 30 * kDay, kT0 + 37 * kDay);
  request.granularity = Granularity::kWeek;
  const auto views = service_.Views(request);
  EXPECT_EQ(json::serialize(views.at("totals")),
            R"({"views_started":0,"views_completed":0,"unique_viewers":0,"watch_time_s":0})");
  EXPECT_EQ(views.at("series").as_array().size(),
            2u);  // 2026-11-04 (Wed) .. 11-11: the weeks of Mon 11-02 and 11-09
  EXPECT_EQ(Int(service_.WatchQuality(request).at("sessions")), 0);
  EXPECT_EQ(Int(service_.Engagement(request, kT0).at("active_users")), 0);
  EXPECT_EQ(Int(service_.Search(request).at("funnel").at("searches")), 0);
  EXPECT_EQ(Int(service_.Ui(request).at("trailer_to_watch").at("trailer_plays")), 0);
  EXPECT_EQ(Int(service_.Recommendations(request).at("totals").at("impressions")), 0);
  EXPECT_TRUE(service_.UserHistory(10, request).at("impressions").as_array().empty());
  request.variant_a = "A";
  request.variant_b = "B";
  const auto compare = service_.CompareVariants(request);
  EXPECT_EQ(Int(compare.at("variant_b").at("counts").at("impressions")), 0);
  EXPECT_EQ(compare.at("ctr").at("difference").as_double(), 0.0);
  EXPECT_TRUE(compare.at("ctr").at("ci_low").is_null());  // no interval without impressions, not an error
}

TEST_F(AnalyticsReportsTest, WatchQualityHistogramsAndSeeks) {
  AddViews(db_);
  // Seeks of u10 in session a: forward 300, 400, 20; backward 50, 500, 100; event 21 arrives twice.
  int id = 20;
  for (auto [from, to] : std::vector<std::pair<std::uint32_t, std::uint32_t>>{
           {100, 400}, {400, 350}, {500, 900}, {600, 100}, {10, 30}, {300, 200}})
    db_.Add(Watch{.id = id++,
                  .type = "view_seek",
                  .at = kT0 + 2 * kHour,
                  .user = 10,
                  .movie = 1,
                  .session = "a",
                  .seek_from = from,
                  .seek_to = to});
  db_.Add(Watch{.id = 21,
                .type = "view_seek",
                .at = kT0 + 2 * kHour,
                .user = 10,
                .movie = 1,
                .session = "a",
                .seek_from = 400,
                .seek_to = 350,
                .received_delay = 7});

  const auto report = service_.WatchQuality(Range(kT0, kT0 + 2 * kDay));
  EXPECT_EQ(Int(report.at("sessions")), 3);
  EXPECT_EQ(Int(report.at("completed_sessions")), 2);
  EXPECT_NEAR(report.at("completion_rate").as_double(), 2.0 / 3, 1e-9);
  EXPECT_NEAR(report.at("average_watched_share").as_double(), (0.95 + 0.3 + 0.95) / 3, 1e-9);
  const auto& reach = report.at("completion_distribution").as_array();
  EXPECT_EQ(Int(reach[9].at("sessions")), 2);
  EXPECT_EQ(Int(reach[3].at("sessions")), 1);
  const auto& drop = report.at("drop_off").as_array();
  EXPECT_EQ(Int(drop[3].at("sessions")), 1);  // u11 stopped at 300 of 1000 s
  EXPECT_EQ(Int(drop[9].at("sessions")), 0);
  EXPECT_EQ(json::serialize(report.at("seeks")),
            R"({"total":6,"forward":3,"backward":3,"median_forward_s":300,"median_backward_s":100,)"
            R"("mean_forward_s":2.4E2,"mean_backward_s":2.1666666666666666E2})");
}

TEST_F(AnalyticsReportsTest, EngagementActiveUsersCohortRetentionAndReactions) {
  AddViews(db_);  // u10 active on days 0 and 1, u11 on day 0
  db_.Add(Ui{.id = 30, .type = "page_view", .at = kT0 + 5 * kHour, .user = 13, .section = "home"});
  db_.Add(Ui{.id = 31,
             .type = "page_view",
             .at = kT0 + 2 * kDay + kHour,
             .user = 13,
             .section = "home"});  // u13 day+1
  db_.Add(
      Ui{.id = 32, .type = "page_view", .at = kT0 + 7 * kDay, .user = 11, .section = "home"});  // u11 day+7
  db_.Add(Ui{
      .id = 33, .type = "click", .at = kT0 + 30 * kDay + 5 * kHour, .user = 10, .movie = 3});  // u10 day+30
  db_.AddUser(10, "2026-10-05");
  db_.AddUser(11, "2026-09-01", kT0 - kDay);  // an older version of u11's row, replaced by the next one
  db_.AddUser(11, "2026-10-05");
  db_.AddUser(13, "2026-10-06");
  db_.AddUser(14, "2026-09-01");  // signed up before the range: not in the cohort
  db_.AddSignup(40, kT0 + kHour, 10);
  db_.AddSignup(41, kT0 + kDay, 13);
  db_.AddSignup(41, kT0 + kDay, 13, 30);  // a copy
  db_.Add(Ui{.id = 50, .type = "like", .at = kT0 + 4 * kHour, .user = 10, .movie = 1});
  db_.Add(Ui{.id = 51, .type = "like", .at = kT0 + 4 * kHour, .user = 11, .movie = 1});
  db_.Add(Ui{.id = 52, .type = "dislike", .at = kT0 + 4 * kHour, .user = 13, .movie = 1});
  db_.Add(Ui{.id = 53, .type = "like", .at = kT0 + 4 * kHour, .user = 10, .movie = 2});
  db_.Add(Ui{.id = 53, .type = "like", .at = kT0 + 4 * kHour, .user = 10, .movie = 2, .received_delay = 5});

  const auto report = service_.Engagement(Range(kT0, kT0 + 2 * kDay), kT0 + 100 * kDay);
  EXPECT_EQ(Int(report.at("active_users")), 3);
  EXPECT_EQ(Int(report.at("signups")), 2);
  EXPECT_EQ(
      json::serialize(report.at("series")),
      R"([{"period":"2026-10-05T00:00:00Z","active_users":3},{"period":"2026-10-06T00:00:00Z","active_users":1}])");
  EXPECT_EQ(json::serialize(report.at("cohort")),
            R"({"signup_from":"2026-10-05","signup_to":"2026-10-07","users":3,"retention":{)"
            R"("day_1":{"users":2,"rate":6.666666666666666E-1,"complete":true},)"
            R"("day_7":{"users":1,"rate":3.333333333333333E-1,"complete":true},)"
            R"("day_30":{"users":1,"rate":3.333333333333333E-1,"complete":true}}})");
  const auto& reactions = report.at("reactions");
  EXPECT_EQ(Int(reactions.at("likes")), 3);
  EXPECT_EQ(Int(reactions.at("dislikes")), 1);
  const auto& top = reactions.at("top_movies").as_array();
  ASSERT_EQ(top.size(), 2u);
  EXPECT_EQ(json::serialize(top[0]),
            R"({"movie_id":1,"title":"Heat","likes":2,"dislikes":1,"like_share":6.666666666666666E-1})");
  EXPECT_EQ(Int(top[1].at("likes")), 1);

  // Not complete while day 30 of the cohort's last day has not ended.
  const auto early = service_.Engagement(Range(kT0, kT0 + 2 * kDay), kT0 + 10 * kDay);
  EXPECT_FALSE(early.at("cohort").at("retention").at("day_30").at("complete").as_bool());
  EXPECT_TRUE(early.at("cohort").at("retention").at("day_7").at("complete").as_bool());
}

TEST_F(AnalyticsReportsTest, SearchTopQueriesZeroResultsAndFunnelEdges) {
  db_.Add(Ui{.id = 1, .type = "search", .at = kT0 + 600, .user = 20, .query = "Heist", .results = 0});
  db_.Add(Ui{.id = 1,
             .type = "search",
             .at = kT0 + 600,
             .user = 20,
             .query = "Heist",
             .results = 0,
             .received_delay = 3});
  db_.Add(Ui{.id = 2, .type = "search", .at = kT0 + 1200, .user = 21, .query = "heist", .results = 0});
  db_.Add(Ui{.id = 3, .type = "search", .at = kT0 + 3600, .user = 20, .query = "comedy", .results = 5});
  db_.Add(Ui{
      .id = 4, .type = "click", .at = kT0 + 600 + 1800, .user = 20, .movie = 1});  // the window's last second
  db_.Add(
      Ui{.id = 5, .type = "click", .at = kT0 + 1200 + 1801, .user = 21, .movie = 1});  // one second too late
  db_.Add(Watch{
      .id = 6, .type = "view_start", .at = kT0 + 3660, .user = 20, .movie = 2});  // 51 min after search 1

  const auto report = service_.Search(Range(kT0, kT0 + kDay));
  EXPECT_EQ(json::serialize(report.at("top_queries")),
            R"([{"query":"heist","searches":2,"users":2,"zero_result_searches":2},)"
            R"({"query":"comedy","searches":1,"users":1,"zero_result_searches":0}])");
  EXPECT_EQ(json::serialize(report.at("zero_result_queries")),
            R"([{"query":"heist","searches":2,"users":2,"zero_result_searches":2}])");
  EXPECT_EQ(json::serialize(report.at("funnel")),
            R"({"window_s":1800,"searches":3,"searches_with_click":1,"searches_with_watch":1,)"
            R"("click_rate":3.333333333333333E-1,"watch_rate":3.333333333333333E-1})");
}

TEST_F(AnalyticsReportsTest, UiSectionsAndTrailerToWatchEdges) {
  db_.Add(Ui{.id = 1, .type = "click", .at = kT0 + 10, .user = 30, .movie = 1, .section = "home/top"});
  db_.Add(Ui{.id = 1,
             .type = "click",
             .at = kT0 + 10,
             .user = 30,
             .movie = 1,
             .section = "home/top",
             .received_delay = 9});
  db_.Add(Ui{.id = 2, .type = "click", .at = kT0 + 20, .user = 31, .movie = 2, .section = "home/top"});
  db_.Add(Ui{.id = 3, .type = "trailer_play", .at = kT0, .user = 30, .movie = 1, .section = "home/top"});
  db_.Add(Ui{.id = 4, .type = "trailer_play", .at = kT0, .user = 31, .movie = 2, .section = "detail"});
  db_.Add(Ui{.id = 5, .type = "page_view", .at = kT0, .user = 31, .section = "detail"});
  db_.Add(
      Watch{.id = 6, .type = "view_start", .at = kT0 + kDay, .user = 30, .movie = 1});  // window edge: counts
  db_.Add(
      Watch{.id = 7, .type = "view_start", .at = kT0 + kDay + 1, .user = 31, .movie = 2});  // one second late

  const auto report = service_.Ui(Range(kT0, kT0 + kDay));
  EXPECT_EQ(json::serialize(report.at("sections")),
            R"([{"section":"home/top","clicks":2,"trailer_plays":1,"page_views":0},)"
            R"({"section":"detail","clicks":0,"trailer_plays":1,"page_views":1}])");
  EXPECT_EQ(json::serialize(report.at("trailer_to_watch")),
            R"({"window_s":86400,"trailer_plays":2,"followed_by_watch":1,"rate":5E-1})");
}

// i1, i2: u40 (v1, A, personal) at T0; i3, i4: u41 (v2, B, trending) at T0+1h; i4 arrives twice.
void AddImpressions(ClickHouseDatabase& db) {
  db.Add(Impression{.id = 1, .at = kT0, .user = 40, .movie = 1, .position = 1});
  db.Add(Impression{.id = 2, .at = kT0, .user = 40, .movie = 2, .position = 2});
  db.Add(Impression{.id = 3,
                    .at = kT0 + kHour,
                    .user = 41,
                    .movie = 1,
                    .position = 1,
                    .model_version = "v2",
                    .variant = "B",
                    .source = "trending"});
  db.Add(Impression{.id = 4,
                    .at = kT0 + kHour,
                    .user = 41,
                    .movie = 3,
                    .position = 2,
                    .model_version = "v2",
                    .variant = "B",
                    .source = "trending"});
  db.Add(Impression{.id = 4,
                    .at = kT0 + kHour,
                    .user = 41,
                    .movie = 3,
                    .position = 2,
                    .model_version = "v2",
                    .variant = "B",
                    .source = "trending",
                    .received_delay = 4});
  db.Add(Ui{.id = 10, .type = "click", .at = kT0 + 100, .user = 40, .movie = 1});           // i1 clicked
  db.Add(Watch{.id = 11, .type = "view_start", .at = kT0 + kDay, .user = 40, .movie = 1});  // i1: window edge
  db.Add(Watch{.id = 12,
               .type = "view_stop",
               .at = kT0 + kDay + 1,
               .user = 40,
               .movie = 1,
               .position = 990});                                                        // i1: too late
  db.Add(Ui{.id = 13, .type = "click", .at = kT0 + 10, .user = 42, .movie = 2});         // another user
  db.Add(Ui{.id = 14, .type = "click", .at = kT0 + kHour - 1, .user = 41, .movie = 1});  // before i3
  db.Add(Watch{.id = 15, .type = "view_start", .at = kT0 + 2 * kHour, .user = 41, .movie = 1});  // i3 started
  db.Add(Watch{.id = 16,
               .type = "view_stop",
               .at = kT0 + 3 * kHour,
               .user = 41,
               .movie = 1,
               .position = 900});                                                        // i3 completed
  db.Add(Ui{.id = 17, .type = "click", .at = kT0 + kHour + 5, .user = 41, .movie = 3});  // i4 clicked
  db.Add(Ui{.id = 17, .type = "click", .at = kT0 + kHour + 5, .user = 41, .movie = 3, .received_delay = 2});
}

TEST_F(AnalyticsReportsTest, RecommendationConversionByModelPositionAndWindow) {
  AddImpressions(db_);
  auto request = Range(kT0, kT0 + kDay);
  auto report = service_.Recommendations(request);
  EXPECT_EQ(
      json::serialize(report.at("groups")),
      R"([{"impressions":2,"clicks":1,"watches_started":1,"watches_completed":0,"ctr":5E-1,"start_rate":5E-1,"completion_rate":0E0,"model_version":"v1"},)"
      R"({"impressions":2,"clicks":1,"watches_started":1,"watches_completed":1,"ctr":5E-1,"start_rate":5E-1,"completion_rate":5E-1,"model_version":"v2"}])");
  EXPECT_EQ(Int(report.at("totals").at("impressions")), 4);

  request.by = "position";
  report = service_.Recommendations(request);
  const auto& by_position = report.at("groups").as_array();
  ASSERT_EQ(by_position.size(), 2u);
  EXPECT_EQ(Int(by_position[0].at("position")), 1);
  EXPECT_EQ(Int(by_position[0].at("clicks")), 1);
  EXPECT_EQ(Int(by_position[0].at("watches_started")), 2);
  EXPECT_EQ(Int(by_position[1].at("clicks")), 1);
  EXPECT_EQ(Int(by_position[1].at("watches_started")), 0);

  request.by = "source";
  request.window_s = kHour;  // i1's start a day later no longer counts
  report = service_.Recommendations(request);
  EXPECT_EQ(report.at("groups").at(0).at("source").as_string(), "personal");
  EXPECT_EQ(Int(report.at("groups").at(0).at("watches_started")), 0);
  EXPECT_EQ(Int(report.at("groups").at(1).at("watches_started")), 1);

  request.by = "variant";
  request.window_s = 0;
  request.filters.variant = "B";
  report = service_.Recommendations(request);
  ASSERT_EQ(report.at("groups").as_array().size(), 1u);
  EXPECT_EQ(Int(report.at("totals").at("watches_completed")), 1);
}

TEST_F(AnalyticsReportsTest, RecommendationConversionInSeveralPassesAddsUpExactly) {
  AddImpressions(db_);
  auto request = Range(kT0, kT0 + kDay);
  ServiceOptions one_user_share_per_pass;
  one_user_share_per_pass.impressions_per_pass = 1;  // 5 impression rows: passes over user_id % 5
  AnalyticsService passes(db_.client(), one_user_share_per_pass);
  for (const std::string by : {"model_version", "position", "source", "variant"}) {
    SCOPED_TRACE(by);
    request.by = by;
    EXPECT_EQ(json::serialize(passes.Recommendations(request)),
              json::serialize(service_.Recommendations(request)));
  }
  request.by = "model_version";
  const auto report = passes.Recommendations(request);
  EXPECT_EQ(Int(report.at("totals").at("impressions")), 4);
  EXPECT_EQ(Int(report.at("totals").at("clicks")), 2);
  EXPECT_EQ(Int(report.at("totals").at("watches_started")), 2);
  EXPECT_EQ(Int(report.at("totals").at("watches_completed")), 1);
}

TEST_F(AnalyticsReportsTest, VariantComparisonHasAConfidenceInterval) {
  AddImpressions(db_);
  auto request = Range(kT0, kT0 + kDay);
  request.variant_a = "A";
  request.variant_b = "B";
  const auto report = service_.CompareVariants(request);
  const auto& ctr = report.at("ctr");
  EXPECT_DOUBLE_EQ(ctr.at("difference").as_double(), 0.0);
  // se = sqrt(0.25 / 2 + 0.25 / 2) = 0.5; z(0.975) = 1.959964
  EXPECT_NEAR(ctr.at("ci_low").as_double(), -0.979982, 1e-6);
  EXPECT_NEAR(ctr.at("ci_high").as_double(), 0.979982, 1e-6);
  EXPECT_NEAR(ctr.at("p_value").as_double(), 1.0, 1e-9);
  const auto& completion = report.at("completion_rate");
  EXPECT_DOUBLE_EQ(completion.at("a").as_double(), 0.0);
  EXPECT_DOUBLE_EQ(completion.at("b").as_double(), 0.5);
  request.variant_b = "C";  // no impressions: no interval
  EXPECT_TRUE(service_.CompareVariants(request).at("ctr").at("ci_low").is_null());
}

TEST_F(AnalyticsReportsTest, UserHistoryShowsWhatWasRecommendedAndWhatFollowed) {
  AddImpressions(db_);
  auto request = Range(kT0, kT0 + kDay);
  request.limit = 100;
  const auto report = service_.UserHistory(41, request);
  const auto& items = report.at("impressions").as_array();
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(json::serialize(items[0]),
            R"({"shown_at":"2026-10-05T01:00:00Z","request_id":"r","movie_id":1,"title":"Heat","position":1,)"
            R"("score":5E-1,"model_version":"v2","variant":"B","source":"trending","clicked_at":null,)"
            R"("watch_started_at":"2026-10-05T02:00:00Z","watch_completed_at":"2026-10-05T03:00:00Z"})");
  EXPECT_EQ(items[1].at("clicked_at").as_string(), "2026-10-05T01:00:05Z");
  EXPECT_TRUE(service_.UserHistory(99, request).at("impressions").as_array().empty());
}

}  // namespace
}  // namespace cinerec::analytics
