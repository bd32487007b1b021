#include "ml/top_k.h"

#include <gtest/gtest.h>

#include <cmath>

namespace cinerec::ml {
namespace {

using Ids = std::vector<std::int32_t>;

TEST(TopKTest, BestFirstTiesToTheLowerIndex) {
  const std::vector<float> scores = {0.5f, 0.9f, 0.5f, std::nanf(""), 0.9f, 0.1f};
  EXPECT_EQ(TopK(scores, 3), (Ids{1, 4, 0}));
  EXPECT_EQ(TopK(scores, 10), (Ids{1, 4, 0, 2, 5, 3}));  // NaN last
  EXPECT_EQ(TopK(scores, 0), Ids{});
}

TEST(TopKTest, SkipsExcluded) {
  const std::vector<float> scores = {0.5f, 0.9f, 0.5f, 0.2f, 0.9f};
  EXPECT_EQ(TopK(scores, 2, Ids{1, 4}), (Ids{0, 2}));
  EXPECT_EQ(TopK(scores, 5, Ids{0, 1, 2, 3}), (Ids{4}));
}

}  // namespace
}  // namespace cinerec::ml
