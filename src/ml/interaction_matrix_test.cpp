#include "ml/interaction_matrix.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace cinerec::ml {
namespace {

TEST(IdMapTest, AssignsDenseIndicesInOrderOfFirstAppearance) {
  IdMap map;
  EXPECT_EQ(map.Add(907), 0);
  EXPECT_EQ(map.Add(12), 1);
  EXPECT_EQ(map.Add(907), 0);
  EXPECT_EQ(map.size(), 2);
  EXPECT_EQ(map.Id(1), 12);
  EXPECT_EQ(map.Find(12), 1);
  EXPECT_FALSE(map.Find(5).has_value());
  EXPECT_THROW(IdMap({1, 2, 1}), std::invalid_argument);
}

TEST(InteractionMatrixTest, BuildsCsrAndItsTranspose) {
  // 3 users x 4 items:   item: 0  1  2  3
  //   user 0                   a  .  b  .
  //   user 1                   .  .  .  .
  //   user 2                   c  d  .  e
  const std::vector<Interaction> xs = {
      {2, 3, 1.0f, 5.0f, 30}, {0, 2, 1.0f, 2.0f, 20}, {2, 0, 0.0f, 3.0f, 10},
      {0, 0, 1.0f, 1.0f, 40}, {2, 1, 1.0f, 4.0f, 50},
  };
  const auto m = InteractionMatrix::Build(3, 4, xs);
  EXPECT_EQ(m.users(), 3);
  EXPECT_EQ(m.items(), 4);
  EXPECT_EQ(m.nnz(), 5);
  const CsrMatrix& r = m.by_user();
  EXPECT_EQ(r.offsets, (std::vector<std::int64_t>{0, 2, 2, 5}));
  EXPECT_EQ(r.columns, (std::vector<std::int32_t>{0, 2, 0, 1, 3}));
  EXPECT_EQ(r.confidence, (std::vector<float>{1, 2, 3, 4, 5}));
  EXPECT_EQ(r.preference, (std::vector<float>{1, 1, 0, 1, 1}));
  EXPECT_EQ(r.time_ms, (std::vector<std::int64_t>{40, 20, 10, 50, 30}));

  const CsrMatrix& c = m.by_item();
  EXPECT_EQ(c.rows, 4);
  EXPECT_EQ(c.cols, 3);
  EXPECT_EQ(c.offsets, (std::vector<std::int64_t>{0, 2, 3, 4, 5}));
  EXPECT_EQ(c.columns, (std::vector<std::int32_t>{0, 2, 2, 0, 2}));
  EXPECT_EQ(c.confidence, (std::vector<float>{1, 3, 4, 2, 5}));
  EXPECT_EQ(m.user_ids().Id(2), 2);
}

TEST(InteractionMatrixTest, CombinesDuplicatesByConfidenceWeightedMean) {
  // A completed view (pref 1, conf 1) then a dislike (pref 0, conf 2): conf 3, pref 1/3, latest time.
  const std::vector<Interaction> xs = {
      {0, 1, 1.0f, 1.0f, 100}, {0, 1, 0.0f, 2.0f, 300}, {0, 1, 1.0f, 0.0f, 200}};
  const auto m = InteractionMatrix::Build(1, 2, xs);
  ASSERT_EQ(m.nnz(), 1);
  EXPECT_FLOAT_EQ(m.by_user().confidence[0], 3.0f);
  EXPECT_FLOAT_EQ(m.by_user().preference[0], 1.0f / 3.0f);
  EXPECT_EQ(m.by_user().time_ms[0], 300);

  // Every confidence 0: the plain mean.
  const std::vector<Interaction> zero = {{0, 0, 1.0f, 0.0f, 0}, {0, 0, 0.0f, 0.0f, 0}};
  const auto z = InteractionMatrix::Build(1, 1, zero);
  EXPECT_FLOAT_EQ(z.by_user().preference[0], 0.5f);
  EXPECT_FLOAT_EQ(z.by_user().confidence[0], 0.0f);
}

TEST(InteractionMatrixTest, CellsAndCombineDuplicatesAgree) {
  const std::vector<Interaction> xs = {{1, 0, 1.0f, 1.0f, 5}, {0, 1, 1.0f, 1.0f, 1}, {1, 0, 0.0f, 1.0f, 7}};
  const auto cells = CombineDuplicates(xs);
  const auto m = InteractionMatrix::Build(2, 2, xs);
  const auto from_matrix = m.Cells();
  ASSERT_EQ(cells.size(), 2u);
  ASSERT_EQ(from_matrix.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(cells[i].user, from_matrix[i].user);
    EXPECT_EQ(cells[i].item, from_matrix[i].item);
    EXPECT_FLOAT_EQ(cells[i].preference, from_matrix[i].preference);
    EXPECT_FLOAT_EQ(cells[i].confidence, from_matrix[i].confidence);
    EXPECT_EQ(cells[i].time_ms, from_matrix[i].time_ms);
  }
  EXPECT_FLOAT_EQ(cells[1].preference, 0.5f);
}

TEST(InteractionMatrixTest, RefusesInvalidInteractions) {
  auto build = [](Interaction x) { return InteractionMatrix::Build(2, 2, std::vector<Interaction>{x}); };
  EXPECT_THROW(build({2, 0, 1.0f, 1.0f, 0}), std::invalid_argument);
  EXPECT_THROW(build({0, -1, 1.0f, 1.0f, 0}), std::invalid_argument);
  EXPECT_THROW(build({0, 0, 1.5f, 1.0f, 0}), std::invalid_argument);
  EXPECT_THROW(build({0, 0, 1.0f, -1.0f, 0}), std::invalid_argument);
  EXPECT_NO_THROW(build({1, 1, 0.0f, 0.0f, 0}));
}

TEST(InteractionMatrixTest, KeepsIdMaps) {
  IdMap users({1001, 1002});
  IdMap items({7, 8, 9});
  const auto m = InteractionMatrix::Build(std::move(users), std::move(items),
                                          std::vector<Interaction>{{1, 2, 1.0f, 1.0f, 0}});
  EXPECT_EQ(m.user_ids().Id(1), 1002);
  EXPECT_EQ(m.item_ids().Find(9), 2);
  EXPECT_EQ(m.by_item().RowSize(2), 1);
}

}  // namespace
}  // namespace cinerec::ml
