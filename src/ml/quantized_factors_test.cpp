// The int8 serving copy of the factor matrices: values within half a step, dot products within the bound
// the rounding allows, both kernels alike, and the ranking a viewer gets the same as in float.
#include "ml/quantized_factors.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <vector>

namespace cinerec::ml {
namespace {

std::vector<float> Gaussian(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> v(n);
  for (auto& x : v)
    x = normal(rng);
  return v;
}

std::vector<float> FloatScores(const std::vector<float>& rows, int items, int k,
                               const std::vector<float>& q) {
  std::vector<float> out(static_cast<std::size_t>(items));
  for (int i = 0; i < items; ++i) {
    double sum = 0;
    for (int f = 0; f < k; ++f)
      sum += static_cast<double>(rows[static_cast<std::size_t>(i * k + f)]) * q[static_cast<std::size_t>(f)];
    out[static_cast<std::size_t>(i)] = static_cast<float>(sum);
  }
  return out;
}

std::vector<int> TopRows(const std::vector<float>& scores, int count) {
  std::vector<int> rows(scores.size());
  std::iota(rows.begin(), rows.end(), 0);
  std::partial_sort(rows.begin(), rows.begin() + count, rows.end(), [&](int a, int b) {
    return scores[static_cast<std::size_t>(a)] > scores[static_cast<std::size_t>(b)];
  });
  rows.resize(static_cast<std::size_t>(count));
  std::sort(rows.begin(), rows.end());
  return rows;
}

double Overlap(const std::vector<int>& a, const std::vector<int>& b) {
  std::vector<int> common;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(common));
  return static_cast<double>(common.size()) / static_cast<double>(a.size());
}

TEST(QuantizedFactorsTest, RowsAreWithinHalfAStepOfTheirFloats) {
  const int items = 50, k = 21;  // k not a multiple of the kernel's 16: padded
  const auto a = Gaussian(static_cast<std::size_t>(items * k), 1);
  const QuantizedFactors q(a, {}, items, k);
  EXPECT_FALSE(q.has_b());
  for (int i = 0; i < items; ++i) {
    const auto row = q.Row(0, i);
    float max_abs = 0;
    for (int f = 0; f < k; ++f)
      max_abs = std::max(max_abs, std::abs(a[static_cast<std::size_t>(i * k + f)]));
    for (int f = 0; f < k; ++f)
      EXPECT_NEAR(row[static_cast<std::size_t>(f)], a[static_cast<std::size_t>(i * k + f)],
                  max_abs / 254 * 1.001f);
  }
  EXPECT_THROW(q.Row(1, 0), std::out_of_range);
}

TEST(QuantizedFactorsTest, DotProductsStayWithinTheRoundingBoundAndBothKernelsAgree) {
  for (const int k : {1, 16, 64, 70}) {
    const int items = 300;
    const auto a = Gaussian(static_cast<std::size_t>(items * k), 2), b = Gaussian(a.size(), 3);
    const auto qa = Gaussian(static_cast<std::size_t>(k), 4), qb = Gaussian(static_cast<std::size_t>(k), 5);
    const QuantizedFactors q(a, b, items, k);
    std::vector<float> out_a(items), out_b(items), portable_a(items), portable_b(items);
    q.Score(qa.data(), out_a.data(), qb.data(), out_b.data());
    q.Score(qa.data(), portable_a.data(), qb.data(), portable_b.data(), QuantizedFactors::Kernel::kPortable);
    const auto float_a = FloatScores(a, items, k, qa), float_b = FloatScores(b, items, k, qb);
    float q_abs = 0, q_max = 0;
    for (float x : qa) {
      q_abs += std::abs(x);
      q_max = std::max(q_max, std::abs(x));
    }
    for (int i = 0; i < items; ++i) {
      const auto at = static_cast<std::size_t>(i);
      // Exact integer sums in both kernels: the same scores bit for bit.
      EXPECT_EQ(out_a[at], portable_a[at]) << "k " << k << " row " << i;
      EXPECT_EQ(out_b[at], portable_b[at]) << "k " << k << " row " << i;
      float row_max = 0;
      for (int f = 0; f < k; ++f)
        row_max =
            std::max(row_max, std::abs(a[at * static_cast<std::size_t>(k) + static_cast<std::size_t>(f)]));
      // Each code is off by at most half a row step, each query value by half a query step.
      const float bound = q_abs * row_max / 254 + static_cast<float>(k) * row_max * q_max / 65534 + 1e-4f;
      EXPECT_NEAR(out_a[at], float_a[at], bound) << "k " << k << " row " << i;
    }
    double error_b = 0;
    for (int i = 0; i < items; ++i)
      error_b = std::max(error_b, static_cast<double>(std::abs(out_b[static_cast<std::size_t>(i)]
                                                               - float_b[static_cast<std::size_t>(i)])));
    EXPECT_LT(error_b, 0.05 * std::sqrt(static_cast<double>(k)) + 1e-3) << "k " << k;
  }
}

TEST(QuantizedFactorsTest, EitherSideCanBeSkippedAndZeroRowsScoreZero) {
  const int items = 40, k = 64;
  auto a = Gaussian(static_cast<std::size_t>(items * k), 6);
  const auto b = Gaussian(a.size(), 7), q = Gaussian(static_cast<std::size_t>(k), 8);
  std::fill(a.begin(), a.begin() + k, 0.0f);  // row 0 of a is all zero
  const QuantizedFactors quantized(a, b, items, k);
  std::vector<float> both_a(items), both_b(items), only_a(items, -1), only_b(items, -1);
  quantized.Score(q.data(), both_a.data(), q.data(), both_b.data());
  quantized.Score(q.data(), only_a.data(), nullptr, nullptr);
  quantized.Score(nullptr, nullptr, q.data(), only_b.data());
  EXPECT_EQ(both_a, only_a);
  EXPECT_EQ(both_b, only_b);
  EXPECT_EQ(both_a[0], 0.0f);
  const std::vector<float> zero_query(static_cast<std::size_t>(k), 0.0f);
  quantized.Score(zero_query.data(), only_a.data(), nullptr, nullptr);
  EXPECT_TRUE(std::all_of(only_a.begin(), only_a.end(), [](float x) { return x == 0; }));
  EXPECT_THROW(quantized.Score(q.data(), nullptr, nullptr, nullptr), std::invalid_argument);
  const QuantizedFactors one(a, {}, items, k);
  EXPECT_THROW(one.Score(nullptr, nullptr, q.data(), only_b.data()), std::invalid_argument);
  EXPECT_THROW(QuantizedFactors(a, {}, items + 1, k), std::invalid_argument);
}

// What matters for serving: the top of the ranking a viewer gets. 20,000 movies x 64 factors, 20 viewers:
// the top 10, 50 and 300 of the int8 scores hold (almost) the same movies as in float.
TEST(QuantizedFactorsTest, TopOfTheRankingMatchesFloat) {
  const int items = 20000, k = 64;
  const auto a = Gaussian(static_cast<std::size_t>(items) * k, 9);
  const QuantizedFactors q(a, {}, items, k);
  double worst10 = 1, worst50 = 1, worst300 = 1, sum300 = 0;
  const int viewers = 20;
  for (int v = 0; v < viewers; ++v) {
    const auto query = Gaussian(static_cast<std::size_t>(k), 100 + static_cast<unsigned>(v));
    std::vector<float> scores(items);
    q.Score(query.data(), scores.data(), nullptr, nullptr);
    const auto exact = FloatScores(a, items, k, query);
    worst10 = std::min(worst10, Overlap(TopRows(exact, 10), TopRows(scores, 10)));
    worst50 = std::min(worst50, Overlap(TopRows(exact, 50), TopRows(scores, 50)));
    const double overlap300 = Overlap(TopRows(exact, 300), TopRows(scores, 300));
    worst300 = std::min(worst300, overlap300);
    sum300 += overlap300;
  }
  EXPECT_GE(worst10, 0.9);
  EXPECT_GE(worst50, 0.94);
  EXPECT_GE(worst300, 0.95);
  EXPECT_GE(sum300 / viewers, 0.97);
}

}  // namespace
}  // namespace cinerec::ml
