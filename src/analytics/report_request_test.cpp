#include "analytics/report_request.h"

#include <gtest/gtest.h>

#include "common/config.h"
#include "common/errors.h"

namespace cinerec::analytics {
namespace {

constexpr std::int64_t kNov1 = 1793491200;  // 2026-11-01T00:00:00Z

ReportParameters AllParameters() {
  return ReportParameters{
      .granularity = true,
      .limit = true,
      .window = true,
      .by = true,
      .filters = {"genre", "movie", "device", "country", "tier", "model_version", "variant", "source"}};
}

ReportRequest Parse(std::map<std::string, std::string> query, ReportParameters accepted = AllParameters()) {
  AnalyticsConfig config;
  config.max_range_days = 100;
  return ParseReportRequest(query, accepted, config, kNov1 + 90);
}

int StatusOf(std::map<std::string, std::string> query, ReportParameters accepted = AllParameters()) {
  try {
    Parse(std::move(query), std::move(accepted));
    return 200;
  } catch (const ApiError& e) {
    return e.status();
  }
}

TEST(AnalyticsReportRequest, ParsesTimesDatesAndFilters) {
  auto r = Parse({{"from", "2026-11-01"},
                  {"to", "2026-11-02T12:00:00+02:00"},
                  {"granularity", "hour"},
                  {"genre", "Sci-Fi"},
                  {"movie", "42"},
                  {"device", "tv"},
                  {"country", "DE"},
                  {"tier", "premium"},
                  {"limit", "5"},
                  {"window", "3600"},
                  {"by", "position"},
                  {"source", "trending"}});
  EXPECT_EQ(r.from, kNov1);
  EXPECT_EQ(r.to, kNov1 + 34 * 3600);  // 12:00 at +02:00 is 10:00 UTC
  EXPECT_EQ(r.granularity, Granularity::kHour);
  EXPECT_EQ(r.filters.genre, "Sci-Fi");
  EXPECT_EQ(r.filters.movie_id, 42u);
  EXPECT_EQ(r.filters.country, "DE");
  EXPECT_EQ(r.limit, 5);
  EXPECT_EQ(r.window_s, 3600);
  EXPECT_EQ(r.by, "position");
}

TEST(AnalyticsReportRequest, DefaultsToTheLastSevenDaysUpToTheNextHour) {
  auto r = Parse({});
  EXPECT_EQ(r.to, kNov1 + 3600);
  EXPECT_EQ(r.from, kNov1 + 3600 - 7 * 86400);
  EXPECT_EQ(r.granularity, Granularity::kDay);
}

TEST(AnalyticsReportRequest, RefusesBadRangesAndValues) {
  EXPECT_EQ(StatusOf({{"from", "2026-11-02"}, {"to", "2026-11-01"}}), 422);  // inverted
  EXPECT_EQ(StatusOf({{"from", "2026-11-01"}, {"to", "2026-11-01"}}), 422);  // empty
  EXPECT_EQ(StatusOf({{"from", "2026-01-01"}, {"to", "2026-11-01"}}), 422);  // over max_range_days
  EXPECT_EQ(StatusOf({{"from", "yesterday"}}), 422);
  EXPECT_EQ(StatusOf({{"from", "2026-11-01T00:00:00"}}), 422);  // no zone
  EXPECT_EQ(StatusOf({{"granularity", "minute"}}), 422);
  EXPECT_EQ(StatusOf({{"tier", "gold"}}), 422);
  EXPECT_EQ(StatusOf({{"country", "de"}}), 422);
  EXPECT_EQ(StatusOf({{"movie", "0"}}), 422);
  EXPECT_EQ(StatusOf({{"movie", "1 OR 1=1"}}), 422);
  EXPECT_EQ(StatusOf({{"limit", "100000"}}), 422);
  EXPECT_EQ(StatusOf({{"source", "x"}}), 422);
  EXPECT_EQ(StatusOf({{"by", "user_id"}}), 422);
  EXPECT_EQ(StatusOf({{"colour", "red"}}), 422);                     // unknown parameter
  EXPECT_EQ(StatusOf({{"device", "tv"}}, ReportParameters{}), 422);  // not a parameter of this report
}

TEST(AnalyticsReportRequest, RefusesInjectionAttempts) {
  for (const char* attack : {"tv' OR '1'='1", "tv\\' --", "tv; DROP TABLE ui_events", "tv\n", "a b"})
    EXPECT_EQ(StatusOf({{"device", attack}}), 422) << attack;
  EXPECT_EQ(StatusOf({{"genre", "Drama') OR has(['x'], 'x"}}), 422);
  EXPECT_EQ(StatusOf({{"model_version", "v1' UNION SELECT"}}), 422);
}

TEST(AnalyticsReportRequest, LimitsTheNumberOfHourlyPeriods) {
  ReportParameters accepted = AllParameters();
  AnalyticsConfig config;
  config.max_range_days = 3650;
  EXPECT_THROW(ParseReportRequest({{"from", "2020-01-01"}, {"to", "2026-01-01"}, {"granularity", "hour"}},
                                  accepted, config, kNov1),
               ApiError);
  EXPECT_NO_THROW(ParseReportRequest({{"from", "2020-01-01"}, {"to", "2026-01-01"}, {"granularity", "week"}},
                                     accepted, config, kNov1));
}

TEST(AnalyticsReportRequest, PeriodsAreUtcWithMondayWeeks) {
  EXPECT_EQ(FormatTime(kNov1), "2026-11-01T00:00:00Z");
  EXPECT_EQ(PeriodStart(Granularity::kHour, kNov1 + 3599), kNov1);
  EXPECT_EQ(PeriodStart(Granularity::kDay, kNov1 + 86399), kNov1);
  // 2026-11-01 is a Sunday: its week started on Monday 2026-10-26.
  EXPECT_EQ(FormatTime(PeriodStart(Granularity::kWeek, kNov1)), "2026-10-26T00:00:00Z");
  EXPECT_EQ(FormatTime(PeriodStart(Granularity::kWeek, kNov1 + 86400)), "2026-11-02T00:00:00Z");
}

}  // namespace
}  // namespace cinerec::analytics
