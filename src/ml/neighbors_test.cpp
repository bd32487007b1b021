#include "ml/neighbors.h"

#include <gtest/gtest.h>

#include <cmath>

namespace cinerec::ml {
namespace {

TEST(NeighborsTest, CosineOnHandMadeVectors) {
  // item 0 (1, 0), 1 (0.9, 0.1), 2 (0, 1), 3 (-1, 0), 4 (0, 0) zero, 5 (2, 0) same direction as 0.
  const std::vector<float> v = {1, 0, 0.9f, 0.1f, 0, 1, -1, 0, 0, 0, 2, 0};
  const Neighbors n = CosineNeighbors(v, 6, 2, 3, 1);
  // Item 0: item 5 (cos 1), item 1 (0.9 / |(0.9, 0.1)|), item 2 (0); never itself, never the zero vector.
  EXPECT_EQ(std::vector<std::int32_t>(n.Ids(0).begin(), n.Ids(0).end()),
            (std::vector<std::int32_t>{5, 1, 2}));
  EXPECT_NEAR(n.Scores(0)[0], 1.0f, 1e-6);
  EXPECT_NEAR(n.Scores(0)[1], 0.9 / std::sqrt(0.82), 1e-6);
  EXPECT_NEAR(n.Scores(0)[2], 0.0f, 1e-6);
  // Item 5 points the same way as item 0.
  EXPECT_EQ(n.Ids(5)[0], 0);
  // Item 2: items 0 and 5 both have cos 0: the lower index first, after item 1.
  EXPECT_EQ(std::vector<std::int32_t>(n.Ids(2).begin(), n.Ids(2).end()),
            (std::vector<std::int32_t>{1, 0, 3}));
  // The zero vector has no neighbours.
  for (std::int32_t id : n.Ids(4))
    EXPECT_EQ(id, -1);
  for (std::int32_t i = 0; i < 6; ++i) {
    for (std::int32_t id : n.Ids(i))
      EXPECT_NE(id, 4);
  }
}

TEST(NeighborsTest, SameListsWhateverTheThreadsAndBlocks) {
  std::vector<float> v;
  for (int i = 0; i < 700 * 4; ++i)
    v.push_back(std::sin(static_cast<float>(i) * 0.37f));
  const Neighbors one = CosineNeighbors(v, 700, 4, 5, 1);
  const Neighbors two = CosineNeighbors(v, 700, 4, 5, 2);
  EXPECT_EQ(one.ids, two.ids);
  EXPECT_EQ(one.scores, two.scores);
}

TEST(NeighborsTest, CooccurrenceCosine) {
  // users: u0 {0, 1}, u1 {0, 1, 2}, u2 {1, 2}, u3 {3}, and u3 dislikes item 0 (not counted).
  const std::vector<Interaction> xs = {{0, 0, 1, 1, 0}, {0, 1, 1, 1, 0}, {1, 0, 1, 1, 0},
                                       {1, 1, 1, 1, 0}, {1, 2, 1, 1, 0}, {2, 1, 1, 1, 0},
                                       {2, 2, 1, 1, 0}, {3, 3, 1, 1, 0}, {3, 0, 0, 2, 0}};
  const auto m = InteractionMatrix::Build(4, 4, xs);
  const Neighbors n = CooccurrenceNeighbors(m, 3);
  // Item 0 (2 users) and 1 (3 users) share 2: 2 / sqrt(6); item 2 (2 users) shares 1 with 0: 1 / 2.
  EXPECT_EQ(std::vector<std::int32_t>(n.Ids(0).begin(), n.Ids(0).end()),
            (std::vector<std::int32_t>{1, 2, -1}));
  EXPECT_NEAR(n.Scores(0)[0], 2.0 / std::sqrt(6.0), 1e-6);
  EXPECT_NEAR(n.Scores(0)[1], 0.5, 1e-6);
  EXPECT_EQ(n.Ids(3)[0], -1);  // nobody else watched item 3
  // Shrinkage damps, min_support drops pairs seen by one user only.
  CooccurrenceOptions options;
  options.shrinkage = 1.0f;
  options.min_support = 2;
  const Neighbors strict = CooccurrenceNeighbors(m, 3, options);
  EXPECT_EQ(strict.Ids(0)[0], 1);
  EXPECT_NEAR(strict.Scores(0)[0], 2.0 / (std::sqrt(6.0) + 1.0), 1e-6);
  EXPECT_EQ(strict.Ids(0)[1], -1);
}

}  // namespace
}  // namespace cinerec::ml
