// The pieces together on a small synthetic data set with known structure: users and movies fall into four
// taste groups, popularity is skewed. Models that learn the groups must beat popularity on a held-out split.
#include <gtest/gtest.h>

#include <cmath>

#include "ml/als.h"
#include "ml/als_recommender.h"
#include "ml/ease.h"
#include "ml/evaluate.h"
#include "ml/neighbors.h"
#include "ml/popularity.h"
#include "ml/random.h"
#include "ml/split.h"

namespace cinerec::ml {
namespace {

constexpr std::int32_t kUsers = 400;
constexpr std::int32_t kItems = 120;
constexpr int kGroups = 4;

// Item i belongs to group i % 4 and has weight 1 / (1 + i / 8); a user of group g picks 80% of their 15
// movies from group g, the rest from anywhere, each draw proportional to the weights.
std::vector<Interaction> Generate(std::uint64_t seed) {
  SplitMix64 rng(seed);
  std::vector<double> weight(kItems);
  for (std::int32_t i = 0; i < kItems; ++i)
    weight[static_cast<std::size_t>(i)] = 1.0 / (1.0 + i / 8.0);
  auto draw = [&](int group) {
    double total = 0;
    for (std::int32_t i = 0; i < kItems; ++i)
      total += (group < 0 || i % kGroups == group) ? weight[static_cast<std::size_t>(i)] : 0.0;
    double at = rng.Unit() * total;
    for (std::int32_t i = 0; i < kItems; ++i) {
      if (group >= 0 && i % kGroups != group) continue;
      at -= weight[static_cast<std::size_t>(i)];
      if (at <= 0) return i;
    }
    return kItems - 1;
  };
  std::vector<Interaction> xs;
  for (std::int32_t u = 0; u < kUsers; ++u) {
    for (int n = 0; n < 15; ++n) {
      const std::int32_t item = draw(rng.Unit() < 0.8 ? u % kGroups : -1);
      xs.push_back({u, item, 1.0f, 1.0f, static_cast<std::int64_t>(rng.Below(1000000))});
    }
  }
  return xs;
}

TEST(MlPipelineTest, AlsAndEaseBeatPopularityOnGroupedData) {
  RandomSplitOptions split_options;
  split_options.fraction = 0.2;
  const Split split = SplitRandom(Generate(5), split_options);
  const auto train = InteractionMatrix::Build(kUsers, kItems, split.train);

  AlsOptions als_options;
  als_options.factors = 8;
  als_options.iterations = 8;
  als_options.regularization = 1.0f;
  als_options.alpha = 5.0f;
  const AlsModel als_model = TrainAls(train, als_options);
  const EaseModel ease_model = TrainEase(train, {50.0f, 0});

  const PopularityRecommender popularity(PopularityScores(train, {}));
  const AlsRecommender als(als_model, als_options.regularization, als_options.alpha);
  const EaseRecommender ease(ease_model);
  std::vector<EvaluationResult> results;
  for (const Recommender* r : std::initializer_list<const Recommender*>{&popularity, &als, &ease})
    results.push_back(Evaluate(*r, train, split.test));
  std::cout << FormatEvaluation(results);

  const double popular = results[0].At(10)->ndcg;
  EXPECT_GT(popular, 0.0);
  EXPECT_GT(results[1].At(10)->ndcg, 1.5 * popular);
  EXPECT_GT(results[2].At(10)->ndcg, 1.5 * popular);
  // Popularity recommends the same few items to everyone; the personal models cover more of the catalogue.
  EXPECT_GT(results[1].At(10)->coverage, results[0].At(10)->coverage);

  // Neighbours from the ALS factors mostly stay within an item's group.
  const Neighbors neighbors = CosineNeighbors(als_model.item_factors, kItems, als_options.factors, 5);
  int same = 0, total = 0;
  for (std::int32_t i = 0; i < 40; ++i) {
    for (std::int32_t j : neighbors.Ids(i)) {
      same += (j >= 0 && j % kGroups == i % kGroups) ? 1 : 0;
      ++total;
    }
  }
  EXPECT_GT(same, total * 3 / 4);
}

}  // namespace
}  // namespace cinerec::ml
