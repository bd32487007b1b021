#include "ml/evaluate.h"

#include <gtest/gtest.h>

#include <cmath>

#include "ml/popularity.h"

namespace cinerec::ml {
namespace {

// Scores item i as 10 - i for every user: the ranking is 0, 1, 2, ... minus the training items.
class FixedRecommender : public Recommender {
 public:
  std::string name() const override { return "fixed"; }
  std::int32_t items() const override { return 6; }
  void Score(std::int32_t, std::span<const Interaction>, std::span<float> scores) const override {
    for (std::size_t i = 0; i < scores.size(); ++i)
      scores[i] = 10.0f - static_cast<float>(i);
  }
};

TEST(EvaluateTest, ExcludesTrainingItemsAndAveragesOverUsers) {
  // User 0 trained on items 0, 1: ranking 2, 3, 4, 5; held out: 3 (hit at rank 2) and 5 (rank 4).
  // User 1 trained on item 2: ranking 0, 1, 3, 4, 5; held out: 0 (rank 1), and a dislike of 1 (not relevant).
  // User 2 has nothing held out: not evaluated.
  const std::vector<Interaction> train = {{0, 0, 1, 1, 0}, {0, 1, 1, 1, 0}, {1, 2, 1, 1, 0}, {2, 0, 1, 1, 0}};
  const std::vector<Interaction> test = {{0, 3, 1, 1, 0}, {0, 5, 1, 1, 0}, {1, 0, 1, 1, 0}, {1, 1, 0, 2, 0}};
  const auto m = InteractionMatrix::Build(3, 6, train);
  EvaluationOptions options;
  options.ks = {2, 4};
  const EvaluationResult r = Evaluate(FixedRecommender(), m, test, options);
  EXPECT_EQ(r.model, "fixed");
  EXPECT_EQ(r.users, 2);
  ASSERT_EQ(r.at.size(), 2u);
  const MetricsAtK& at2 = *r.At(2);
  // @2: user 0 [2, 3] -> 1 hit of 2; user 1 [0, 1] -> 1 hit of 1.
  EXPECT_DOUBLE_EQ(at2.precision, (0.5 + 0.5) / 2);
  EXPECT_DOUBLE_EQ(at2.recall, (0.5 + 1.0) / 2);
  EXPECT_DOUBLE_EQ(at2.hit_rate, 1.0);
  const double ndcg_u0 = (1 / std::log2(3.0)) / (1 + 1 / std::log2(3.0));
  EXPECT_NEAR(at2.ndcg, (ndcg_u0 + 1.0) / 2, 1e-12);
  EXPECT_DOUBLE_EQ(at2.map, (0.5 / 2 + 1.0) / 2);
  // Items in anyone's top 2: {2, 3, 0, 1} of 6.
  EXPECT_DOUBLE_EQ(at2.coverage, 4.0 / 6.0);
  const MetricsAtK& at4 = *r.At(4);
  EXPECT_DOUBLE_EQ(at4.recall, 1.0);
  EXPECT_DOUBLE_EQ(at4.map, ((1.0 / 2 + 2.0 / 4) / 2 + 1.0) / 2);
  EXPECT_DOUBLE_EQ(at4.coverage, 1.0);
  EXPECT_EQ(r.At(7), nullptr);

  const std::string table = FormatEvaluation(std::vector<EvaluationResult>{r});
  EXPECT_NE(table.find("ndcg"), std::string::npos);
  EXPECT_NE(table.find("fixed"), std::string::npos);
}

TEST(EvaluateTest, SameResultWhateverTheThreads) {
  std::vector<Interaction> train, test;
  for (std::int32_t u = 0; u < 200; ++u) {
    for (std::int32_t i = 0; i < 30; ++i) {
      if ((u * 7 + i * 3) % 5 == 0) train.push_back({u, i, 1, 1, 0});
      if ((u * 11 + i) % 13 == 0) test.push_back({u, i, 1, 1, 0});
    }
  }
  const auto m = InteractionMatrix::Build(200, 30, train);
  const PopularityRecommender popular(PopularityScores(m, {}));
  EvaluationOptions options;
  options.threads = 1;
  const auto one = Evaluate(popular, m, test, options);
  options.threads = 2;
  const auto two = Evaluate(popular, m, test, options);
  ASSERT_EQ(one.at.size(), two.at.size());
  for (std::size_t q = 0; q < one.at.size(); ++q) {
    EXPECT_EQ(one.at[q].ndcg, two.at[q].ndcg);
    EXPECT_EQ(one.at[q].map, two.at[q].map);
    EXPECT_EQ(one.at[q].coverage, two.at[q].coverage);
  }
  EXPECT_GT(one.users, 0);
}

TEST(EvaluateTest, RefusesMismatchedInputs) {
  const auto m = InteractionMatrix::Build(1, 5, std::vector<Interaction>{});
  EXPECT_THROW(Evaluate(FixedRecommender(), m, {}), std::invalid_argument);
}

}  // namespace
}  // namespace cinerec::ml
