#include "ml/split.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace cinerec::ml {
namespace {

using Ids = std::vector<std::int32_t>;

Ids Items(const std::vector<Interaction>& xs, std::int32_t user) {
  Ids items;
  for (const auto& x : xs) {
    if (x.user == user) items.push_back(x.item);
  }
  std::sort(items.begin(), items.end());
  items.erase(std::unique(items.begin(), items.end()), items.end());
  return items;
}

// User 0: five items at times 10..50, plus a like of item 1 at time 60 (so item 1 is its latest cell).
// User 1: one item only.
std::vector<Interaction> Data() {
  return {{0, 0, 1, 1, 10}, {0, 1, 1, 1, 20}, {0, 2, 1, 1, 30}, {0, 3, 1, 1, 40},
          {0, 4, 1, 1, 50}, {0, 1, 1, 2, 60}, {1, 7, 1, 1, 5}};
}

TEST(SplitTest, ByTimeHoldsOutEachUsersLatestCells) {
  TimeSplitOptions options;
  options.fraction = 0.4;  // ceil(0.4 x 5) = 2 cells of user 0
  const Split split = SplitByTime(Data(), options);
  EXPECT_EQ(Items(split.test, 0), (Ids{1, 4}));
  EXPECT_EQ(Items(split.train, 0), (Ids{0, 2, 3}));
  // Both interactions of item 1 left training together; the test cell is their combination.
  ASSERT_EQ(split.test.size(), 2u);
  EXPECT_EQ(split.test[0].item, 1);
  EXPECT_FLOAT_EQ(split.test[0].confidence, 3.0f);
  EXPECT_EQ(split.train.size(), 4u);
  // User 1 keeps their only cell (min_train 1).
  EXPECT_EQ(Items(split.train, 1), (Ids{7}));
  EXPECT_TRUE(Items(split.test, 1).empty());

  options.last_n = 1;
  EXPECT_EQ(Items(SplitByTime(Data(), options).test, 0), (Ids{1}));
  options.last_n = 10;
  options.min_train = 2;
  EXPECT_EQ(Items(SplitByTime(Data(), options).train, 0), (Ids{0, 2}));
}

TEST(SplitTest, RandomIsSeededAndIndependentOfInputOrder) {
  std::vector<Interaction> xs;
  for (std::int32_t u = 0; u < 20; ++u) {
    for (std::int32_t i = 0; i < 10; ++i)
      xs.push_back({u, i, 1, 1, 0});
  }
  RandomSplitOptions options;
  options.fraction = 0.3;
  const Split a = SplitRandom(xs, options);
  std::vector<Interaction> reversed(xs.rbegin(), xs.rend());
  const Split b = SplitRandom(reversed, options);
  EXPECT_EQ(a.test.size(), 20u * 3u);
  EXPECT_EQ(a.train.size(), 20u * 7u);
  for (std::int32_t u = 0; u < 20; ++u) {
    EXPECT_EQ(Items(a.test, u), Items(b.test, u));
    Ids all = Items(a.test, u);
    const Ids train = Items(a.train, u);
    all.insert(all.end(), train.begin(), train.end());
    std::sort(all.begin(), all.end());
    EXPECT_EQ(all, (Ids{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
  }
  options.seed = 43;
  const Split c = SplitRandom(xs, options);
  bool differs = false;
  for (std::int32_t u = 0; u < 20; ++u)
    differs = differs || Items(a.test, u) != Items(c.test, u);
  EXPECT_TRUE(differs);
  options.fraction = 2.0;
  EXPECT_THROW(SplitRandom(xs, options), std::invalid_argument);
}

}  // namespace
}  // namespace cinerec::ml
