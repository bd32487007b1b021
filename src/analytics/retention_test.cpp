#include "analytics/retention.h"

#include <gtest/gtest.h>

namespace cinerec::analytics {
namespace {

TEST(AnalyticsRetention, AMonthIsDroppableOnlyWhenItsLastSecondIsOlderThanTheCutoff) {
  constexpr std::int64_t kNov1 = 1793491200;  // 2026-11-01T00:00:00Z
  EXPECT_TRUE(MonthEndedBefore(202610, kNov1));
  EXPECT_FALSE(MonthEndedBefore(202610, kNov1 - 1));
  EXPECT_FALSE(MonthEndedBefore(202611, kNov1));
  EXPECT_TRUE(MonthEndedBefore(202512, 1767225600));  // December ends at 2026-01-01
  EXPECT_FALSE(MonthEndedBefore(202613, kNov1));      // not a month
}

}  // namespace
}  // namespace cinerec::analytics
