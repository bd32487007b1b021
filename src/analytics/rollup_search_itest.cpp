// The search report's sealed rollup against the real ClickHouse (18.16 on the test stack): the report gives
// the same numbers with and without it for every filter, range (also starting or ending mid-day) and search
// window up to the conversion window, including searches whose click or watch follows after midnight; a
// replayed copy or a late click after sealing counts exactly once and re-seals its days; empty ranges give
// zeros. Merges are stopped, as in rollups_itest.cpp.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "analytics/analytics_service.h"
#include "analytics/analytics_test_support.h"
#include "analytics/report_sql.h"
#include "analytics/rollups.h"

namespace cinerec::analytics {
namespace {

namespace json = boost::json;
using namespace testing;  // NOLINT: the fixture builders

constexpr std::int64_t kNow = kT0 + 10 * kDay;  // every fixture day is closed (window 1 day + lateness 6 h)

class AnalyticsSearchRollupTest : public ::testing::Test {
 protected:
  AnalyticsSearchRollupTest() {
    for (const char* table : {"ui_events", "watch_events"})
      db_.client().Query("SYSTEM STOP MERGES " + db_.config().clickhouse.database + "." + table);
  }

  static ServiceOptions Options(bool use_rollups, std::int64_t search_window_s = 1800) {
    ServiceOptions options;
    options.use_rollups = use_rollups;
    options.search_window_s = search_window_s;
    return options;
  }
  RollupJobResult Seal() {
    RollupJobOptions options;
    options.lookback_days = 12;
    return SealClosedDays(db_.client(), Rollup::kSearch, options, kNow);
  }
  RollupCoverage CoverageOf(std::int64_t from, std::int64_t to) {
    return Coverage(db_.client(), Rollup::kSearch, RollupSettings{}, from, to);
  }
  static ReportRequest Range(std::int64_t from, std::int64_t to) {
    ReportRequest request;
    request.from = from;
    request.to = to;
    return request;
  }
  json::object Report(const ReportRequest& request, std::int64_t window_s = 1800) {
    return AnalyticsService(db_.client(), Options(true, window_s)).Search(request);
  }

  // The report with the rollup equals the raw-only report for several search windows (the last one longer
  // than the conversion window: read raw), filters and a short list.
  void ExpectSameAsRaw(const ReportRequest& base) {
    for (const std::int64_t window : {1800, 1200, 3600, 86400, 2 * 86400}) {
      for (int i = 0; i < 6; ++i) {
        auto request = base;
        auto& f = request.filters;
        switch (i) {
          case 0:
            break;
          case 1:
            f.device = "web";
            break;
          case 2:
            f.country = "FR";
            break;
          case 3:
            f.tier = "premium";
            break;
          case 4:
            f.country = "GB";
            break;  // no search matches
          default:
            request.limit = 1;
            break;
        }
        SCOPED_TRACE(fmt::format("window {} case {}", window, i));
        EXPECT_EQ(json::serialize(Report(request, window)),
                  json::serialize(AnalyticsService(db_.client(), Options(false, window)).Search(request)));
      }
    }
  }

  ClickHouseDatabase db_;
};

// Day 0: u80 searches "Heat" at 10:00 (arrives twice), clicks exactly 1,800 s later and starts a movie 1 s
// after that; u81 searches "nothing" (no results, web, FR) at 23:50 and clicks at 00:10 the next day.
// Day 1: u82 searches "HEAT" at 08:00 (premium) and starts a movie 20 minutes later. Day 2: u81 searches
// "alien" (no results) at 12:00, nothing follows. Day 3: u80 searches "nothing" (no results) at 23:59:59 and
// starts a movie 31 s later, on day 4.
// Days 0-3, window 1,800 s: 5 searches; heat 2 (2 users), nothing 2 (2 users, 2 zero), alien 1; with a click
// 2 (u80 day 0, u81 day 0), with a watch 2 (u82, u80 day 3).
void AddSearches(ClickHouseDatabase& db) {
  for (int delay : {1, 30})
    db.Add(Ui{.id = 1,
              .type = "search",
              .at = kT0 + 10 * kHour,
              .user = 80,
              .query = "Heat",
              .results = 3,
              .received_delay = delay});
  db.Add(Ui{.id = 2, .type = "click", .at = kT0 + 10 * kHour + 1800, .user = 80, .movie = 1});
  db.Add(Watch{.id = 3, .type = "view_start", .at = kT0 + 10 * kHour + 1801, .user = 80, .movie = 1});
  db.Add(Ui{.id = 4,
            .type = "search",
            .at = kT0 + kDay - 600,
            .user = 81,
            .query = "nothing",
            .device = "web",
            .country = "FR"});
  db.Add(Ui{.id = 5, .type = "click", .at = kT0 + kDay + 600, .user = 81, .movie = 2});
  db.Add(Ui{.id = 6,
            .type = "search",
            .at = kT0 + kDay + 8 * kHour,
            .user = 82,
            .query = "HEAT",
            .results = 2,
            .tier = "premium"});
  db.Add(Watch{.id = 7, .type = "view_start", .at = kT0 + kDay + 8 * kHour + 1200, .user = 82, .movie = 1});
  db.Add(Ui{.id = 8, .type = "search", .at = kT0 + 2 * kDay + 12 * kHour, .user = 81, .query = "alien"});
  db.Add(Ui{.id = 9, .type = "search", .at = kT0 + 4 * kDay - 1, .user = 80, .query = "nothing"});
  db.Add(Watch{.id = 10, .type = "view_start", .at = kT0 + 4 * kDay + 30, .user = 80, .movie = 2});
}

TEST_F(AnalyticsSearchRollupTest, SearchIsTheSameWithAndWithoutTheRollup) {
  AddSearches(db_);
  const auto sealed = Seal();
  EXPECT_EQ(sealed.days_checked, 10);  // day -2 .. day 7
  EXPECT_EQ(sealed.days_sealed, 10);
  EXPECT_EQ(sealed.days_ambiguous, 0);
  const auto whole = CoverageOf(kT0, kT0 + 4 * kDay);
  EXPECT_EQ(whole.seal_ids.size(), 4u);
  EXPECT_TRUE(whole.raw_intervals.empty());

  const auto request = Range(kT0, kT0 + 4 * kDay);
  const auto report = Report(request);
  EXPECT_EQ(json::serialize(report.at("top_queries")),
            R"([{"query":"heat","searches":2,"users":2,"zero_result_searches":0},)"
            R"({"query":"nothing","searches":2,"users":2,"zero_result_searches":2},)"
            R"({"query":"alien","searches":1,"users":1,"zero_result_searches":1}])");
  EXPECT_EQ(json::serialize(report.at("zero_result_queries")),
            R"([{"query":"nothing","searches":2,"users":2,"zero_result_searches":2},)"
            R"({"query":"alien","searches":1,"users":1,"zero_result_searches":1}])");
  EXPECT_EQ(json::serialize(report.at("funnel")),
            R"({"window_s":1800,"searches":5,"searches_with_click":2,"searches_with_watch":2,)"
            R"("click_rate":4E-1,"watch_rate":4E-1})");
  // A longer window: u80's start 1,801 s after the search counts too, from the same seals.
  EXPECT_EQ(Report(request, 3600).at("funnel").at("searches_with_watch").as_int64(), 3);
  ExpectSameAsRaw(request);
  ExpectSameAsRaw(Range(kT0 + 10 * kHour + 1, kT0 + 3 * kDay + 12 * kHour));
  ExpectSameAsRaw(Range(kT0 + kDay - 600, kT0 + 2 * kDay + 12 * kHour + 1));
  ExpectSameAsRaw(Range(kT0 - kDay, kT0 + 11 * kDay));
}

TEST_F(AnalyticsSearchRollupTest, LateOrReplayedEventsAfterSealingCountExactlyOnce) {
  AddSearches(db_);
  Seal();
  const auto request = Range(kT0, kT0 + 4 * kDay);
  // A third copy of u80's search (day 0) and a late click 10 minutes after u81's "alien" search (day 2).
  db_.Add(Ui{.id = 1,
             .type = "search",
             .at = kT0 + 10 * kHour,
             .user = 80,
             .query = "Heat",
             .results = 3,
             .received_delay = 8 * 86400});
  db_.Add(Ui{.id = 11,
             .type = "click",
             .at = kT0 + 2 * kDay + 12 * kHour + 600,
             .user = 81,
             .movie = 3,
             .received_delay = 7 * 86400});
  const auto stale = CoverageOf(kT0, kT0 + 4 * kDay);
  EXPECT_EQ(stale.seal_ids.size(), 1u);  // day 3; day 1 reads day 2's clicks (its window reaches into day 2)
  auto funnel = Report(request).at("funnel");
  EXPECT_EQ(funnel.at("searches").as_int64(), 5);
  EXPECT_EQ(funnel.at("searches_with_click").as_int64(), 3);
  ExpectSameAsRaw(request);

  EXPECT_EQ(Seal().days_sealed, 3);  // days 0, 1 and 2
  EXPECT_TRUE(CoverageOf(kT0, kT0 + 4 * kDay).raw_intervals.empty());
  funnel = Report(request).at("funnel");
  EXPECT_EQ(funnel.at("searches").as_int64(), 5);
  EXPECT_EQ(funnel.at("searches_with_click").as_int64(), 3);
  ExpectSameAsRaw(request);
  EXPECT_EQ(Seal().days_sealed, 0);
}

TEST_F(AnalyticsSearchRollupTest, EmptyRangesGiveZeros) {
  AddSearches(db_);
  Seal();
  const auto request = Range(kT0 + 5 * kDay, kT0 + 8 * kDay);
  EXPECT_EQ(CoverageOf(request.from, request.to).seal_ids.size(), 3u);
  const auto report = Report(request);
  EXPECT_EQ(report.at("top_queries").as_array().size(), 0u);
  EXPECT_EQ(report.at("zero_result_queries").as_array().size(), 0u);
  EXPECT_EQ(json::serialize(report.at("funnel")),
            R"({"window_s":1800,"searches":0,"searches_with_click":0,"searches_with_watch":0,)"
            R"("click_rate":0E0,"watch_rate":0E0})");
  ExpectSameAsRaw(request);
}

}  // namespace
}  // namespace cinerec::analytics
