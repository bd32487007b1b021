#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>

#include "collect/collect_test_support.h"
#include "collect/postgres_sink.h"
#include "common/config.h"
#include "common/errors.h"
#include "storage/postgres/pg_pool.h"
#include "support/test_env.h"

namespace cinerec::collect {
namespace {

constexpr std::int64_t kT = 1'795'000'000'000;  // 2026-11-18, Unix ms

using testing_support::TestEventId;

Event Watch(int id, EventType type, std::int64_t time, std::int64_t user, std::int64_t movie,
            std::string session, std::uint32_t position = 0) {
  Event e;
  e.event_id = TestEventId(id);
  e.type = type;
  e.event_time_ms = time;
  e.received_ms = time;
  e.user_id = user;
  e.movie_id = movie;
  e.session_id = std::move(session);
  e.position_s = position;
  if (type == EventType::kViewSeek) e.seek_to_s = position;
  return e;
}

Event Stop(int id, std::int64_t time, std::int64_t user, std::int64_t movie, std::string session,
           std::uint32_t position, std::uint32_t watched) {
  Event e = Watch(id, EventType::kViewStop, time, user, movie, std::move(session), position);
  e.watched_s = watched;
  return e;
}

Event React(int id, EventType type, std::int64_t time, std::int64_t user, std::int64_t movie) {
  Event e;
  e.event_id = TestEventId(id);
  e.type = type;
  e.event_time_ms = time;
  e.received_ms = time;
  e.user_id = user;
  e.movie_id = movie;
  return e;
}

struct Published {
  std::vector<ReactionChange> reactions;
  std::vector<ViewChange> views;
  int calls = 0;
};

class RecordingPublisher final : public UserActivityPublisher {
 public:
  void Publish(std::span<const ReactionChange> reactions, std::span<const ViewChange> views) override {
    ++got.calls;
    got.reactions.insert(got.reactions.end(), reactions.begin(), reactions.end());
    got.views.insert(got.views.end(), views.begin(), views.end());
  }
  // What was published since the last call.
  Published Take() { return std::exchange(got, {}); }
  Published got;
};

// Comparable forms of the changes, sorted: the order of a Publish call is not part of the contract.
std::vector<std::string> Describe(const Published& p) {
  std::vector<std::string> out;
  for (const auto& r : p.reactions)
    out.push_back("reaction " + std::to_string(r.user_id) + "/" + std::to_string(r.movie_id) + " = "
                  + std::to_string(r.value));
  for (const auto& v : p.views)
    out.push_back("view " + std::to_string(v.user_id) + "/" + std::to_string(v.movie_id)
                  + (v.completed ? " completed" : " open"));
  std::sort(out.begin(), out.end());
  return out;
}

struct StoredView {
  std::int64_t movie_id = 0;
  std::int64_t started_ms = 0, last_ms = 0;
  std::int64_t last_position_s = 0, watched_s = 0;
  bool completed = false;
  std::string device;
  bool operator==(const StoredView&) const = default;
};

std::ostream& operator<<(std::ostream& out, const StoredView& v) {
  return out << "{movie " << v.movie_id << ", started " << v.started_ms << ", last " << v.last_ms
             << ", position " << v.last_position_s << ", watched " << v.watched_s << ", completed "
             << v.completed << ", device '" << v.device << "'}";
}

class PostgresSinkTest : public ::testing::Test {
 protected:
  PostgresSinkTest() {
    pool.Exec(
        "INSERT INTO users (id, email, display_name) "
        "SELECT g, 'u' || g || '@example.test', 'User ' || g FROM generate_series(1, 5) g");
    // 10: 1000 s long; 11: length unknown.
    pool.Exec(
        "INSERT INTO movies (id, title, duration_s) VALUES (10, 'Ten', 1000), (11, 'Eleven', NULL), "
        "(12, 'Twelve', 6000)");
  }

  PostgresSink MakeSink(std::size_t chunk_keys = 5000) {
    CollectConfig collect;
    collect.completion_threshold = 0.9;
    collect.postgres_batch_events = chunk_keys;
    return PostgresSink(pool, collect, &publisher);
  }

  std::optional<StoredView> View(std::int64_t user, const std::string& session) {
    auto r = pool.Exec(
        "SELECT movie_id, (extract(epoch FROM started_at) * 1000)::bigint, "
        "(extract(epoch FROM last_event_at) * 1000)::bigint, last_position_s, watched_s, completed, device "
        "FROM views WHERE user_id = $1 AND session_key = $2",
        PgParams(user, session));
    if (r.rows() == 0) return std::nullopt;
    return StoredView{r.GetInt(0, 0), r.GetInt(0, 1),  r.GetInt(0, 2),          r.GetInt(0, 3),
                      r.GetInt(0, 4), r.GetBool(0, 5), std::string(r.Get(0, 6))};
  }

  std::optional<int> Reaction(std::int64_t user, std::int64_t movie) {
    auto r =
        pool.Exec("SELECT value FROM reactions WHERE user_id = $1 AND movie_id = $2", PgParams(user, movie));
    if (r.rows() == 0) return std::nullopt;
    return static_cast<int>(r.GetInt(0, 0));
  }

  // Every column of both tables (updated_at and the row version included): to prove a replay wrote nothing.
  std::string Snapshot() {
    std::string out;
    for (const char* query :
         {"SELECT xmin, * FROM views ORDER BY id", "SELECT xmin, * FROM reactions ORDER BY 2, 3"}) {
      auto r = pool.Exec(query);
      for (int row = 0; row < r.rows(); ++row) {
        for (int col = 0; col < r.columns(); ++col)
          out += std::string(r.Get(row, col)) + "|";
        out += "\n";
      }
    }
    return out;
  }

  Config config = cinerec::testing::IsolatedConfig();
  PgPool pool{config.postgres};
  RecordingPublisher publisher;
};

TEST_F(PostgresSinkTest, WritesTheExactRowsOfAMixedBatch) {
  auto sink = MakeSink();
  auto start = Watch(1, EventType::kViewStart, kT, 1, 12, "s1");
  start.device = "tv";
  std::vector<Event> batch{
      start,
      Watch(2, EventType::kViewProgress, kT + 60'000, 1, 12, "s1", 60),
      Watch(3, EventType::kViewPause, kT + 90'000, 1, 12, "s1", 90),
      Stop(4, kT + 120'000, 1, 12, "s1", 120, 118),
      Watch(5, EventType::kViewProgress, kT + 5'000, 2, 11, "s1", 30),  // same session id, other user
      React(6, EventType::kLike, kT, 1, 12),
      React(7, EventType::kDislike, kT, 2, 11),
      React(8, EventType::kClick, kT, 2, 11),  // not a fact of PostgreSQL
  };
  sink.Deliver(batch);

  EXPECT_EQ(View(1, "s1"), (StoredView{12, kT, kT + 120'000, 120, 118, false, "tv"}));
  EXPECT_EQ(View(2, "s1"), (StoredView{11, kT + 5'000, kT + 5'000, 30, 0, false, ""}));
  EXPECT_EQ(pool.Exec("SELECT count(*) FROM views").GetInt(0, 0), 2);
  EXPECT_EQ(Reaction(1, 12), 1);
  EXPECT_EQ(Reaction(2, 11), -1);
  EXPECT_EQ(pool.Exec("SELECT count(*) FROM reactions").GetInt(0, 0), 2);
  EXPECT_EQ(sink.rows_skipped(), 0u);
  EXPECT_EQ(Describe(publisher.Take()),
            (std::vector<std::string>{"reaction 1/12 = 1", "reaction 2/11 = -1", "view 1/12 open"}));
}

TEST_F(PostgresSinkTest, TheSameBatchTwiceChangesNothing) {
  auto sink = MakeSink();
  std::vector<Event> batch{Watch(1, EventType::kViewStart, kT, 1, 10, "s"),
                           Watch(2, EventType::kViewProgress, kT + 1000, 1, 10, "s", 950),
                           Stop(3, kT + 2000, 1, 10, "s", 960, 955), React(4, EventType::kLike, kT, 1, 10),
                           React(5, EventType::kReactionClear, kT + 1, 2, 10)};
  sink.Deliver(batch);
  const auto first = Snapshot();
  EXPECT_EQ(publisher.Take().calls, 1);

  sink.Deliver(batch);
  EXPECT_EQ(Snapshot(), first);
  EXPECT_EQ(publisher.Take().calls, 0);
}

TEST_F(PostgresSinkTest, ReorderedEventsConvergeToTheSameRow) {
  auto sink = MakeSink();
  auto start = Watch(1, EventType::kViewStart, kT, 1, 12, "");
  start.device = "web";
  std::vector<Event> events{start, Watch(2, EventType::kViewProgress, kT + 60'000, 1, 12, "", 60),
                            Watch(3, EventType::kViewSeek, kT + 70'000, 1, 12, "", 30),
                            Watch(4, EventType::kViewProgress, kT + 100'000, 1, 12, "", 60),
                            Stop(5, kT + 110'000, 1, 12, "", 70, 100)};
  const StoredView expected{12, kT, kT + 110'000, 70, 100, false, "web"};

  // Each ordering into its own session: in order, reversed, progress before start, stop before progress,
  // one event per batch, and with replays of earlier batches in between.
  const std::vector<std::vector<std::vector<int>>> orders{
      {{0, 1, 2, 3, 4}},     {{4, 3, 2, 1, 0}},         {{1}, {0}, {3}, {2}, {4}},
      {{4}, {1, 3}, {0, 2}}, {{4}, {3}, {2}, {1}, {0}}, {{0, 1}, {0, 1}, {2, 3, 4}, {0, 1, 2}, {4}},
  };
  for (std::size_t o = 0; o < orders.size(); ++o) {
    const std::string session = "order-" + std::to_string(o);
    for (const auto& batch_indexes : orders[o]) {
      std::vector<Event> batch;
      for (int i : batch_indexes) {
        batch.push_back(events[static_cast<std::size_t>(i)]);
        batch.back().session_id = session;
      }
      sink.Deliver(batch);
    }
    EXPECT_EQ(View(1, session), expected) << session;
  }
}

TEST_F(PostgresSinkTest, LikeThenDislikeThenClearEndsCleared) {
  auto sink = MakeSink();
  auto reactions = [](std::int64_t movie, int first_id) {
    return std::vector<Event>{React(first_id, EventType::kLike, kT, 1, movie),
                              React(first_id + 1, EventType::kDislike, kT + 1000, 1, movie),
                              React(first_id + 2, EventType::kReactionClear, kT + 2000, 1, movie)};
  };
  sink.Deliver(reactions(10, 10));  // one batch
  EXPECT_EQ(Describe(publisher.Take()), std::vector<std::string>{"reaction 1/10 = 0"});

  for (const auto& e : reactions(11, 20)) {  // three batches
    sink.Deliver(std::vector<Event>{e});
  }
  EXPECT_EQ(Describe(publisher.Take()),
            (std::vector<std::string>{"reaction 1/11 = -1", "reaction 1/11 = 0", "reaction 1/11 = 1"}));

  auto reversed = reactions(12, 30);
  std::reverse(reversed.begin(), reversed.end());
  for (const auto& e : reversed)  // three batches, newest first: the older ones change nothing
    sink.Deliver(std::vector<Event>{e});
  EXPECT_EQ(Describe(publisher.Take()), std::vector<std::string>{"reaction 1/12 = 0"});

  EXPECT_EQ(Reaction(1, 10), 0);
  EXPECT_EQ(Reaction(1, 11), 0);
  EXPECT_EQ(Reaction(1, 12), 0);
}

TEST_F(PostgresSinkTest, SameTimeReactionsAreOrderedByEventId) {
  auto sink = MakeSink();
  sink.Deliver(std::vector<Event>{React(2, EventType::kDislike, kT, 1, 10)});
  sink.Deliver(std::vector<Event>{React(1, EventType::kLike, kT, 1, 10)});
  EXPECT_EQ(Reaction(1, 10), -1);
}

TEST_F(PostgresSinkTest, UnknownUsersAndMoviesAreSkippedAndCounted) {
  auto sink = MakeSink();
  std::vector<Event> batch{
      Watch(1, EventType::kViewStart, kT, 999, 10, "a"),  // unknown user
      Watch(2, EventType::kViewStart, kT, 1, 999, "b"),   // unknown movie
      Watch(3, EventType::kViewStart, kT, 1, 10, "c"),    // fine
      React(4, EventType::kLike, kT, 999, 10),            // unknown user
      React(5, EventType::kLike, kT, 1, 999),             // unknown movie
      React(6, EventType::kLike, kT, 1, 10),              // fine
      Watch(7, EventType::kViewProgress, kT, 1, 10, ""),  // malformed session id
  };
  sink.Deliver(batch);
  EXPECT_EQ(sink.rows_skipped(), 5u);
  EXPECT_EQ(pool.Exec("SELECT count(*) FROM views").GetInt(0, 0), 1);
  EXPECT_TRUE(View(1, "c"));
  EXPECT_EQ(pool.Exec("SELECT count(*) FROM reactions").GetInt(0, 0), 1);
  EXPECT_EQ(Describe(publisher.Take()), (std::vector<std::string>{"reaction 1/10 = 1", "view 1/10 open"}));

  // A user erased since: the batch still goes through.
  pool.Exec("DELETE FROM users WHERE id = 1");
  sink.Deliver(batch);
  EXPECT_EQ(sink.rows_skipped(), 5u + 7u);
}

TEST_F(PostgresSinkTest, NastyStringsAreStoredVerbatim) {
  auto sink = MakeSink(3);  // several chunks, too
  const std::vector<std::string> nasty{R"(quote"d)",
                                       R"(back\slash)",
                                       R"(\)",
                                       R"(")",
                                       "comma,separated",
                                       "{braces}",
                                       "}",
                                       "NULL",
                                       "null",
                                       "",
                                       "Amélie ☃ 🎬",
                                       "'; DROP TABLE views;--",
                                       " leading and trailing ",
                                       "tab\tnew\nline",
                                       R"({"a":[1,"\""]})",
                                       R"(\"\\N)",
                                       "\\N",
                                       "ROW(1,2)",
                                       "$1",
                                       std::string(64, 'x'),
                                       "🎬🎬🎬🎬🎬🎬🎬🎬🎬🎬🎬🎬🎬🎬🎬🎬" /* 64 bytes, 16 characters */};
  std::vector<Event> batch;
  std::vector<std::string> used;
  for (std::size_t i = 0; i < nasty.size(); ++i) {
    const std::string& text = nasty[i];
    const std::string session = text.empty() ? "empty-device" : text;
    auto e = Watch(static_cast<int>(i + 1), EventType::kViewStart, kT, 1, 10, session);
    e.device = text;
    batch.push_back(e);
    used.push_back(text);
  }
  sink.Deliver(batch);
  EXPECT_EQ(sink.rows_skipped(), 0u);
  for (const auto& text : used) {
    const std::string session = text.empty() ? "empty-device" : text;
    auto row = View(1, session);
    ASSERT_TRUE(row) << session;
    EXPECT_EQ(row->device, text);
  }
  EXPECT_EQ(pool.Exec("SELECT count(*) FROM views").GetInt(0, 0), static_cast<std::int64_t>(used.size()));
}

TEST_F(PostgresSinkTest, CompletionNeedsTheThresholdOfAKnownLength) {
  auto sink = MakeSink();
  // Movie 10 is 1000 s long: completed from 900 s on (position or watched seconds).
  sink.Deliver(std::vector<Event>{Watch(1, EventType::kViewProgress, kT, 1, 10, "below", 899),
                                  Watch(2, EventType::kViewProgress, kT, 1, 10, "position", 900),
                                  Stop(3, kT, 1, 10, "watched", 10, 900),
                                  Stop(4, kT, 1, 11, "unknown-length", 100'000, 100'000)});
  EXPECT_FALSE(View(1, "below")->completed);
  EXPECT_TRUE(View(1, "position")->completed);
  EXPECT_TRUE(View(1, "watched")->completed);
  EXPECT_FALSE(View(1, "unknown-length")->completed);

  // Seeking back (a later event with a smaller position) does not undo it.
  sink.Deliver(std::vector<Event>{Watch(5, EventType::kViewSeek, kT + 1000, 1, 10, "position", 5)});
  EXPECT_TRUE(View(1, "position")->completed);
  EXPECT_EQ(View(1, "position")->last_position_s, 5);
}

TEST_F(PostgresSinkTest, PublishesStartsStopsAndCompletionsOnly) {
  auto sink = MakeSink();
  sink.Deliver(std::vector<Event>{Watch(1, EventType::kViewStart, kT, 1, 10, "a"),
                                  Watch(2, EventType::kViewProgress, kT, 2, 10, "b", 100)});
  EXPECT_EQ(Describe(publisher.Take()), std::vector<std::string>{"view 1/10 open"});

  // Heartbeats that do not complete: nothing.
  sink.Deliver(std::vector<Event>{Watch(3, EventType::kViewProgress, kT + 1000, 1, 10, "a", 300),
                                  Watch(4, EventType::kViewProgress, kT + 1000, 2, 10, "b", 400)});
  EXPECT_EQ(publisher.Take().calls, 0);

  // Crossing the threshold: once.
  sink.Deliver(std::vector<Event>{Watch(5, EventType::kViewProgress, kT + 2000, 2, 10, "b", 950)});
  EXPECT_EQ(Describe(publisher.Take()), std::vector<std::string>{"view 2/10 completed"});
  sink.Deliver(std::vector<Event>{Watch(6, EventType::kViewProgress, kT + 3000, 2, 10, "b", 960)});
  EXPECT_EQ(publisher.Take().calls, 0);

  // A stop of a completed session and a like; then the same again (nothing), and an older dislike (nothing).
  std::vector<Event> stop_and_like{Stop(7, kT + 4000, 2, 10, "b", 970, 970),
                                   React(8, EventType::kLike, kT, 2, 12)};
  sink.Deliver(stop_and_like);
  EXPECT_EQ(Describe(publisher.Take()),
            (std::vector<std::string>{"reaction 2/12 = 1", "view 2/10 completed"}));
  sink.Deliver(stop_and_like);
  sink.Deliver(std::vector<Event>{React(9, EventType::kDislike, kT - 1, 2, 12)});
  EXPECT_EQ(publisher.Take().calls, 0);
}

TEST_F(PostgresSinkTest, WorksWithoutAPublisher) {
  CollectConfig collect;
  PostgresSink sink(pool, collect, nullptr);
  EXPECT_EQ(sink.name(), "postgres");
  sink.Deliver(std::vector<Event>{Watch(1, EventType::kViewStart, kT, 1, 10, "a"),
                                  React(2, EventType::kLike, kT, 1, 10)});
  EXPECT_TRUE(View(1, "a"));
  sink.Deliver(std::vector<Event>{});
}

TEST_F(PostgresSinkTest, ServerDownIsAStoreError) {
  PostgresConfig down = config.postgres;
  down.url = "postgresql://postgres@127.0.0.1:1/none";
  PgPool unreachable(down);
  CollectConfig collect;
  PostgresSink sink(unreachable, collect, &publisher);
  EXPECT_THROW(sink.Deliver(std::vector<Event>{React(1, EventType::kLike, kT, 1, 10)}), StoreError);
  EXPECT_EQ(publisher.Take().calls, 0);
}

// Not a timed test: a measurement, run with CINEREC_MEASURE=1 (prints events/s). A realistic mix: 50k users x
// 5k movies, 20k concurrent sessions (a start, heartbeats every minute, a stop), ~5% reactions; batches of
// 5,000 as the spool consumer delivers them.
TEST_F(PostgresSinkTest, MeasureThroughput) {
  if (std::getenv("CINEREC_MEASURE") == nullptr) GTEST_SKIP() << "set CINEREC_MEASURE=1 to measure";
  pool.Exec(
      "INSERT INTO users (id, email, display_name) "
      "SELECT g, 'm' || g || '@example.test', 'M' FROM generate_series(6, 50000) g");
  pool.Exec(
      "INSERT INTO movies (id, title, duration_s) SELECT g, 'M' || g, 5400 FROM generate_series(1, 5000) g "
      "WHERE g NOT IN (10, 11, 12)");
  pool.Exec("ANALYZE users, movies");

  struct Session {
    std::int64_t user = 0, movie = 0;
    std::string key;
    std::uint32_t position = 0;
  };
  std::mt19937_64 random(42);
  auto pick = [&](std::int64_t n) { return std::uniform_int_distribution<std::int64_t>(1, n)(random); };
  int next_session = 0, next_id = 0;
  auto fresh = [&] { return Session{pick(50000), pick(5000), "m-" + std::to_string(++next_session), 0}; };
  std::vector<Session> active(20000);
  for (auto& s : active)
    s = fresh();
  std::vector<bool> started(active.size(), false);

  const int kEvents = 200'000;
  std::vector<Event> events;
  events.reserve(kEvents);
  for (int i = 0; i < kEvents; ++i) {
    const std::int64_t time = kT + i * 10;
    if (pick(100) <= 5) {
      const auto type =
          pick(10) <= 6 ? EventType::kLike : (pick(2) == 1 ? EventType::kDislike : EventType::kReactionClear);
      events.push_back(React(++next_id, type, time, pick(50000), pick(5000)));
      continue;
    }
    const auto slot = static_cast<std::size_t>(pick(static_cast<std::int64_t>(active.size())) - 1);
    auto& s = active[slot];
    if (!started[slot]) {
      auto e = Watch(++next_id, EventType::kViewStart, time, s.user, s.movie, s.key);
      e.device = "tv";
      events.push_back(e);
      started[slot] = true;
    } else if (pick(100) <= 3) {
      events.push_back(Stop(++next_id, time, s.user, s.movie, s.key, s.position, s.position));
      s = fresh();
      started[slot] = false;
    } else {
      s.position += 60;
      events.push_back(Watch(++next_id, EventType::kViewProgress, time, s.user, s.movie, s.key, s.position));
    }
  }

  auto sink = MakeSink();
  const std::size_t kBatch = 5000;
  const auto begin = std::chrono::steady_clock::now();
  for (std::size_t at = 0; at < events.size(); at += kBatch)
    sink.Deliver(std::span<const Event>(events).subspan(at, std::min(kBatch, events.size() - at)));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  std::printf("PostgresSink: %d events in %.2f s = %.0f events/s (%llu views, %llu reactions rows)\n",
              kEvents, seconds, kEvents / seconds,
              static_cast<unsigned long long>(pool.Exec("SELECT count(*) FROM views").GetInt(0, 0)),
              static_cast<unsigned long long>(pool.Exec("SELECT count(*) FROM reactions").GetInt(0, 0)));
  EXPECT_EQ(sink.rows_skipped(), 0u);
}

}  // namespace
}  // namespace cinerec::collect
