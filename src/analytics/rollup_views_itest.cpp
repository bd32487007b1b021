// The views / watch-quality rollup (rollup_views_daily) against the real ClickHouse (18.16 on the test
// stack): both reports give the same numbers with and without it for every granularity, filter and range
// (whole days, ranges starting or ending mid-day, unsealed days), a session whose stops cross midnight, one
// with stops two days apart and one whose stops carry different attributes are each one session, replayed
// copies and late events after sealing count once and are re-sealed, and empty ranges give zeros. Merges
// are stopped so that copies stay copies (see rollups_itest.cpp).
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

constexpr std::int64_t kNow = kT0 + 10 * kDay;  // days up to day 7 are closed (window 1 day + lateness 6 h)

class AnalyticsViewsRollupTest : public RollupComparisonTest {
 protected:
  AnalyticsViewsRollupTest() : RollupComparisonTest({"watch_events"}, 12) {
    db_.AddMovie(1, "Heat", {"Drama"});
    db_.AddMovie(2, "Airplane!", {"Comedy"});
    db_.AddMovie(3, "Alien", {"Sci-Fi", "Horror"});
  }

  static ReportRequest Range(std::int64_t from, std::int64_t to) {
    ReportRequest request;
    request.from = from;
    request.to = to;
    return request;
  }
  RollupJobResult Seal() { return SealClosedDays(db_.client(), Rollup::kViews, JobOptions(), kNow); }
  RollupCoverage Coverage(std::int64_t from, std::int64_t to) {
    return analytics::Coverage(db_.client(), Rollup::kViews, RollupSettings{}, from, to);
  }
  std::int64_t RollupRows(const std::string& kind) {
    return AsInt(
        QueryRows(db_.client(), "SELECT count() FROM rollup_views_daily WHERE row_kind = '" + kind + "'")
            .at(0)
            .at(0));
  }

  // Both reports equal their raw-only answers, for every granularity.
  void ExpectSameAsRaw(ReportRequest request) {
    for (const auto granularity : {Granularity::kHour, Granularity::kDay, Granularity::kWeek}) {
      request.granularity = granularity;
      SCOPED_TRACE(static_cast<int>(granularity));
      EXPECT_EQ(json::serialize(rollups_.Views(request)), json::serialize(raw_.Views(request)));
    }
    EXPECT_EQ(json::serialize(rollups_.WatchQuality(request)), json::serialize(raw_.WatchQuality(request)));
  }
  // The same over every filter the reports take.
  void ExpectSameAsRawFiltered(const ReportRequest& base) {
    ExpectSameAsRaw(base);
    auto request = base;
    for (const char* genre : {"Drama", "Comedy", "Horror"}) {
      SCOPED_TRACE(genre);
      request.filters = {};
      request.filters.genre = genre;
      ExpectSameAsRaw(request);
    }
    for (const std::uint64_t movie : {1, 2, 3}) {
      SCOPED_TRACE(movie);
      request.filters = {};
      request.filters.movie_id = movie;
      ExpectSameAsRaw(request);
    }
    for (const char* device : {"tv", "web"}) {
      SCOPED_TRACE(device);
      request.filters = {};
      request.filters.device = device;
      ExpectSameAsRaw(request);
    }
    request.filters = {};
    request.filters.country = "FR";
    ExpectSameAsRaw(request);
    request.filters = {};
    request.filters.tier = "premium";
    request.filters.device = "tv";
    ExpectSameAsRaw(request);
    request.filters = {};
    request.filters.genre = "Drama";
    request.filters.country = "DE";
    ExpectSameAsRaw(request);
  }
};

const std::vector<std::string> kDrama = {"Drama"}, kComedy = {"Comedy"}, kAlien = {"Sci-Fi", "Horror"};

// Day 0: starts s1 (u60, Heat, arrives twice), s2 (u61, Airplane!, web, FR), s3 (u60, Airplane!, 23:30).
//   Session "a" (u60, Heat): stops 10:30 (300 s), 23:50 (600 s, position 950 = completed) and day 1 00:10
//   (700 s): crosses midnight, one completed session of day 0 with 700 s.
//   Session "b" (u61, Airplane!, web, FR): a stop at 12:00 (125 s), arriving twice.
//   Session "g" (u64, Alien): stops day 0 08:00 (100 s) and day 2 09:00 (400 s): one session of day 0.
//   Seeks: 100 -> 400 (u60, arrives twice), 500 -> 100 (u61, web), 200 -> 200.
// Day 1: start s4 (u62, Alien, premium). Session "c" (u62, Alien): stops 05:30 on tv (250 s) and 06:00 on
//   the web (500 s): one session unfiltered, one 250 s / one 500 s session with a device filter.
//   Seek 0 -> 600 (u62).
// Day 2: start s5 (u60, Heat, 20:00). Session "d" (u60, Heat): stop 20:30 at 875 of 1000 s (not completed).
//   Session "e" (u63, Airplane!): movie length unknown (0). Seek 900 -> 850.
// Day 3: nothing.
void AddViews(ClickHouseDatabase& db) {
  db.Add(
      Watch{.id = 1, .type = "view_start", .at = kT0 + 10 * kHour, .user = 60, .movie = 1, .genres = kDrama});
  db.Add(Watch{.id = 1,
               .type = "view_start",
               .at = kT0 + 10 * kHour,
               .user = 60,
               .movie = 1,
               .genres = kDrama,
               .received_delay = 9});
  db.Add(Watch{.id = 2,
               .type = "view_start",
               .at = kT0 + 11 * kHour + 1800,
               .user = 61,
               .movie = 2,
               .genres = kComedy,
               .device = "web",
               .country = "FR"});
  db.Add(Watch{.id = 3,
               .type = "view_start",
               .at = kT0 + 23 * kHour + 1800,
               .user = 60,
               .movie = 2,
               .genres = kComedy});
  const auto stop = [&](int id, std::int64_t at, std::uint64_t user, std::uint64_t movie, const char* session,
                        std::uint32_t position, std::uint32_t watched,
                        const std::vector<std::string>& genres) {
    return Watch{.id = id,
                 .type = "view_stop",
                 .at = at,
                 .user = user,
                 .movie = movie,
                 .session = session,
                 .position = position,
                 .watched = watched,
                 .genres = genres};
  };
  db.Add(stop(10, kT0 + 10 * kHour + 1800, 60, 1, "a", 300, 300, kDrama));
  db.Add(stop(11, kT0 + 23 * kHour + 3000, 60, 1, "a", 950, 600, kDrama));
  db.Add(stop(12, kT0 + kDay + 600, 60, 1, "a", 980, 700, kDrama));
  auto b = stop(13, kT0 + 12 * kHour, 61, 2, "b", 200, 125, kComedy);
  b.device = "web";
  b.country = "FR";
  db.Add(b);
  b.received_delay = 30;
  db.Add(b);
  db.Add(stop(14, kT0 + 8 * kHour, 64, 3, "g", 100, 100, kAlien));
  db.Add(stop(15, kT0 + 2 * kDay + 9 * kHour, 64, 3, "g", 400, 400, kAlien));
  const auto seek = [&](int id, std::int64_t at, std::uint64_t user, std::uint64_t movie, std::uint32_t from,
                        std::uint32_t to, const std::vector<std::string>& genres) {
    return Watch{.id = id,
                 .type = "view_seek",
                 .at = at,
                 .user = user,
                 .movie = movie,
                 .seek_from = from,
                 .seek_to = to,
                 .genres = genres};
  };
  db.Add(seek(20, kT0 + 10 * kHour + 1200, 60, 1, 100, 400, kDrama));
  auto copy = seek(20, kT0 + 10 * kHour + 1200, 60, 1, 100, 400, kDrama);
  copy.received_delay = 4;
  db.Add(copy);
  auto back = seek(21, kT0 + 12 * kHour + 600, 61, 2, 500, 100, kComedy);
  back.device = "web";
  db.Add(back);
  db.Add(seek(22, kT0 + 12 * kHour + 900, 61, 2, 200, 200, kComedy));

  db.Add(Watch{.id = 4,
               .type = "view_start",
               .at = kT0 + kDay + 5 * kHour,
               .user = 62,
               .movie = 3,
               .genres = kAlien,
               .tier = "premium"});
  auto c = stop(16, kT0 + kDay + 5 * kHour + 1800, 62, 3, "c", 250, 250, kAlien);
  c.tier = "premium";
  db.Add(c);
  c = stop(17, kT0 + kDay + 6 * kHour, 62, 3, "c", 500, 500, kAlien);
  c.tier = "premium";
  c.device = "web";
  db.Add(c);
  db.Add(seek(23, kT0 + kDay + 5 * kHour + 2400, 62, 3, 0, 600, kAlien));

  db.Add(Watch{.id = 5,
               .type = "view_start",
               .at = kT0 + 2 * kDay + 20 * kHour,
               .user = 60,
               .movie = 1,
               .genres = kDrama});
  db.Add(stop(18, kT0 + 2 * kDay + 20 * kHour + 1800, 60, 1, "d", 875, 875, kDrama));
  auto e = stop(19, kT0 + 2 * kDay + 21 * kHour, 63, 2, "e", 50, 50, kComedy);
  e.duration = 0;
  db.Add(e);
  db.Add(seek(24, kT0 + 2 * kDay + 22 * kHour, 63, 2, 900, 850, kComedy));
}

TEST_F(AnalyticsViewsRollupTest, ReportsAreTheSameWithAndWithoutRollups) {
  AddViews(db_);
  const auto sealed = Seal();
  EXPECT_EQ(sealed.days_checked, 10);  // day -2 .. day 7
  EXPECT_EQ(sealed.days_sealed, 10);
  EXPECT_EQ(sealed.days_ambiguous, 0);
  EXPECT_EQ(RollupRows("start"), 5);
  EXPECT_EQ(RollupRows("stop"), 9);  // a (2 days), b, g (2 days), c (2 attribute sets), d, e
  EXPECT_EQ(RollupRows("seek"), 5);

  const auto whole = Coverage(kT0, kT0 + 4 * kDay);
  EXPECT_EQ(whole.seal_ids.size(), 4u);
  EXPECT_TRUE(whole.raw_intervals.empty());

  // Known by construction: 5 starts by 3 users; sessions a (700 s, completed), b (125), g (400), c (500),
  // d (875), e (50): 2,650 s, a of day 0 though its last stop is on day 1.
  auto request = Range(kT0, kT0 + 4 * kDay);
  const auto views = rollups_.Views(request);
  EXPECT_EQ(json::serialize(views.at("totals")),
            R"({"views_started":5,"views_completed":1,"unique_viewers":3,"watch_time_s":2650})");
  EXPECT_EQ(json::serialize(views.at("series").at(0)),
            R"({"period":"2026-10-05T00:00:00Z","views_started":3,"views_completed":1,"unique_viewers":2,)"
            R"("watch_time_s":1225})");
  const auto quality = rollups_.WatchQuality(request);
  EXPECT_EQ(quality.at("sessions").as_int64(), 5);
  EXPECT_EQ(quality.at("unknown_length_sessions").as_int64(), 1);
  EXPECT_EQ(json::serialize(quality.at("seeks")),
            R"({"total":5,"forward":2,"backward":2,"median_forward_s":600,"median_backward_s":400,)"
            R"("mean_forward_s":4.5E2,"mean_backward_s":2.25E2})");

  ExpectSameAsRawFiltered(request);
  // Ranges starting or ending mid-day (partial days raw, in the middle of session a and g), the range
  // starting on day 1 (session a's first stop in range is then day 1's), and one with unsealed days.
  ExpectSameAsRawFiltered(Range(kT0 + 12 * kHour, kT0 + 2 * kDay + 20 * kHour + 900));
  ExpectSameAsRawFiltered(Range(kT0 + kDay, kT0 + 3 * kDay));
  ExpectSameAsRawFiltered(Range(kT0 + 23 * kHour, kT0 + 2 * kDay + 3600));
  ExpectSameAsRaw(Range(kT0 - kDay, kT0 + 11 * kDay));
  request.limit = 1;
  ExpectSameAsRaw(request);
}

TEST_F(AnalyticsViewsRollupTest, LateOrReplayedEventsAfterSealingCountExactlyOnce) {
  AddViews(db_);
  Seal();
  const auto request = Range(kT0, kT0 + 4 * kDay);
  const auto before = rollups_.Views(request).at("totals");

  // After sealing: a replayed copy of s1 (day 0), and a late stop of session b on day 1 (b now crosses
  // midnight: still one session, now 300 s).
  db_.Add(Watch{.id = 1,
                .type = "view_start",
                .at = kT0 + 10 * kHour,
                .user = 60,
                .movie = 1,
                .genres = kDrama,
                .received_delay = 9 * 86400});
  db_.Add(Watch{.id = 30,
                .type = "view_stop",
                .at = kT0 + kDay + kHour,
                .user = 61,
                .movie = 2,
                .session = "b",
                .position = 300,
                .watched = 300,
                .genres = kComedy,
                .device = "web",
                .country = "FR",
                .received_delay = 8 * 86400});
  const auto stale = Coverage(kT0, kT0 + 4 * kDay);
  EXPECT_EQ(stale.seal_ids.size(), 2u);  // days 2 and 3
  ASSERT_EQ(stale.raw_intervals.size(), 1u);
  EXPECT_EQ(stale.raw_intervals[0], std::make_pair(kT0, kT0 + 2 * kDay));
  auto totals = rollups_.Views(request).at("totals");
  EXPECT_EQ(totals.at("views_started"), before.at("views_started"));
  EXPECT_EQ(totals.at("watch_time_s").as_int64(), 2650 - 125 + 300);
  ExpectSameAsRawFiltered(request);

  // Re-sealed: day 1's row of b is flagged (b has a stop on day 0), so the report merges it with day 0's.
  EXPECT_EQ(Seal().days_sealed, 2);  // days 0 and 1
  const auto fresh = Coverage(kT0, kT0 + 4 * kDay);
  EXPECT_EQ(fresh.seal_ids.size(), 4u);
  EXPECT_TRUE(fresh.raw_intervals.empty());
  totals = rollups_.Views(request).at("totals");
  EXPECT_EQ(totals.at("views_started").as_int64(), 5);
  EXPECT_EQ(totals.at("watch_time_s").as_int64(), 2650 - 125 + 300);
  ExpectSameAsRawFiltered(request);
  ExpectSameAsRaw(Range(kT0 + 18 * kHour, kT0 + 3 * kDay));
  EXPECT_EQ(Seal().days_sealed, 0);
}

TEST_F(AnalyticsViewsRollupTest, EmptyRangesGiveZeros) {
  AddViews(db_);
  Seal();
  const auto request = Range(kT0 + 4 * kDay, kT0 + 8 * kDay);
  EXPECT_EQ(Coverage(request.from, request.to).seal_ids.size(), 4u);
  const auto views = rollups_.Views(request);
  EXPECT_EQ(json::serialize(views.at("totals")),
            R"({"views_started":0,"views_completed":0,"unique_viewers":0,"watch_time_s":0})");
  EXPECT_EQ(views.at("series").as_array().size(), 4u);
  EXPECT_EQ(views.at("top_movies_by_views").as_array().size(), 0u);
  const auto quality = rollups_.WatchQuality(request);
  EXPECT_EQ(quality.at("sessions").as_int64(), 0);
  EXPECT_EQ(quality.at("seeks").at("total").as_int64(), 0);
  ExpectSameAsRawFiltered(request);
}

TEST_F(AnalyticsViewsRollupTest, DayWithCopiesOfDifferentGenresStaysRaw) {
  AddViews(db_);
  // A copy of s5 (day 2) enriched with other genres: a genre filter on the raw rows counts it under both.
  db_.Add(Watch{.id = 5,
                .type = "view_start",
                .at = kT0 + 2 * kDay + 20 * kHour,
                .user = 60,
                .movie = 1,
                .genres = {"Drama", "Crime"},
                .received_delay = 50});
  EXPECT_EQ(Seal().days_ambiguous, 1);
  const auto coverage = Coverage(kT0, kT0 + 4 * kDay);
  EXPECT_EQ(coverage.seal_ids.size(), 3u);
  ASSERT_EQ(coverage.raw_intervals.size(), 1u);
  EXPECT_EQ(coverage.raw_intervals[0], std::make_pair(kT0 + 2 * kDay, kT0 + 3 * kDay));
  ExpectSameAsRawFiltered(Range(kT0, kT0 + 4 * kDay));
}

}  // namespace
}  // namespace cinerec::analytics
