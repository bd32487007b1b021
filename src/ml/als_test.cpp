#include "ml/als.h"

#include <gtest/gtest.h>

#include <cmath>

#include "ml/als_recommender.h"
#include "ml/random.h"
#include "ml/top_k.h"

namespace cinerec::ml {
namespace {

// Two taste groups: users 0-3 watch items 0-2, users 4-7 watch items 3-5; user 0 has not seen item 2.
std::vector<Interaction> TwoGroups() {
  std::vector<Interaction> xs;
  for (std::int32_t u = 0; u < 8; ++u) {
    const std::int32_t first = u < 4 ? 0 : 3;
    for (std::int32_t i = first; i < first + 3; ++i) {
      if (u == 0 && i == 2) continue;
      xs.push_back({u, i, 1.0f, 1.0f, 0});
    }
  }
  xs.push_back({5, 1, 0.0f, 2.0f, 0});  // a dislike across groups
  return xs;
}

// A random sparse matrix large enough for several parallel chunks.
InteractionMatrix RandomMatrix(std::int32_t users, std::int32_t items, int per_user, std::uint64_t seed) {
  SplitMix64 rng(seed);
  std::vector<Interaction> xs;
  for (std::int32_t u = 0; u < users; ++u) {
    for (int n = 0; n < per_user; ++n) {
      const auto item = static_cast<std::int32_t>(rng.Below(static_cast<std::uint64_t>(items)));
      xs.push_back({u, item, rng.Unit() < 0.8 ? 1.0f : 0.0f, static_cast<float>(1.0 + 2.0 * rng.Unit()), 0});
    }
  }
  return InteractionMatrix::Build(users, items, xs);
}

AlsOptions Small() {
  AlsOptions o;
  o.factors = 3;
  o.regularization = 0.05f;
  o.alpha = 5.0f;
  o.iterations = 12;
  o.threads = 1;
  return o;
}

std::vector<double> Losses(const InteractionMatrix& m, const AlsOptions& o) {
  std::vector<double> losses;
  TrainAls(m, o, [&](const AlsProgress& p) {
    losses.push_back(p.loss);
    return true;
  });
  return losses;
}

TEST(AlsTest, LossDecreasesMonotonically) {
  const auto m = InteractionMatrix::Build(8, 6, TwoGroups());
  for (int cg_steps : {0, 1, 3}) {
    AlsOptions o = Small();
    o.cg_steps = cg_steps;
    const auto losses = Losses(m, o);
    ASSERT_EQ(losses.size(), 12u);
    for (std::size_t i = 1; i < losses.size(); ++i)
      EXPECT_LE(losses[i], losses[i - 1] * (1 + 1e-6)) << "cg_steps " << cg_steps << " iteration " << i + 1;
    EXPECT_LT(losses.back(), losses.front());
  }
}

TEST(AlsTest, LossMatchesBruteForce) {
  const auto m = InteractionMatrix::Build(8, 6, TwoGroups());
  AlsOptions o = Small();
  o.iterations = 2;
  const AlsModel model = TrainAls(m, o);
  double brute = 0;
  for (std::int32_t u = 0; u < 8; ++u) {
    for (std::int32_t i = 0; i < 6; ++i) {
      double s = 0;
      for (int d = 0; d < 3; ++d)
        s += static_cast<double>(model.UserVector(u)[static_cast<std::size_t>(d)])
             * model.ItemVector(i)[static_cast<std::size_t>(d)];
      double p = 0, c = 1;
      const auto& r = m.by_user();
      for (std::int64_t k = r.RowBegin(u); k < r.RowEnd(u); ++k) {
        if (r.columns[static_cast<std::size_t>(k)] == i) {
          p = r.preference[static_cast<std::size_t>(k)];
          c = 1.0 + o.alpha * r.confidence[static_cast<std::size_t>(k)];
        }
      }
      brute += c * (p - s) * (p - s);
    }
  }
  for (float v : model.user_factors)
    brute += o.regularization * v * v;
  for (float v : model.item_factors)
    brute += o.regularization * v * v;
  EXPECT_NEAR(AlsLoss(m, model, o.regularization, o.alpha, 1), brute, 1e-4 * brute);
}

TEST(AlsTest, RecoversTheGroupStructure) {
  const auto m = InteractionMatrix::Build(8, 6, TwoGroups());
  const AlsModel model = TrainAls(m, Small());
  const AlsRecommender als(model, Small().regularization, Small().alpha);
  std::vector<float> scores(6);
  als.Score(0, {}, scores);
  // Unseen by user 0: items 2-5; item 2 is the one of their group.
  EXPECT_EQ(TopK(scores, 1, m.by_user().RowColumns(0)), (std::vector<std::int32_t>{2}));
  // A new user who watched items 3 and 4 is folded in next to the second group.
  const std::vector<Interaction> history = {{-1, 3, 1.0f, 1.0f, 0}, {-1, 4, 1.0f, 1.0f, 0}};
  als.Score(-1, history, scores);
  EXPECT_EQ(TopK(scores, 1, std::vector<std::int32_t>{3, 4}), (std::vector<std::int32_t>{5}));
}

TEST(AlsTest, FoldInEqualsTheExactUserStep) {
  const auto m = InteractionMatrix::Build(8, 6, TwoGroups());
  AlsOptions o = Small();
  o.cg_steps = 0;
  const AlsModel model = TrainAls(m, o);
  const AlsFoldIn fold_in(model, o.regularization, o.alpha);
  // One more exact user step against the final item factors is what fold-in computes for user 4.
  std::vector<Interaction> history;
  for (const auto& x : m.Cells()) {
    if (x.user == 4) history.push_back(x);
  }
  const auto x = fold_in.UserVector(history);
  // The gradient of user 4's loss at x is zero: check that moving along any axis does not lower it.
  auto loss_at = [&](const std::vector<float>& v) {
    AlsModel probe = model;
    std::copy(v.begin(), v.end(), probe.user_factors.begin() + 4 * o.factors);
    return AlsLoss(m, probe, o.regularization, o.alpha, 1);
  };
  const double at_x = loss_at(x);
  for (std::size_t d = 0; d < x.size(); ++d) {
    for (float delta : {-1e-2f, 1e-2f}) {
      auto moved = x;
      moved[d] += delta;
      EXPECT_GT(loss_at(moved), at_x - 1e-7);
    }
  }
  // Duplicates and unknown items in the history are handled: a duplicate split of one cell is the same cell.
  std::vector<Interaction> split_history = history;
  split_history[0].confidence /= 2;
  split_history.push_back(split_history[0]);
  split_history.push_back({0, 99, 1.0f, 1.0f, 0});
  const auto same = fold_in.UserVector(split_history);
  for (std::size_t d = 0; d < x.size(); ++d)
    EXPECT_NEAR(same[d], x[d], 1e-6);
}

TEST(AlsTest, DeterministicForASeedWhateverTheThreads) {
  const auto m = RandomMatrix(300, 60, 12, 7);
  AlsOptions o;
  o.factors = 8;
  o.iterations = 3;
  o.threads = 1;
  const AlsModel one = TrainAls(m, o);
  o.threads = 2;
  const AlsModel two = TrainAls(m, o);
  EXPECT_EQ(one.user_factors, two.user_factors);  // bit-identical
  EXPECT_EQ(one.item_factors, two.item_factors);
  EXPECT_EQ(AlsLoss(m, one, o.regularization, o.alpha, 1), AlsLoss(m, two, o.regularization, o.alpha, 2));
  o.seed = 43;
  EXPECT_NE(TrainAls(m, o).item_factors, one.item_factors);
}

TEST(AlsTest, CallbackStopsEarly) {
  const auto m = InteractionMatrix::Build(8, 6, TwoGroups());
  AlsOptions o = Small();
  o.compute_loss = false;
  int calls = 0;
  TrainAls(m, o, [&](const AlsProgress& p) {
    ++calls;
    EXPECT_TRUE(std::isnan(p.loss));
    EXPECT_GE(p.seconds, 0.0);
    return p.iteration < 2;
  });
  EXPECT_EQ(calls, 2);
}

TEST(AlsTest, RefusesInvalidOptions) {
  const auto m = InteractionMatrix::Build(1, 1, std::vector<Interaction>{});
  AlsOptions o;
  o.factors = 0;
  EXPECT_THROW(TrainAls(m, o), std::invalid_argument);
  o = AlsOptions{};
  o.regularization = -1;
  EXPECT_THROW(TrainAls(m, o), std::invalid_argument);
}

}  // namespace
}  // namespace cinerec::ml
