#include "training/view_signals.h"

#include <gtest/gtest.h>

namespace cinerec::training {
namespace {

ViewRow View(std::int64_t watched_s, bool completed, std::optional<std::int64_t> duration_s, std::int64_t t) {
  return {7, 9, watched_s, completed, duration_s, t};
}

TEST(ViewSignalsTest, FirstCompleteViewThenRewatches) {
  const std::vector<ViewRow> views = {View(100, false, 1000, 1), View(1000, true, 1000, 2),
                                      View(950, false, 1000, 3), View(10, true, std::nullopt, 4)};
  const auto signals = ViewSignals(views, 0.9f);
  ASSERT_EQ(signals.size(), 4u);
  EXPECT_EQ(signals[0].kind, ml::SignalKind::kPartialView);
  EXPECT_FLOAT_EQ(signals[0].watched_share, 0.1f);
  EXPECT_EQ(signals[1].kind, ml::SignalKind::kCompletedView);
  EXPECT_EQ(signals[1].time_ms, 2);
  // 95% counts as complete, so it is a re-watch; so is a completed view without a known duration.
  EXPECT_EQ(signals[2].kind, ml::SignalKind::kRewatch);
  EXPECT_EQ(signals[3].kind, ml::SignalKind::kRewatch);
  EXPECT_EQ(signals[3].time_ms, 4);
}

TEST(ViewSignalsTest, UnknownDurationAndClamping) {
  const std::vector<ViewRow> unknown = {View(500, false, std::nullopt, 1), View(500, false, 0, 2)};
  EXPECT_TRUE(ViewSignals(unknown, 0.9f).empty());
  // watched_s beyond the duration (a rewind) is complete, not a share above 1.
  const std::vector<ViewRow> over = {View(5000, false, 1000, 1)};
  const auto signals = ViewSignals(over, 0.9f);
  ASSERT_EQ(signals.size(), 1u);
  EXPECT_EQ(signals[0].kind, ml::SignalKind::kCompletedView);
}

TEST(ViewSignalsTest, Reactions) {
  EXPECT_EQ(ReactionSignal(1, 5)->kind, ml::SignalKind::kLike);
  EXPECT_EQ(ReactionSignal(1, 5)->time_ms, 5);
  EXPECT_EQ(ReactionSignal(-1, 5)->kind, ml::SignalKind::kDislike);
  EXPECT_FALSE(ReactionSignal(0, 5));
  EXPECT_FALSE(ReactionSignal(2, 5));
}

}  // namespace
}  // namespace cinerec::training
