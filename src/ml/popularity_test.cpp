#include "ml/popularity.h"

#include <gtest/gtest.h>

namespace cinerec::ml {
namespace {

constexpr std::int64_t kDay = 86400LL * 1000;

TEST(PopularityTest, DecaysByHalfLifeAndCountsCellsOnce) {
  const std::int64_t now = 1000 * kDay;
  const std::vector<Interaction> xs = {
      {0, 0, 1, 1, now},
      {0, 0, 1, 2, now},              // a view and a like: one cell
      {1, 0, 1, 1, now - 30 * kDay},  // one half-life old
      {2, 1, 1, 1, now - 60 * kDay},  // two
      {3, 1, 0, 2, now},              // a dislike: not counted
      {4, 2, 1, 1, now + kDay},       // from the future: age 0
  };
  const auto m = InteractionMatrix::Build(5, 3, xs);
  PopularityOptions options;
  options.half_life_days = 30;
  options.now_ms = now;
  const auto scores = PopularityScores(m, options);
  EXPECT_NEAR(scores[0], 1.5, 1e-6);
  EXPECT_NEAR(scores[1], 0.25, 1e-6);
  EXPECT_NEAR(scores[2], 1.0, 1e-6);

  options.half_life_days = 0;  // plain counts
  EXPECT_EQ(PopularityScores(m, options), (std::vector<float>{2, 1, 1}));
  // now = 0: the latest time in the data, so item 2 is the only one at full weight.
  options.half_life_days = 30;
  options.now_ms = 0;
  EXPECT_NEAR(PopularityScores(m, options)[2], 1.0, 1e-6);
}

TEST(PopularityTest, RecommenderGivesEveryoneTheSameScores) {
  const PopularityRecommender popular({3, 1, 2});
  std::vector<float> scores(3);
  popular.Score(7, {}, scores);
  EXPECT_EQ(scores, (std::vector<float>{3, 1, 2}));
  EXPECT_EQ(popular.items(), 3);
}

}  // namespace
}  // namespace cinerec::ml
