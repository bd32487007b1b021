// The analytics routes without servers: who may call them and what is refused before any query reaches
// ClickHouse (the in-memory fake fails the test on any unexpected query).
#include "services/analytics/analytics_routes.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "analytics/analytics_service.h"
#include "common/config.h"
#include "common/errors.h"
#include "services/accounts/authenticator.h"
#include "services/accounts/fake_authenticator_test_support.h"
#include "storage/clickhouse/in_memory_clickhouse.h"

namespace cinerec {
namespace {

namespace json = boost::json;

using accounts::testing_support::FakeAuthenticator;  // "admin", "viewer"; else unknown

class AnalyticsRoutesTest : public ::testing::Test {
 protected:
  AnalyticsRoutesTest() : service_(clickhouse_, analytics::ServiceOptions{}) {
    config_.max_range_days = 400;
    RegisterAnalyticsRoutes(router_, service_, config_, auth_);
  }

  http::Response Get(const std::string& path, const std::string& token,
                     std::map<std::string, std::string> query = {}) {
    http::Request request;
    request.method = "GET";
    request.path = path;
    request.query = std::move(query);
    if (!token.empty()) request.headers.emplace_back("authorization", "Bearer " + token);
    auto match = router_.Match(request);
    if (!match.route) return http::Response::Error(match.status, "routing", "");
    try {
      return match.route->handler(request);
    } catch (const ApiError& e) {
      return http::Response::Error(e.status(), e.code(), e.what());
    }
  }

  static std::string Code(const http::Response& response) {
    return std::string(json::parse(response.body).at("error").at("code").as_string());
  }

  InMemoryClickHouse clickhouse_;
  analytics::AnalyticsService service_;
  AnalyticsConfig config_;
  FakeAuthenticator auth_;
  http::Router router_;
};

const std::vector<std::string> kPaths = {"/v1/analytics/views",
                                         "/v1/analytics/watch-quality",
                                         "/v1/analytics/engagement",
                                         "/v1/analytics/search",
                                         "/v1/analytics/ui",
                                         "/v1/analytics/recommendations",
                                         "/v1/analytics/recommendations/compare",
                                         "/v1/analytics/users/7/history"};

TEST_F(AnalyticsRoutesTest, OnlyAdminsMayReadReports) {
  for (const auto& path : kPaths) {
    SCOPED_TRACE(path);
    EXPECT_EQ(Get(path, "").status, 401);
    EXPECT_EQ(Get(path, "viewer").status, 403);
    EXPECT_EQ(Code(Get(path, "viewer")), "forbidden");
  }
  EXPECT_TRUE(clickhouse_.Queries().empty());
}

TEST_F(AnalyticsRoutesTest, BadInputIsRefusedBeforeAnyQuery) {
  const std::vector<std::map<std::string, std::string>> bad = {
      {{"from", "2026-11-02"}, {"to", "2026-11-01"}},
      {{"from", "2020-01-01"}, {"to", "2026-11-01"}},
      {{"granularity", "minute"}},
      {{"tier", "platinum"}},
      {{"country", "Germany"}},
      {{"device", "tv' OR 1=1 --"}},
      {{"genre", "Drama'); DROP TABLE ui_events; --"}},
      {{"movie", "-1"}},
      {{"limit", "0"}},
      {{"user_id", "5"}},
  };
  for (const auto& query : bad) {
    SCOPED_TRACE(query.begin()->first + "=" + query.begin()->second);
    const auto response = Get("/v1/analytics/views", "admin", query);
    EXPECT_EQ(response.status, 422);
    EXPECT_EQ(Code(response), "invalid_field");
  }
  EXPECT_EQ(Get("/v1/analytics/search", "admin", {{"genre", "Drama"}}).status,
            422);  // searches have no movie
  EXPECT_EQ(Get("/v1/analytics/recommendations", "admin", {{"by", "user"}}).status, 422);
  EXPECT_EQ(Get("/v1/analytics/recommendations/compare", "admin", {{"variant_a", "A"}}).status, 422);
  EXPECT_EQ(
      Get("/v1/analytics/recommendations/compare", "admin", {{"variant_a", "A"}, {"variant_b", "A"}}).status,
      422);
  EXPECT_EQ(Get("/v1/analytics/users/abc/history", "admin").status, 400);
  EXPECT_EQ(Get("/v1/analytics/users/0/history", "admin").status, 400);
  EXPECT_TRUE(clickhouse_.Queries().empty());
}

TEST_F(AnalyticsRoutesTest, AClickHouseOutageIsAStoreError) {
  clickhouse_.SetAvailable(false);
  EXPECT_THROW(Get("/v1/analytics/search", "admin"), StoreError);  // the server turns it into 503
}

}  // namespace
}  // namespace cinerec
