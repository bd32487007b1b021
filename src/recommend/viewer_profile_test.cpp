#include "recommend/viewer_profile.h"

#include <gtest/gtest.h>

namespace cinerec::recommend {
namespace {

ml::SignalWeights Weights() {
  return {};
}

TEST(ViewerFacts, CombinesSignalsOfOneMovieLikeTraining) {
  ViewerHistory history;
  history.exists = true;
  // Movie 10: completed then disliked -> preference (1*1 + 0*2) / 3 at confidence 3.
  history.views = {{10, 100, true, 100, 1000}};
  history.reactions = {{10, -1, 2000}};
  const ml::IdMap items(std::vector<std::int64_t>{30, 10});
  const auto facts = BuildViewerFacts(5, history, &items, Weights());
  ASSERT_EQ(facts.profile.history.size(), 1u);
  EXPECT_EQ(facts.profile.history[0].item, 1);
  EXPECT_FLOAT_EQ(facts.profile.history[0].confidence, 3.0f);
  EXPECT_FLOAT_EQ(facts.profile.history[0].preference, 1.0f / 3.0f);
  EXPECT_EQ(facts.profile.user_id, 5);
  EXPECT_TRUE(facts.excluded.contains(10));
  EXPECT_TRUE(facts.positives.empty()) << "a disliked movie explains nothing";
}

TEST(ViewerFacts, ExcludesFinishedLikedAndDislikedButNotPartialViews) {
  ViewerHistory history;
  history.views = {{1, 95, false, 100, 1000},  // 95% of the movie: complete by share
                   {2, 30, false, 100, 1000},  // partial: may be recommended again
                   {3, 10, true, std::nullopt, 3000}};
  history.reactions = {{4, 1, 4000}, {5, -1, 5000}};
  const auto facts = BuildViewerFacts(1, history, nullptr, Weights());
  EXPECT_EQ(facts.excluded, (std::unordered_set<std::int64_t>{1, 3, 4, 5}));
  EXPECT_EQ(facts.positives, (std::vector<std::int64_t>{4, 3, 1})) << "most recent first";
  EXPECT_TRUE(facts.profile.history.empty()) << "no model, no cells";
}

TEST(ViewerFacts, DropsMoviesOutsideTheModelAndKeepsOnboardingGenres) {
  ViewerHistory history;
  history.onboarding_genres = {"Drama"};
  history.views = {{99, 100, true, 100, 1000}, {7, 100, true, 100, 2000}};
  const ml::IdMap items(std::vector<std::int64_t>{7});
  const auto facts = BuildViewerFacts(1, history, &items, Weights());
  ASSERT_EQ(facts.profile.history.size(), 1u);
  EXPECT_EQ(facts.profile.history[0].item, 0);
  EXPECT_EQ(facts.profile.onboarding_genres, std::vector<std::string>{"Drama"});
}

}  // namespace
}  // namespace cinerec::recommend
