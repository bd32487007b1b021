#include "ml/ease.h"

#include <gtest/gtest.h>

namespace cinerec::ml {
namespace {

// 5 users x 3 items; the dislike (preference 0) must not count.
//   u0: 1 1 0   u1: 1 0 1   u2: 0 1 1   u3: 1 1 1   u4: 1 0 (dislike)
std::vector<Interaction> Cells() {
  return {{0, 0, 1, 1, 0}, {0, 1, 1, 1, 0}, {1, 0, 1, 1, 0}, {1, 2, 1, 1, 0},
          {2, 1, 1, 1, 0}, {2, 2, 1, 1, 0}, {3, 0, 1, 1, 0}, {3, 1, 1, 1, 0},
          {3, 2, 1, 1, 0}, {4, 0, 1, 1, 0}, {4, 2, 0, 2, 0}};
}

// The inverse of a 3 x 3 matrix by cofactors: the closed form, independent of the code under test.
void Invert3(const double a[3][3], double inv[3][3]) {
  const double det = a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1])
                     - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0])
                     + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 3; ++c) {
      const int r1 = (c + 1) % 3, r2 = (c + 2) % 3, c1 = (r + 1) % 3, c2 = (r + 2) % 3;
      inv[r][c] = (a[r1][c1] * a[r2][c2] - a[r1][c2] * a[r2][c1]) / det;
    }
  }
}

TEST(EaseTest, GramCountsCoOccurrences) {
  const auto m = InteractionMatrix::Build(5, 3, Cells());
  const auto g = ItemGram(m, 1);
  EXPECT_EQ(g, (std::vector<float>{4, 2, 2, 2, 3, 2, 2, 2, 3}));
}

TEST(EaseTest, MatchesTheClosedForm) {
  const auto m = InteractionMatrix::Build(5, 3, Cells());
  const double lambda = 1.0;
  const double a[3][3] = {{4 + lambda, 2, 2}, {2, 3 + lambda, 2}, {2, 2, 3 + lambda}};
  double p[3][3];
  Invert3(a, p);
  const EaseModel model = TrainEase(m, {static_cast<float>(lambda), 1});
  ASSERT_EQ(model.weights.size(), 9u);
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) {
      const double expected = i == j ? 0.0 : -p[i][j] / p[j][j];
      EXPECT_NEAR(model.weights[static_cast<std::size_t>(i * 3 + j)], expected, 1e-5) << i << "," << j;
    }
  }
  // For these numbers by hand: P = inverse of [[5,2,2],[2,4,2],[2,2,4]] gives B_01 = -P_01 / P_11 = 1/4.
  EXPECT_NEAR(model.weights[1], 0.25, 1e-5);

  // A user who watched item 0 only: scores are row 0 of B.
  std::vector<float> scores(3);
  model.Score(std::vector<Interaction>{{9, 0, 1.0f, 1.0f, 0}}, scores);
  EXPECT_FLOAT_EQ(scores[0], 0.0f);
  EXPECT_FLOAT_EQ(scores[1], model.weights[1]);
  EXPECT_FLOAT_EQ(scores[2], model.weights[2]);
  // Scores are linear in the history.
  model.Score(std::vector<Interaction>{{9, 0, 1.0f, 1.0f, 0}, {9, 1, 0.5f, 1.0f, 0}}, scores);
  EXPECT_FLOAT_EQ(scores[2], model.weights[2] + 0.5f * model.weights[5]);
}

TEST(EaseTest, RecommenderAdapterAndErrors) {
  const auto m = InteractionMatrix::Build(5, 3, Cells());
  const EaseModel model = TrainEase(m, {10.0f, 2});
  const EaseRecommender ease(model);
  EXPECT_EQ(ease.items(), 3);
  EXPECT_EQ(ease.name(), "ease");
  EXPECT_THROW(TrainEase(m, {-1.0f, 1}), std::invalid_argument);
  // lambda 0 with an item nobody watched: singular.
  const auto empty_item = InteractionMatrix::Build(2, 2, std::vector<Interaction>{{0, 0, 1, 1, 0}});
  EXPECT_THROW(TrainEase(empty_item, {0.0f, 1}), std::invalid_argument);
}

}  // namespace
}  // namespace cinerec::ml
