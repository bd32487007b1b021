// The sealed daily rollups against the real ClickHouse (18.16 on the test stack): a report gives the same
// numbers with and without them, a replayed or late event arriving after its day was sealed is counted
// exactly once (the fingerprint changes, the day reads raw, a re-run re-seals it), empty ranges give zeros,
// and the job is idempotent. Merges of the event tables are stopped: a background merge collapsing copies
// changes the fingerprint too (safe, the day reads raw until re-sealed) and would make the coverage
// assertions depend on timing.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "analytics/analytics_service.h"
#include "analytics/analytics_test_support.h"
#include "analytics/report_sql.h"
#include "analytics/rollup_test_support.h"
#include "analytics/rollups.h"

namespace cinerec::analytics {
namespace {

namespace json = boost::json;
using namespace testing;  // NOLINT: the fixture builders

constexpr std::int64_t kNow = kT0 + 10 * kDay;  // every fixture day is closed (window 1 day + lateness 6 h)

class AnalyticsRollupsTest : public RollupComparisonTest {
 protected:
  AnalyticsRollupsTest()
      : RollupComparisonTest({"recommendation_impressions", "ui_events", "watch_events"}, 12) {
    db_.AddMovie(1, "Heat", {"Drama"});
    db_.AddMovie(2, "Airplane!", {"Comedy"});
    db_.AddMovie(3, "Alien", {"Sci-Fi"});
  }

  static ReportRequest Range(std::int64_t from, std::int64_t to, const std::string& by = "model_version") {
    ReportRequest request;
    request.from = from;
    request.to = to;
    request.by = by;
    return request;
  }

  RollupCoverage Coverage(std::int64_t from, std::int64_t to) {
    return analytics::Coverage(db_.client(), Rollup::kConversions, RollupSettings{}, from, to);
  }
  std::int64_t RollupRows() {
    return AsInt(QueryRows(db_.client(), "SELECT count() FROM rollup_conversions_daily").at(0).at(0));
  }
  // The report with rollups equals the raw-only report, for every grouping.
  void ExpectSameAsRaw(ReportRequest request) {
    for (const std::string by : {"model_version", "variant", "source", "position"}) {
      SCOPED_TRACE(by);
      request.by = by;
      EXPECT_EQ(json::serialize(rollups_.Recommendations(request)),
                json::serialize(raw_.Recommendations(request)));
    }
  }
};

// Day 0: i1, i2 (u40, v1/A/personal, positions 1, 2; i2 arrives twice), i1 clicked an hour later; i3 (u41,
// v2/B/trending) at 23:59, started the next day and completed exactly at the window's end.
// Day 1: i4 (u42, v1/B/content), clicked one second after its window. Day 2: i5 (u40, v2/A/personal, position
// 3), started an hour later. Day 3: nothing.
// Totals over days 0-3: 5 impressions, 1 click (i1), 2 starts (i3, i5), 1 completion (i3).
void AddConversions(ClickHouseDatabase& db) {
  db.Add(Impression{.id = 1, .at = kT0 + 10 * kHour, .user = 40, .movie = 1, .position = 1});
  db.Add(Impression{.id = 2, .at = kT0 + 10 * kHour, .user = 40, .movie = 2, .position = 2});
  db.Add(Impression{
      .id = 2, .at = kT0 + 10 * kHour, .user = 40, .movie = 2, .position = 2, .received_delay = 7});
  db.Add(Ui{.id = 10, .type = "click", .at = kT0 + 11 * kHour, .user = 40, .movie = 1});
  db.Add(Impression{.id = 3,
                    .at = kT0 + kDay - 60,
                    .user = 41,
                    .movie = 1,
                    .position = 1,
                    .model_version = "v2",
                    .variant = "B",
                    .source = "trending"});
  db.Add(Watch{.id = 11, .type = "view_start", .at = kT0 + kDay + kHour, .user = 41, .movie = 1});
  db.Add(Watch{
      .id = 12, .type = "view_stop", .at = kT0 + 2 * kDay - 60, .user = 41, .movie = 1, .position = 950});
  db.Add(Impression{.id = 4,
                    .at = kT0 + kDay + 5 * kHour,
                    .user = 42,
                    .movie = 3,
                    .position = 1,
                    .variant = "B",
                    .source = "content"});
  db.Add(Ui{.id = 13, .type = "click", .at = kT0 + 2 * kDay + 5 * kHour + 1, .user = 42, .movie = 3});
  db.Add(Impression{
      .id = 5, .at = kT0 + 2 * kDay + kHour, .user = 40, .movie = 1, .position = 3, .model_version = "v2"});
  db.Add(Watch{.id = 14, .type = "view_start", .at = kT0 + 2 * kDay + 2 * kHour, .user = 40, .movie = 1});
}

TEST_F(AnalyticsRollupsTest, ReportsAreTheSameWithAndWithoutRollups) {
  AddConversions(db_);
  const auto sealed = SealClosedDays(db_.client(), Rollup::kConversions, JobOptions(), kNow);
  EXPECT_EQ(sealed.days_checked, 10);  // day -2 .. day 7 (day 8 ends + 1 day + 6 h after now)
  EXPECT_EQ(sealed.days_sealed, 10);
  EXPECT_EQ(sealed.days_ambiguous, 0);

  const auto whole = Coverage(kT0, kT0 + 4 * kDay);
  EXPECT_EQ(whole.seal_ids.size(), 4u);
  EXPECT_TRUE(whole.raw_intervals.empty());
  const auto report = rollups_.Recommendations(Range(kT0, kT0 + 4 * kDay));
  EXPECT_EQ(json::serialize(report.at("totals")),
            R"({"impressions":5,"clicks":1,"watches_started":2,"watches_completed":1,"ctr":2E-1,)"
            R"("start_rate":4E-1,"completion_rate":2E-1})");
  ExpectSameAsRaw(Range(kT0, kT0 + 4 * kDay));

  // Partial days at both ends read raw, the whole days between from the rollup.
  const auto partial = Coverage(kT0 + 12 * kHour, kT0 + 3 * kDay + 5 * kHour);
  EXPECT_EQ(partial.seal_ids.size(), 2u);
  ASSERT_EQ(partial.raw_intervals.size(), 2u);
  EXPECT_EQ(partial.raw_intervals[0], std::make_pair(kT0 + 12 * kHour, kT0 + kDay));
  EXPECT_EQ(partial.raw_intervals[1], std::make_pair(kT0 + 3 * kDay, kT0 + 3 * kDay + 5 * kHour));
  ExpectSameAsRaw(Range(kT0 + 12 * kHour, kT0 + 3 * kDay + 5 * kHour));
  ExpectSameAsRaw(Range(kT0 - kDay, kT0 + 11 * kDay));  // today and unsealed days too

  // Filters the rollup carries, and those it does not (genre, movie, another window: raw).
  auto filtered = Range(kT0, kT0 + 4 * kDay);
  filtered.filters.variant = "B";
  ExpectSameAsRaw(filtered);
  filtered.filters = {};
  filtered.filters.source = "personal";
  filtered.filters.model_version = "v2";
  ExpectSameAsRaw(filtered);
  filtered.filters = {};
  filtered.filters.country = "DE";
  filtered.filters.tier = "basic";
  ExpectSameAsRaw(filtered);
  filtered.filters.tier = "premium";
  ExpectSameAsRaw(filtered);
  filtered.filters = {};
  filtered.filters.genre = "Drama";
  ExpectSameAsRaw(filtered);
  filtered.filters = {};
  filtered.filters.movie_id = 1;
  ExpectSameAsRaw(filtered);
  filtered.filters = {};
  filtered.window_s = 2 * kHour;
  ExpectSameAsRaw(filtered);

  auto compare = Range(kT0, kT0 + 4 * kDay);
  compare.variant_a = "A";
  compare.variant_b = "B";
  EXPECT_EQ(json::serialize(rollups_.CompareVariants(compare)),
            json::serialize(raw_.CompareVariants(compare)));
}

TEST_F(AnalyticsRollupsTest, LateOrReplayedEventsAfterSealingCountExactlyOnce) {
  AddConversions(db_);
  SealClosedDays(db_.client(), Rollup::kConversions, JobOptions(), kNow);
  const auto before = rollups_.Recommendations(Range(kT0, kT0 + 4 * kDay)).at("totals");

  // A replayed copy of i1 (day 0), and a late click converting i4 (day 1, so the outcomes of days 0 and 1).
  db_.Add(Impression{
      .id = 1, .at = kT0 + 10 * kHour, .user = 40, .movie = 1, .position = 1, .received_delay = 9 * 86400});
  db_.Add(Ui{.id = 15,
             .type = "click",
             .at = kT0 + kDay + 6 * kHour,
             .user = 42,
             .movie = 3,
             .received_delay = 8 * 86400});
  const auto stale = Coverage(kT0, kT0 + 4 * kDay);
  EXPECT_EQ(stale.seal_ids.size(), 2u);  // days 2 and 3
  ASSERT_EQ(stale.raw_intervals.size(), 1u);
  EXPECT_EQ(stale.raw_intervals[0], std::make_pair(kT0, kT0 + 2 * kDay));
  auto totals = rollups_.Recommendations(Range(kT0, kT0 + 4 * kDay)).at("totals");
  EXPECT_EQ(totals.at("impressions"), before.at("impressions"));  // the replayed copy counts once
  EXPECT_EQ(totals.at("clicks").as_int64(), 2);
  ExpectSameAsRaw(Range(kT0, kT0 + 4 * kDay));

  const auto resealed = SealClosedDays(db_.client(), Rollup::kConversions, JobOptions(), kNow);
  EXPECT_EQ(resealed.days_sealed, 2);  // days 0 and 1
  const auto fresh = Coverage(kT0, kT0 + 4 * kDay);
  EXPECT_EQ(fresh.seal_ids.size(), 4u);
  EXPECT_TRUE(fresh.raw_intervals.empty());
  totals = rollups_.Recommendations(Range(kT0, kT0 + 4 * kDay)).at("totals");
  EXPECT_EQ(totals.at("impressions").as_int64(), 5);
  EXPECT_EQ(totals.at("clicks").as_int64(), 2);
  ExpectSameAsRaw(Range(kT0, kT0 + 4 * kDay));
}

TEST_F(AnalyticsRollupsTest, JobIsIdempotentAndEmptyRangesGiveZeros) {
  AddConversions(db_);
  // A bounded run seals the days without raw rows and the newest day with some (day 2) only. Day -1 has raw
  // rows too: the click on day 0 is an outcome within its window.
  auto bounded = JobOptions();
  bounded.max_days_per_run = 1;
  EXPECT_EQ(SealClosedDays(db_.client(), Rollup::kConversions, bounded, kNow).days_sealed, 7);
  const auto partly = Coverage(kT0, kT0 + 4 * kDay);
  EXPECT_EQ(partly.seal_ids.size(), 2u);  // days 2 and 3
  ASSERT_EQ(partly.raw_intervals.size(), 1u);
  EXPECT_EQ(partly.raw_intervals[0], std::make_pair(kT0, kT0 + 2 * kDay));
  ExpectSameAsRaw(Range(kT0, kT0 + 4 * kDay));
  const auto first = SealClosedDays(db_.client(), Rollup::kConversions, JobOptions(), kNow);
  EXPECT_EQ(first.days_sealed, 3);  // days -1, 0 and 1
  const auto rows = RollupRows();
  EXPECT_GT(rows, 0);
  const auto again = SealClosedDays(db_.client(), Rollup::kConversions, JobOptions(), kNow);
  EXPECT_EQ(again.days_checked, first.days_checked);
  EXPECT_EQ(again.days_sealed, 0);
  EXPECT_EQ(RollupRows(), rows);

  // Days without events are sealed (as empty) and answer zeros.
  const auto empty = Range(kT0 + 4 * kDay, kT0 + 8 * kDay);
  EXPECT_EQ(Coverage(empty.from, empty.to).seal_ids.size(), 4u);
  const auto report = rollups_.Recommendations(empty);
  EXPECT_EQ(report.at("totals").at("impressions").as_int64(), 0);
  EXPECT_EQ(report.at("groups").as_array().size(), 0u);
  ExpectSameAsRaw(empty);
  // A job that sees no closed day does nothing.
  EXPECT_EQ(SealClosedDays(db_.client(), Rollup::kConversions, JobOptions(), 3600).days_checked, 0);
}

TEST_F(AnalyticsRollupsTest, DayWithCopiesOfDifferentCountriesStaysRaw) {
  AddConversions(db_);
  // A copy of i5 (day 2) enriched with another country: a country filter on the raw rows counts i5 for both.
  db_.client().Insert(
      "recommendation_impressions", "JSONEachRow",
      fmt::format(R"({{"event_id":"{}","request_id":"r","event_time":"{}","received_at":"{}",)"
                  R"("user_id":40,"movie_id":1,"position":3,"score":0.5,"model_version":"v2",)"
                  R"("variant":"A","source":"personal","movie_genres":[],"user_tier":"basic",)"
                  R"("user_country":"FR"}})",
                  Id(5), ChTime(kT0 + 2 * kDay + kHour), ChTime(kT0 + 2 * kDay + 2 * kHour)));
  const auto result = SealClosedDays(db_.client(), Rollup::kConversions, JobOptions(), kNow);
  EXPECT_EQ(result.days_ambiguous, 1);
  const auto coverage = Coverage(kT0, kT0 + 4 * kDay);
  EXPECT_EQ(coverage.seal_ids.size(), 3u);
  ASSERT_EQ(coverage.raw_intervals.size(), 1u);
  EXPECT_EQ(coverage.raw_intervals[0], std::make_pair(kT0 + 2 * kDay, kT0 + 3 * kDay));
  auto request = Range(kT0, kT0 + 4 * kDay);
  request.filters.country = "FR";
  EXPECT_EQ(rollups_.Recommendations(request).at("totals").at("impressions").as_int64(), 1);
  ExpectSameAsRaw(request);
  request.filters.country = "DE";
  EXPECT_EQ(rollups_.Recommendations(request).at("totals").at("impressions").as_int64(), 5);
  ExpectSameAsRaw(request);
}

// Day 0: u50 clicks Heat on "home" (the click arrives twice) and plays Alien's trailer on "detail" at 23:00,
// then starts Alien the next day within the window; u51 views "home" on the web. Day 1: u51 plays Airplane!'s
// trailer on "detail" and starts it one second after the window; u52 clicks without a section. Day 2: u50
// views "search".
void AddUiEvents(ClickHouseDatabase& db) {
  db.Add(Ui{.id = 20, .type = "click", .at = kT0 + kHour, .user = 50, .movie = 1, .section = "home"});
  db.Add(Ui{.id = 20,
            .type = "click",
            .at = kT0 + kHour,
            .user = 50,
            .movie = 1,
            .section = "home",
            .received_delay = 5});
  db.Add(Ui{
      .id = 21, .type = "trailer_play", .at = kT0 + 23 * kHour, .user = 50, .movie = 3, .section = "detail"});
  db.Add(Watch{.id = 22, .type = "view_start", .at = kT0 + kDay + 22 * kHour, .user = 50, .movie = 3});
  db.Add(Ui{
      .id = 23, .type = "page_view", .at = kT0 + 2 * kHour, .user = 51, .section = "home", .device = "web"});
  db.Add(Ui{.id = 24,
            .type = "trailer_play",
            .at = kT0 + kDay + 10 * kHour,
            .user = 51,
            .movie = 2,
            .section = "detail"});
  db.Add(
      Watch{.id = 25, .type = "view_start", .at = kT0 + 2 * kDay + 10 * kHour + 1, .user = 51, .movie = 2});
  db.Add(Ui{.id = 26, .type = "click", .at = kT0 + kDay + 11 * kHour, .user = 52, .movie = 1});
  db.Add(Ui{
      .id = 27, .type = "page_view", .at = kT0 + 2 * kDay, .user = 50, .section = "search", .country = "FR"});
}

TEST_F(AnalyticsRollupsTest, UiReportIsTheSameWithAndWithoutRollups) {
  AddUiEvents(db_);
  const auto sealed = SealClosedDays(db_.client(), Rollup::kUi, JobOptions(), kNow);
  EXPECT_EQ(sealed.days_sealed, 10);
  EXPECT_EQ(
      analytics::Coverage(db_.client(), Rollup::kUi, RollupSettings{}, kT0, kT0 + 4 * kDay).seal_ids.size(),
      4u);
  auto request = Range(kT0, kT0 + 4 * kDay);
  const auto report = rollups_.Ui(request);
  EXPECT_EQ(json::serialize(report.at("sections")),
            R"([{"section":"detail","clicks":0,"trailer_plays":2,"page_views":0},)"
            R"({"section":"home","clicks":1,"trailer_plays":0,"page_views":1},)"
            R"({"section":"","clicks":1,"trailer_plays":0,"page_views":0},)"
            R"({"section":"search","clicks":0,"trailer_plays":0,"page_views":1}])");
  EXPECT_EQ(json::serialize(report.at("trailer_to_watch")),
            R"({"window_s":86400,"trailer_plays":2,"followed_by_watch":1,"rate":5E-1})");
  auto same = [&](const ReportRequest& r) {
    EXPECT_EQ(json::serialize(rollups_.Ui(r)), json::serialize(raw_.Ui(r)));
  };
  same(request);
  request.limit = 2;
  same(request);
  same(Range(kT0 + 12 * kHour, kT0 + 3 * kDay + kHour));
  same(Range(kT0 - kDay, kT0 + 11 * kDay));
  request = Range(kT0, kT0 + 4 * kDay);
  request.filters.device = "web";
  same(request);
  request.filters = {};
  request.filters.country = "FR";
  same(request);
  request.filters = {};
  request.filters.tier = "basic";
  same(request);
  request.filters = {};
  request.filters.genre = "Drama";
  same(request);
  request.filters = {};
  request.window_s = 3 * kHour;
  same(request);

  // A late trailer play after sealing: day 1 reads raw and counts it, a re-run re-seals day 1 only (UI events
  // are not outcomes of other days).
  db_.Add(Ui{.id = 28,
             .type = "trailer_play",
             .at = kT0 + kDay + kHour,
             .user = 52,
             .movie = 1,
             .section = "detail",
             .received_delay = 8 * 86400});
  request = Range(kT0, kT0 + 4 * kDay);
  EXPECT_EQ(rollups_.Ui(request).at("trailer_to_watch").at("trailer_plays").as_int64(), 3);
  same(request);
  EXPECT_EQ(SealClosedDays(db_.client(), Rollup::kUi, JobOptions(), kNow).days_sealed, 1);
  EXPECT_EQ(rollups_.Ui(request).at("trailer_to_watch").at("trailer_plays").as_int64(), 3);
  same(request);
  EXPECT_EQ(SealClosedDays(db_.client(), Rollup::kUi, JobOptions(), kNow).days_sealed, 0);
}

}  // namespace
}  // namespace cinerec::analytics
