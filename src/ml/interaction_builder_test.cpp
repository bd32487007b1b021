#include "ml/interaction_builder.h"

#include <gtest/gtest.h>

namespace cinerec::ml {
namespace {

TEST(InteractionBuilderTest, MapsIdsAndSignalsIntoAMatrix) {
  SignalWeights weights;
  weights.rewatch_confidence = 0;  // switched off
  InteractionBuilder builder(weights);
  EXPECT_TRUE(builder.Add(501, 9001, {SignalKind::kCompletedView, 1.0f, 10}));
  EXPECT_TRUE(builder.Add(501, 9001, {SignalKind::kDislike, 1.0f, 20}));
  EXPECT_TRUE(builder.Add(777, 9002, {SignalKind::kPartialView, 0.5f, 30}));
  EXPECT_FALSE(builder.Add(888, 9003, {SignalKind::kRewatch, 1.0f, 40}));
  EXPECT_EQ(builder.AddMovie(9004), 2);
  EXPECT_EQ(builder.size(), 3u);

  const InteractionMatrix m = builder.Build();
  EXPECT_EQ(m.users(), 2);  // user 888 only had a switched-off signal
  EXPECT_EQ(m.items(), 3);
  EXPECT_EQ(m.user_ids().Id(1), 777);
  EXPECT_EQ(m.item_ids().Find(9004), 2);
  ASSERT_EQ(m.nnz(), 2);
  // User 501, movie 9001: view (1, 1) + dislike (0, 2).
  EXPECT_FLOAT_EQ(m.by_user().preference[0], 1.0f / 3.0f);
  EXPECT_FLOAT_EQ(m.by_user().confidence[0], 3.0f);
  EXPECT_EQ(m.by_user().time_ms[0], 20);
  EXPECT_FLOAT_EQ(m.by_user().confidence[1], 0.5f);
  EXPECT_EQ(m.by_item().RowSize(2), 0);  // known movie, no signal
}

TEST(InteractionBuilderTest, RefusesInvalidWeights) {
  SignalWeights weights;
  weights.like_confidence = -2;
  EXPECT_THROW(InteractionBuilder{weights}, std::invalid_argument);
}

}  // namespace
}  // namespace cinerec::ml
