#include "training/min_counts.h"

#include <gtest/gtest.h>

namespace cinerec::training {
namespace {

ml::Interaction Cell(std::int32_t u, std::int32_t i) {
  return {u, i, 1.0f, 1.0f, 0};
}

TEST(MinCountsTest, RepeatsUntilStableAndKeepsIds) {
  // Users 0 and 1 watched items 0 and 1; user 2 only item 2, which only they watched; user 3 items 0 and 2.
  ml::IdMap users(std::vector<std::int64_t>{100, 101, 102, 103});
  ml::IdMap items(std::vector<std::int64_t>{500, 501, 502});
  const std::vector<ml::Interaction> cells = {Cell(0, 0), Cell(0, 1), Cell(1, 0), Cell(1, 1),
                                              Cell(2, 2), Cell(3, 0), Cell(3, 2)};
  const auto matrix = ml::InteractionMatrix::Build(users, items, cells);
  // At least 2 cells each: user 2 goes (1 cell), then item 2 has only user 3, goes, then user 3 has 1 cell.
  const auto filtered = FilterByMinCounts(matrix, {2, 2});
  EXPECT_EQ(filtered.matrix.users(), 2);
  EXPECT_EQ(filtered.matrix.items(), 2);
  EXPECT_EQ(filtered.matrix.nnz(), 4);
  EXPECT_EQ(filtered.matrix.user_ids().ids(), (std::vector<std::int64_t>{100, 101}));
  EXPECT_EQ(filtered.matrix.item_ids().ids(), (std::vector<std::int64_t>{500, 501}));
  EXPECT_GE(filtered.rounds, 3);

  const auto unchanged = FilterByMinCounts(matrix, {1, 1});
  EXPECT_EQ(unchanged.matrix.nnz(), matrix.nnz());
  EXPECT_EQ(unchanged.rounds, 1);
}

}  // namespace
}  // namespace cinerec::training
