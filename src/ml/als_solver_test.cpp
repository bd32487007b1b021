#include "ml/als_solver.h"

#include <gtest/gtest.h>

#include <cmath>

namespace cinerec::ml {
namespace {

// A 6 x 3 item-factor matrix and one user's cells: the system of the user step.
const std::vector<float> kY = {0.9f, 0.1f, -0.2f, 0.3f, 0.8f,  0.1f, -0.5f, 0.2f,  0.7f,
                               0.4f, 0.4f, 0.4f,  0.0f, -0.3f, 0.6f, 0.7f,  -0.1f, 0.2f};
const std::vector<std::int32_t> kColumns = {0, 3, 4};
const std::vector<float> kPreference = {1.0f, 1.0f, 0.0f};
const std::vector<float> kConfidence = {2.0f, 1.0f, 3.0f};

struct Fixture {
  std::vector<float> gram = Gram(kY.data(), 6, 3);
  RowSystem system{kY.data(), gram.data(), 3, 0.1f, 4.0f};
  RowCells row{kColumns, kPreference, kConfidence};
};

// A and b of als_solver.h written out element by element.
void Normal(double a[3][3], double b[3]) {
  for (int r = 0; r < 3; ++r) {
    b[r] = 0;
    for (int c = 0; c < 3; ++c) {
      a[r][c] = r == c ? 0.1 : 0.0;
      for (int i = 0; i < 6; ++i)
        a[r][c] += static_cast<double>(kY[static_cast<std::size_t>(i * 3 + r)])
                   * kY[static_cast<std::size_t>(i * 3 + c)];
    }
  }
  for (std::size_t j = 0; j < kColumns.size(); ++j) {
    const float* y = kY.data() + kColumns[j] * 3;
    const double c = 1.0 + 4.0 * kConfidence[j];
    for (int r = 0; r < 3; ++r) {
      b[r] += c * kPreference[j] * y[r];
      for (int s = 0; s < 3; ++s)
        a[r][s] += (c - 1.0) * y[r] * y[s];
    }
  }
}

TEST(AlsSolverTest, GramIsYtY) {
  const auto g = Gram(kY.data(), 6, 3);
  double g01 = 0;
  for (int i = 0; i < 6; ++i)
    g01 += static_cast<double>(kY[static_cast<std::size_t>(i * 3)]) * kY[static_cast<std::size_t>(i * 3 + 1)];
  EXPECT_NEAR(g[1], g01, 1e-6);
  EXPECT_FLOAT_EQ(g[1], g[3]);
}

TEST(AlsSolverTest, ExactSolveSatisfiesTheNormalEquations) {
  Fixture f;
  std::vector<float> x(3, 0.0f);
  SolveRowExact(f.system, f.row, x.data());
  double a[3][3], b[3];
  Normal(a, b);
  for (int r = 0; r < 3; ++r) {
    double ax = 0;
    for (int c = 0; c < 3; ++c)
      ax += a[r][c] * x[static_cast<std::size_t>(c)];
    EXPECT_NEAR(ax, b[r], 1e-4) << "row " << r;
  }
}

TEST(AlsSolverTest, ConjugateGradientMatchesCholesky) {
  Fixture f;
  std::vector<float> exact(3, 0.0f), cg(3, 0.0f);
  SolveRowExact(f.system, f.row, exact.data());
  // In exact arithmetic CG solves a k x k system in k steps; from a cold start 3 steps suffice here.
  SolveRowCg(f.system, f.row, 3, cg.data());
  for (std::size_t i = 0; i < 3; ++i)
    EXPECT_NEAR(cg[i], exact[i], 1e-4);
  // Warm-started with the answer, CG stays there.
  std::vector<float> warm = exact;
  SolveRowCg(f.system, f.row, 2, warm.data());
  for (std::size_t i = 0; i < 3; ++i)
    EXPECT_NEAR(warm[i], exact[i], 1e-5);
}

TEST(AlsSolverTest, EachCgStepLowersTheRowLoss) {
  Fixture f;
  double previous = 0;
  {
    std::vector<float> x(3, 0.0f);
    previous = RowLoss(f.system, f.row, x.data());
  }
  for (int steps = 1; steps <= 3; ++steps) {
    std::vector<float> x(3, 0.0f);
    SolveRowCg(f.system, f.row, steps, x.data());
    double reg = 0;
    for (float v : x)
      reg += 0.1 * v * v;
    const double loss = RowLoss(f.system, f.row, x.data()) + reg;
    EXPECT_LE(loss, previous + 1e-6) << steps << " steps";
    previous = loss;
  }
}

TEST(AlsSolverTest, RowLossMatchesTheSumOverEveryCell) {
  Fixture f;
  const std::vector<float> x = {0.3f, -0.2f, 0.5f};
  double brute = 0;
  for (std::int32_t i = 0; i < 6; ++i) {
    double s = 0;
    for (int d = 0; d < 3; ++d)
      s += static_cast<double>(kY[static_cast<std::size_t>(i * 3 + d)]) * x[static_cast<std::size_t>(d)];
    double p = 0, c = 1;
    for (std::size_t j = 0; j < kColumns.size(); ++j) {
      if (kColumns[j] == i) {
        p = kPreference[j];
        c = 1.0 + 4.0 * kConfidence[j];
      }
    }
    brute += c * (p - s) * (p - s);
  }
  EXPECT_NEAR(RowLoss(f.system, f.row, x.data()), brute, 1e-5);
}

}  // namespace
}  // namespace cinerec::ml
