#include "collect/postgres_sink.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>

#include "collect/collect_test_support.h"

namespace cinerec::collect {
namespace {

constexpr std::int64_t kT = 1'795'000'000'000;  // 2026-11-18, Unix ms

using testing_support::TestEventId;

Event Watch(int id, EventType type, std::int64_t time, std::uint32_t position, std::string session = "s1",
            std::int64_t user = 7, std::int64_t movie = 70) {
  Event e;
  e.event_id = TestEventId(id);
  e.type = type;
  e.event_time_ms = time;
  e.user_id = user;
  e.movie_id = movie;
  e.session_id = std::move(session);
  e.position_s = position;
  return e;
}

Event Stop(int id, std::int64_t time, std::uint32_t position, std::uint32_t watched) {
  Event e = Watch(id, EventType::kViewStop, time, position);
  e.watched_s = watched;
  return e;
}

Event React(int id, EventType type, std::int64_t time, std::int64_t user = 7, std::int64_t movie = 70) {
  Event e;
  e.event_id = TestEventId(id);
  e.type = type;
  e.event_time_ms = time;
  e.user_id = user;
  e.movie_id = movie;
  return e;
}

// Every permutation of `events` aggregates to the same batch as the first order.
void ExpectOrderIndependent(std::vector<Event> events) {
  std::vector<int> order(events.size());
  for (std::size_t i = 0; i < order.size(); ++i)
    order[i] = static_cast<int>(i);
  const auto expected = AggregateBatch(events);
  do {
    std::vector<Event> permuted;
    for (int i : order)
      permuted.push_back(events[static_cast<std::size_t>(i)]);
    const auto got = AggregateBatch(permuted);
    ASSERT_EQ(got.views, expected.views);
    ASSERT_EQ(got.reactions, expected.reactions);
  } while (std::next_permutation(order.begin(), order.end()));
}

TEST(PostgresSinkAggregate, OneRowPerSessionWithTheConvergentRules) {
  auto start = Watch(1, EventType::kViewStart, kT, 0);
  start.device = "tv";
  auto progress = Watch(2, EventType::kViewProgress, kT + 60'000, 600);
  auto seek = Watch(3, EventType::kViewSeek, kT + 90'000, 300);
  seek.seek_from_s = 620;
  auto stop = Stop(4, kT + 120'000, 330, 640);
  stop.device = "phone";
  const auto batch = AggregateBatch(std::vector<Event>{progress, stop, start, seek});

  ASSERT_EQ(batch.views.size(), 1u);
  const auto& row = batch.views[0];
  EXPECT_EQ(row.user_id, 7);
  EXPECT_EQ(row.movie_id, 70);
  EXPECT_EQ(row.session_key, "s1");
  EXPECT_EQ(row.started_ms, kT);
  EXPECT_EQ(row.last_ms, kT + 120'000);
  EXPECT_EQ(row.last_position_s, 330);  // the latest event's, although an earlier one was further
  EXPECT_EQ(row.watched_s, 640);
  EXPECT_EQ(row.reach_s, 640);
  EXPECT_TRUE(row.start_or_stop);
  EXPECT_EQ(row.device, "phone");  // latest non-empty
  EXPECT_TRUE(batch.reactions.empty());
  EXPECT_EQ(batch.malformed, 0u);
}

TEST(PostgresSinkAggregate, ReachIsTheFurthestPositionEvenAfterSeekingBack) {
  const auto batch = AggregateBatch(std::vector<Event>{Watch(1, EventType::kViewProgress, kT, 5000),
                                                       Watch(2, EventType::kViewSeek, kT + 1000, 10)});
  ASSERT_EQ(batch.views.size(), 1u);
  EXPECT_EQ(batch.views[0].reach_s, 5000);
  EXPECT_EQ(batch.views[0].last_position_s, 10);
  EXPECT_FALSE(batch.views[0].start_or_stop);  // heartbeats and seeks alone
  EXPECT_EQ(batch.views[0].device, "");
}

TEST(PostgresSinkAggregate, SameTimeTakesTheGreaterPosition) {
  const auto batch = AggregateBatch(std::vector<Event>{Watch(2, EventType::kViewProgress, kT, 90),
                                                       Watch(1, EventType::kViewPause, kT, 120)});
  ASSERT_EQ(batch.views.size(), 1u);
  EXPECT_EQ(batch.views[0].last_position_s, 120);
}

TEST(PostgresSinkAggregate, MovieOfTheSessionsFirstEvent) {
  const auto batch =
      AggregateBatch(std::vector<Event>{Watch(1, EventType::kViewProgress, kT + 5, 1, "s1", 7, 71),
                                        Watch(2, EventType::kViewStart, kT, 0, "s1", 7, 70)});
  ASSERT_EQ(batch.views.size(), 1u);
  EXPECT_EQ(batch.views[0].movie_id, 70);
}

TEST(PostgresSinkAggregate, SessionsAreKeyedByUserAndSessionIdAndSorted) {
  const auto batch = AggregateBatch(std::vector<Event>{
      Watch(1, EventType::kViewProgress, kT, 1, "b", 8), Watch(2, EventType::kViewProgress, kT, 1, "b", 7),
      Watch(3, EventType::kViewProgress, kT, 1, "a", 8), Watch(4, EventType::kViewProgress, kT, 1, "b", 7)});
  ASSERT_EQ(batch.views.size(), 3u);
  EXPECT_EQ(batch.views[0].user_id, 7);
  EXPECT_EQ(batch.views[1].user_id, 8);
  EXPECT_EQ(batch.views[1].session_key, "a");
  EXPECT_EQ(batch.views[2].session_key, "b");
}

TEST(PostgresSinkAggregate, LastReactionWinsByTimeThenEventId) {
  const auto batch = AggregateBatch(
      std::vector<Event>{React(3, EventType::kReactionClear, kT + 2), React(1, EventType::kLike, kT),
                         React(2, EventType::kDislike, kT + 1), React(5, EventType::kLike, kT, 7, 71),
                         React(4, EventType::kDislike, kT, 7, 71)});
  ASSERT_EQ(batch.reactions.size(), 2u);
  EXPECT_EQ(batch.reactions[0], (ReactionRow{7, 70, 0, kT + 2, TestEventId(3)}));
  EXPECT_EQ(batch.reactions[1], (ReactionRow{7, 71, 1, kT, TestEventId(5)}));  // same time: the greater id
  EXPECT_TRUE(batch.views.empty());
}

TEST(PostgresSinkAggregate, AnyOrderGivesTheSameRows) {
  auto start = Watch(1, EventType::kViewStart, kT, 0);
  start.device = "tv";
  auto other = Watch(5, EventType::kViewProgress, kT + 10, 50);
  other.device = "box";  // same time as below: the device is still chosen independently of order
  ExpectOrderIndependent({start, Watch(2, EventType::kViewProgress, kT + 10, 40), other,
                          Stop(3, kT + 20, 45, 44), React(4, EventType::kLike, kT + 5),
                          React(6, EventType::kReactionClear, kT + 5),
                          React(7, EventType::kDislike, kT + 1)});
}

TEST(PostgresSinkAggregate, UnstorableSessionIdsAreCountedNotWritten) {
  auto empty = Watch(1, EventType::kViewProgress, kT, 1, "");
  auto too_long = Watch(2, EventType::kViewProgress, kT, 1, std::string(129, 'x'));
  auto not_utf8 = Watch(3, EventType::kViewProgress, kT, 1, "\xff");
  auto nul = Watch(4, EventType::kViewProgress, kT, 1, std::string("a\0b", 3));
  auto longest = Watch(5, EventType::kViewProgress, kT, 1, std::string(128, 'y'));
  const auto batch = AggregateBatch(std::vector<Event>{empty, too_long, not_utf8, nul, longest});
  EXPECT_EQ(batch.malformed, 4u);
  ASSERT_EQ(batch.views.size(), 1u);
  EXPECT_EQ(batch.views[0].session_key, longest.session_id);
}

TEST(PostgresSinkAggregate, UnstorableDevicesAreIgnored) {
  auto good = Watch(1, EventType::kViewStart, kT, 0);
  good.device = "tv";
  auto too_long = Watch(2, EventType::kViewProgress, kT + 1, 1);
  too_long.device = std::string(65, 'd');
  const auto batch = AggregateBatch(std::vector<Event>{good, too_long});
  ASSERT_EQ(batch.views.size(), 1u);
  EXPECT_EQ(batch.views[0].device, "tv");
}

TEST(PostgresSinkAggregate, SecondsBeyondTheIntegerColumnsAreClamped) {
  auto stop = Stop(1, kT, 4'000'000'000u, 3'000'000'000u);
  const auto batch = AggregateBatch(std::vector<Event>{stop});
  ASSERT_EQ(batch.views.size(), 1u);
  EXPECT_EQ(batch.views[0].last_position_s, 2'147'483'647);
  EXPECT_EQ(batch.views[0].watched_s, 2'147'483'647);
}

TEST(PostgresSinkAggregate, OtherEventTypesAreIgnored) {
  Event click = React(1, EventType::kClick, kT);
  click.target = "poster";
  Event search = React(2, EventType::kSearch, kT);
  const auto batch = AggregateBatch(std::vector<Event>{click, search});
  EXPECT_TRUE(batch.views.empty());
  EXPECT_TRUE(batch.reactions.empty());
  EXPECT_EQ(batch.malformed, 0u);
}

}  // namespace
}  // namespace cinerec::collect
