// The retention job against the real ClickHouse: whole months older than the age go, the rest stays.
#include <gtest/gtest.h>

#include "analytics/analytics_test_support.h"
#include "analytics/retention.h"

namespace cinerec::analytics {
namespace {

using namespace testing;  // NOLINT

TEST(AnalyticsRetentionItest, DropsWholeExpiredMonthsOfRawEventsOnly) {
  ClickHouseDatabase db;
  // 2026-08-15, 2026-09-30 23:59:59, 2026-10-05: with now = 2026-11-10 and 40 days, the cutoff is 2026-10-01.
  db.Add(Watch{.id = 1, .type = "view_start", .at = kT0 - 51 * kDay, .user = 1, .movie = 1});
  db.Add(Ui{.id = 2, .type = "click", .at = kT0 - 4 * kDay - 1, .user = 1, .movie = 1});
  db.Add(Ui{.id = 3, .type = "click", .at = kT0, .user = 1, .movie = 1});
  db.Add(Impression{.id = 4, .at = kT0 - 40 * kDay, .user = 1, .movie = 1});
  db.AddSignup(5, kT0 - 60 * kDay, 1);
  const std::int64_t now = kT0 + 36 * kDay;

  auto listed = DropExpiredPartitions(db.client(), 40, now, /*dry_run=*/true);
  EXPECT_EQ(listed.size(), 3u);
  EXPECT_EQ(db.client().Query("SELECT count() FROM ui_events FORMAT TSV"), "2\n");

  auto dropped = DropExpiredPartitions(db.client(), 40, now);
  ASSERT_EQ(dropped.size(), 3u);
  EXPECT_EQ(dropped[0].table, "ui_events");
  EXPECT_EQ(dropped[0].partition, "202609");
  EXPECT_EQ(db.client().Query("SELECT count() FROM ui_events FORMAT TSV"), "1\n");
  EXPECT_EQ(db.client().Query("SELECT count() FROM watch_events FORMAT TSV"), "0\n");
  EXPECT_EQ(db.client().Query("SELECT count() FROM recommendation_impressions FORMAT TSV"), "0\n");
  EXPECT_EQ(db.client().Query("SELECT count() FROM account_events FORMAT TSV"), "1\n");  // kept
  EXPECT_TRUE(DropExpiredPartitions(db.client(), 40, now).empty());                      // idempotent
  EXPECT_TRUE(DropExpiredPartitions(db.client(), 0, now).empty());                       // 0 = keep forever
}

}  // namespace
}  // namespace cinerec::analytics
