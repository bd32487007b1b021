#include "training/trainer.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <sstream>

#include "ml/random.h"

namespace cinerec::training {
namespace {

// 300 users in 3 taste groups (movie i belongs to group i % 3), 12 movies each, 85% from their group, the
// rest from anywhere; times increase with the draw, so a time split holds out each user's last draws.
ml::InteractionMatrix Grouped() {
  ml::SplitMix64 rng(11);
  std::vector<ml::Interaction> xs;
  for (std::int32_t u = 0; u < 300; ++u) {
    for (int n = 0; n < 12; ++n) {
      std::int32_t item = static_cast<std::int32_t>(rng.Below(60));
      if (rng.Unit() < 0.85) item = item - item % 3 + u % 3;
      xs.push_back({u, item, 1.0f, 1.0f, n * 1000 + u});
    }
  }
  return ml::InteractionMatrix::Build(300, 60, xs);
}

ModelOptions Small() {
  ModelOptions o;
  o.als.factors = 6;
  o.als.iterations = 6;
  o.als.regularization = 1.0f;
  o.als.alpha = 5.0f;
  o.als.threads = 2;
  o.ease_options.regularization = 20.0f;
  return o;
}

TEST(TrainerTest, AlsAndEaseBeatPopularityAndProgressIsReported) {
  const auto matrix = Grouped();
  const auto held_out = SplitMatrix(matrix, {SplitKind::kTime, 0.2, 1});
  EXPECT_EQ(held_out.train.users(), matrix.users());
  EXPECT_EQ(held_out.train.nnz() + static_cast<std::int64_t>(held_out.test.size()), matrix.nnz());
  std::ostringstream progress;
  const auto fit = FitAndEvaluate(held_out.train, held_out.test, Small(), progress);
  ASSERT_EQ(fit.evaluation.size(), 3u);
  EXPECT_EQ(fit.evaluation[0].model, "popularity");
  EXPECT_EQ(fit.evaluation[1].model, "als");
  EXPECT_EQ(fit.evaluation[2].model, "ease");
  const double popular = fit.evaluation[0].At(10)->ndcg;
  EXPECT_GT(fit.evaluation[1].At(10)->ndcg, 1.5 * popular);
  EXPECT_GT(fit.evaluation[2].At(10)->ndcg, 1.5 * popular);
  EXPECT_GE(fit.best_iteration, 1);
  EXPECT_DOUBLE_EQ(fit.best_ndcg10, fit.evaluation[1].At(10)->ndcg);
  EXPECT_NE(progress.str().find("als: iteration   1"), std::string::npos) << progress.str();
  EXPECT_NE(progress.str().find("validation ndcg@10"), std::string::npos);
}

TEST(TrainerTest, SameSeedSameFactorsWithAnyThreads) {
  const auto matrix = Grouped();
  const auto held_out = SplitMatrix(matrix, {SplitKind::kRandom, 0.2, 3});
  auto options = Small();
  options.ease = false;
  std::ostringstream sink;
  const auto a = FitAndEvaluate(held_out.train, held_out.test, options, sink);
  options.als.threads = 1;
  const auto b = FitAndEvaluate(held_out.train, held_out.test, options, sink);
  EXPECT_EQ(a.best_iteration, b.best_iteration);
  EXPECT_EQ(a.als.item_factors, b.als.item_factors);
  EXPECT_EQ(a.als.user_factors, b.als.user_factors);
  EXPECT_EQ(a.evaluation.size(), 2u);
}

TEST(TrainerTest, EarlyStopKeepsTheBestIteration) {
  const auto matrix = Grouped();
  const auto held_out = SplitMatrix(matrix, {SplitKind::kTime, 0.2, 1});
  auto options = Small();
  options.ease = false;
  options.als.iterations = 30;
  options.patience = 1;
  std::ostringstream progress;
  const auto fit = FitAndEvaluate(held_out.train, held_out.test, options, progress);
  // Stops at the first iteration that is not better: the best one is the one before it.
  if (progress.str().find("stopped early") != std::string::npos) {
    EXPECT_NE(progress.str().find(fmt::format("iteration {:>3}", fit.best_iteration + 1)), std::string::npos);
    EXPECT_EQ(progress.str().find(fmt::format("iteration {:>3}", fit.best_iteration + 2)), std::string::npos);
  }
  EXPECT_DOUBLE_EQ(fit.best_ndcg10, fit.evaluation[1].At(10)->ndcg);
}

}  // namespace
}  // namespace cinerec::training
