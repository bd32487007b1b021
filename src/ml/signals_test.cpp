#include "ml/signals.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace cinerec::ml {
namespace {

Interaction Map(const SignalWeights& w, SignalKind kind, float share = 1.0f) {
  auto x = ToInteraction(w, 3, 4, {kind, share, 123});
  EXPECT_TRUE(x.has_value());
  return x.value_or(Interaction{});
}

TEST(SignalsTest, DefaultMapping) {
  const SignalWeights w;
  const Interaction completed = Map(w, SignalKind::kCompletedView);
  EXPECT_EQ(completed.user, 3);
  EXPECT_EQ(completed.item, 4);
  EXPECT_EQ(completed.time_ms, 123);
  EXPECT_FLOAT_EQ(completed.preference, 1.0f);
  EXPECT_FLOAT_EQ(completed.confidence, 1.0f);

  EXPECT_FLOAT_EQ(Map(w, SignalKind::kLike).confidence, 2.0f);
  EXPECT_FLOAT_EQ(Map(w, SignalKind::kLike).preference, 1.0f);
  EXPECT_FLOAT_EQ(Map(w, SignalKind::kDislike).confidence, 2.0f);
  EXPECT_FLOAT_EQ(Map(w, SignalKind::kDislike).preference, 0.0f);
  EXPECT_FLOAT_EQ(Map(w, SignalKind::kRewatch).confidence, 0.5f);
  EXPECT_FLOAT_EQ(Map(w, SignalKind::kRewatch).preference, 1.0f);
}

TEST(SignalsTest, PartialViewsByWatchedShare) {
  const SignalWeights w;
  const Interaction nearly = Map(w, SignalKind::kPartialView, 0.95f);  // counts as completed
  EXPECT_FLOAT_EQ(nearly.preference, 1.0f);
  EXPECT_FLOAT_EQ(nearly.confidence, 1.0f);
  const Interaction half = Map(w, SignalKind::kPartialView, 0.5f);
  EXPECT_FLOAT_EQ(half.preference, 1.0f);
  EXPECT_FLOAT_EQ(half.confidence, 0.5f);
  const Interaction abandoned = Map(w, SignalKind::kPartialView, 0.1f);
  EXPECT_FLOAT_EQ(abandoned.preference, 0.0f);
  EXPECT_FLOAT_EQ(abandoned.confidence, 0.5f);
  EXPECT_FLOAT_EQ(Map(w, SignalKind::kPartialView, 7.0f).confidence, 1.0f);  // clamped to 1
}

TEST(SignalsTest, ConfigurableAndZeroWeightSwitchesOff) {
  SignalWeights w;
  w.like_confidence = 5.0f;
  w.rewatch_confidence = 0.0f;
  EXPECT_FLOAT_EQ(Map(w, SignalKind::kLike).confidence, 5.0f);
  EXPECT_FALSE(ToInteraction(w, 0, 0, {SignalKind::kRewatch, 1.0f, 0}).has_value());
}

TEST(SignalsTest, ValidateNamesTheField) {
  SignalWeights w;
  EXPECT_NO_THROW(w.Validate());
  w.dislike_confidence = -1.0f;
  try {
    w.Validate();
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("dislike_confidence"), std::string::npos);
  }
  SignalWeights order;
  order.positive_share = 0.95f;
  EXPECT_THROW(order.Validate(), std::invalid_argument);
  EXPECT_EQ(SignalKindName(SignalKind::kPartialView), "partial_view");
}

}  // namespace
}  // namespace cinerec::ml
