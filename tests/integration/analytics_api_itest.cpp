// The analytics role end to end: `cinerec serve` on an isolated stack answers the reports to admins only,
// refuses bad input with JSON errors, keeps users_dim and account_events in step with sign-ups; and the
// analytics subcommands (report, export history, retention) as processes.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <thread>

#include "analytics/analytics_test_support.h"
#include "integration/accounts_test_client.h"
#include "storage/s3/s3_object_store.h"
#include "support/cli_run.h"
#include "support/http_test_client.h"

namespace cinerec {
namespace {

namespace json = boost::json;
using analytics::testing::ClickHouseDatabase;
using analytics::testing::kDay;
using analytics::testing::kHour;
using analytics::testing::kT0;
using analytics::testing::Watch;

class AnalyticsApiTest : public ::testing::Test {
 protected:
  AnalyticsApiTest() : config_(MakeConfig()), db_(config_) {
    db_.AddMovie(1, "Heat", {"Drama"});
    db_.Add(
        Watch{.id = 1, .type = "view_start", .at = kT0 + kHour, .user = 10, .movie = 1, .genres = {"Drama"}});
    db_.Add(Watch{.id = 1,
                  .type = "view_start",
                  .at = kT0 + kHour,
                  .user = 10,
                  .movie = 1,
                  .genres = {"Drama"},
                  .received_delay = 30});  // a replayed copy
    db_.Add(Watch{
        .id = 2, .type = "view_start", .at = kT0 + 2 * kHour, .user = 11, .movie = 1, .genres = {"Drama"}});
  }
  static Config MakeConfig() {
    auto config = testing::AccountsTestConfig();
    config.analytics.dimension_sync_interval_s = 1;
    return config;
  }
  testing::HttpResult Get(unsigned short port, const std::string& target, const std::string& token) {
    std::map<std::string, std::string> headers;
    if (!token.empty()) headers["Authorization"] = "Bearer " + token;
    return testing::HttpCall(port, "GET", target, "", headers);
  }
  static std::string Code(const testing::HttpResult& result) {
    return std::string(json::parse(result.body).at("error").at("code").as_string());
  }

  Config config_;
  ClickHouseDatabase db_;
};

TEST_F(AnalyticsApiTest, ReportsForAdminsOnlyAndBadInputIsA4xx) {
  testing::ServiceProcess service(config_);
  testing::AccountsClient accounts(service.port());
  const auto [viewer_id, viewer_token] = accounts.NewViewer("analytics-viewer@example.org");
  const std::string admin = testing::kTestAdminKey;
  const std::string views = "/v1/analytics/views?from=2026-10-05&to=2026-10-06";

  auto ok = Get(service.port(), views, admin);
  ASSERT_EQ(ok.status, 200) << ok.body;
  const auto report = json::parse(ok.body);
  EXPECT_EQ(report.at("totals").at("views_started").as_int64(), 2);
  EXPECT_EQ(report.at("totals").at("unique_viewers").as_int64(), 2);
  EXPECT_EQ(report.at("top_movies_by_views").at(0).at("title").as_string(), "Heat");

  EXPECT_EQ(Get(service.port(), views, viewer_token).status, 403);
  EXPECT_EQ(Code(Get(service.port(), views, viewer_token)), "forbidden");
  EXPECT_EQ(Get(service.port(), views, "").status, 401);
  EXPECT_EQ(Get(service.port(), "/v1/analytics/users/" + std::to_string(viewer_id) + "/history", viewer_token)
                .status,
            403);

  for (const std::string query : {"from=2026-10-06&to=2026-10-05", "from=2020-01-01&to=2026-10-05",
                                  "granularity=minute", "device=tv%27%20OR%201%3D1%20--", "genre=Western",
                                  "tier=gold", "country=de", "movie=1%20OR%201=1", "user=5"}) {
    SCOPED_TRACE(query);
    const auto refused = Get(service.port(), "/v1/analytics/views?" + query, admin);
    EXPECT_EQ(refused.status, 422) << refused.body;
    EXPECT_EQ(Code(refused), "invalid_field");
  }
  const auto empty =
      Get(service.port(), "/v1/analytics/recommendations?from=2020-01-01&to=2020-01-02", admin);
  ASSERT_EQ(empty.status, 200) << empty.body;
  EXPECT_EQ(json::parse(empty.body).at("totals").at("impressions").as_int64(), 0);

  // The sign-up reached users_dim and account_events through the dimension sync (every second here).
  const std::string id = std::to_string(viewer_id);
  std::string synced;
  for (int i = 0; i < 100 && synced != "1\t1\n"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    synced = db_.client().Query("SELECT (SELECT count() FROM users_dim FINAL WHERE user_id = " + id +
                                "), (SELECT uniqExact(event_id) FROM account_events WHERE event_type = 'signup' AND "
                                "user_id = " + id + ") FORMAT TSV");
  }
  EXPECT_EQ(synced, "1\t1\n");
}

TEST_F(AnalyticsApiTest, ReportExportAndRetentionCommands) {
  auto report = testing::RunCinerec(config_, "report --from 2026-10-05 --to 2026-10-06");
  EXPECT_EQ(report.code, 0) << report.output;
  EXPECT_NE(report.output.find("Heat"), std::string::npos) << report.output;

  auto exported = testing::RunCinerec(config_, "export history --date 2026-10-05");
  EXPECT_EQ(exported.code, 0) << exported.output;
  S3ObjectStore objects(config_.s3);
  EXPECT_TRUE(objects.Head("history/2026-10-05/_manifest.json").has_value());
  EXPECT_TRUE(objects.Head("history/2026-10-05/watch_events.jsonl.gz").has_value());

  EXPECT_EQ(testing::RunCinerec(config_, "export history --date 2026-13-45").code, 2);
  EXPECT_EQ(testing::RunCinerec(config_, "export history --from 2026-10-06 --to 2026-10-05").code, 2);

  auto retention = testing::RunCinerec(config_, "retention --days 1 --dry-run");
  EXPECT_EQ(retention.code, 0) << retention.output;
  EXPECT_NE(retention.output.find("would drop watch_events 202610"), std::string::npos) << retention.output;
  EXPECT_EQ(db_.client().Query("SELECT count() FROM watch_events FORMAT TSV"),
            "3\n");  // a dry run drops nothing
}

}  // namespace
}  // namespace cinerec
