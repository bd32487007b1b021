// Impression rows against the real ClickHouse (18.16 on the test stack): the TabSeparated rows land in
// recommendation_impressions column for column, with the characters that TabSeparated must escape intact.
#include <gtest/gtest.h>

#include "analytics/analytics_test_support.h"
#include "recommend/impression_log.h"
#include "storage/clickhouse/clickhouse_batcher.h"

namespace cinerec::recommend {
namespace {

TEST(ImpressionLogITest, RowsRoundTripThroughClickHouseWithEscapedText) {
  analytics::testing::ClickHouseDatabase db;
  const std::vector<std::string> genres{"Children's", "Sci\\Fi", "Tab\there"};
  const std::vector<std::uint16_t> first{0, 1}, second{2};
  ImpressionBatch batch;
  batch.request_id = "0123456789abcdef0123456789abcdef";
  batch.user_id = 7;
  batch.time_ms = 1767225600123;
  batch.model_version = "20260101T000000Z-000001";
  batch.variant = "B";
  batch.user_tier = "premium";
  batch.user_country = "new\nline";
  batch.genre_names = &genres;
  batch.items.push_back({42, 0.25f, "personal", first});
  batch.items.push_back({43, -1.5f, "content", second});
  {
    ClickHouseBatcher batcher(db.client(), db.config().clickhouse, 100,
                              ClickHouseBatcherOptions{.format = kImpressionsFormat});
    ClickHouseImpressionLog log(batcher);
    log.Record(batch);
    ASSERT_TRUE(batcher.Flush());
    EXPECT_EQ(log.dropped(), 0u);
  }
  std::string first_id, second_id;
  AppendImpressionEventId(first_id, batch.request_id, 1);
  AppendImpressionEventId(second_id, batch.request_id, 2);
  const auto rows = db.client().Query(
      "SELECT toString(event_id), request_id, toString(event_time), toString(user_id), toString(movie_id), "
      "position, "
      "score, model_version, variant, toString(source), movie_genres, user_tier, user_country FROM "
      "recommendation_impressions ORDER BY position FORMAT JSONCompact");
  const auto data = boost::json::parse(rows).at("data").as_array();
  ASSERT_EQ(data.size(), 2u) << rows;
  const auto& a = data[0].as_array();
  EXPECT_EQ(a[0], first_id.c_str());
  EXPECT_EQ(a[1], batch.request_id.c_str());
  EXPECT_EQ(a[2], "2026-01-01 00:00:00");
  EXPECT_EQ(a[3], "7");
  EXPECT_EQ(a[4], "42");
  EXPECT_EQ(a[5], 1);
  EXPECT_EQ(a[6].to_number<double>(), 0.25);
  EXPECT_EQ(a[7], "20260101T000000Z-000001");
  EXPECT_EQ(a[8], "B");
  EXPECT_EQ(a[9], "personal");
  EXPECT_EQ(a[10], (boost::json::array{"Children's", "Sci\\Fi"}));
  EXPECT_EQ(a[11], "premium");
  EXPECT_EQ(a[12], "new\nline");
  const auto& b = data[1].as_array();
  EXPECT_EQ(b[0], second_id.c_str());
  EXPECT_EQ(b[6].to_number<double>(), -1.5);
  EXPECT_EQ(b[9], "content");
  EXPECT_EQ(b[10], (boost::json::array{"Tab\there"}));
}

}  // namespace
}  // namespace cinerec::recommend
