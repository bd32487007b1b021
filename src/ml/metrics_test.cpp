#include "ml/metrics.h"

#include <gtest/gtest.h>

#include <cmath>

namespace cinerec::ml {
namespace {

using Ids = std::vector<std::int32_t>;

// Ranking 5, 1, 7, 3, 9 against relevant {1, 3, 4}: hits at ranks 2 and 4.
TEST(MetricsTest, ByHandAtFive) {
  const auto m = ComputeRankingMetrics(Ids{5, 1, 7, 3, 9}, Ids{1, 3, 4}, 5);
  EXPECT_DOUBLE_EQ(m.precision, 2.0 / 5.0);
  EXPECT_DOUBLE_EQ(m.recall, 2.0 / 3.0);
  const double dcg = 1 / std::log2(3.0) + 1 / std::log2(5.0);
  const double idcg = 1 + 1 / std::log2(3.0) + 1 / std::log2(4.0);
  EXPECT_NEAR(m.ndcg, dcg / idcg, 1e-12);
  EXPECT_NEAR(m.ndcg, 0.498189, 1e-6);
  EXPECT_DOUBLE_EQ(m.average_precision, (1.0 / 2.0 + 2.0 / 4.0) / 3.0);
  EXPECT_DOUBLE_EQ(m.hit, 1.0);
}

TEST(MetricsTest, ByHandAtTwo) {
  const auto m = ComputeRankingMetrics(Ids{5, 1, 7, 3, 9}, Ids{1, 3, 4}, 2);
  EXPECT_DOUBLE_EQ(m.precision, 0.5);
  EXPECT_DOUBLE_EQ(m.recall, 1.0 / 3.0);
  EXPECT_NEAR(m.ndcg, (1 / std::log2(3.0)) / (1 + 1 / std::log2(3.0)), 1e-12);
  EXPECT_DOUBLE_EQ(m.average_precision, 0.5 / 2.0);  // divided by min(|R|, k) = 2
}

TEST(MetricsTest, PerfectMissAndShortLists) {
  const auto perfect = ComputeRankingMetrics(Ids{4, 2}, Ids{2, 4}, 2);
  EXPECT_DOUBLE_EQ(perfect.ndcg, 1.0);
  EXPECT_DOUBLE_EQ(perfect.average_precision, 1.0);
  const auto miss = ComputeRankingMetrics(Ids{1, 3}, Ids{2}, 2);
  EXPECT_DOUBLE_EQ(miss.ndcg, 0.0);
  EXPECT_DOUBLE_EQ(miss.hit, 0.0);
  const auto short_list = ComputeRankingMetrics(Ids{2}, Ids{2}, 10);
  EXPECT_DOUBLE_EQ(short_list.precision, 0.1);  // empty slots are misses
  EXPECT_DOUBLE_EQ(short_list.recall, 1.0);
  EXPECT_DOUBLE_EQ(ComputeRankingMetrics(Ids{1}, Ids{}, 5).ndcg, 0.0);
}

}  // namespace
}  // namespace cinerec::ml
