// The collection pipeline under faults (issue 4, "What it must show"). Each test streams >= 50,000 events at
// >= 2,000/s through a real `cinerec serve` (EventStream: an at-least-once client that resends failed
// batches with the same event ids) while one thing breaks, then proves that nothing acknowledged was lost
// or counted twice:
//   ClickHouseDown  ClickHouse stopped for >= 15 s during the stream;
//   PostgresDown    the same with PostgreSQL;
//   KillNine        the service killed with SIGKILL at three random moments and restarted on the same spool;
//   RedisDown       Redis stopped for >= 15 s: events are still acknowledged and stored in ClickHouse and
//                   PostgreSQL while it is down, trending is served stale (or 503 with a JSON error) and
//                   moves again once Redis is back.
// Verification, after the stream (Verify): every acknowledged event_id is in ClickHouse, in the right table
// with the right type, and no id the stream never sent is there; the per-type and per-movie report counts
// (uniqExact(event_id), and count() of FINAL) equal what the acknowledged events imply; after OPTIMIZE ...
// FINAL no duplicate row remains; PostgreSQL views hold exactly the acknowledged watch sessions (movie and
// watched seconds included) and reactions exactly the acknowledged (user, movie) pairs with the value of
// the latest event; nothing was dead-lettered.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "integration/collect_test_support.h"
#include "storage/clickhouse/http_clickhouse_client.h"
#include "storage/postgres/pg_pool.h"
#include "support/event_stream.h"
#include "support/http_test_client.h"
#include "support/test_env.h"

namespace cinerec {
namespace {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::EventStream;
using testing::StreamEvent;

constexpr std::size_t kEvents = 50'000;
constexpr double kTargetRate = 2'200;  // paced a little above the 2,000/s the issue asks for
constexpr double kRequiredRate = 2'000;
constexpr int kUsers = 300;
constexpr int kMovies = 100;
// An outage: the store is stopped kOutageStartsAt into the stream, started again kOutage after it has
// stopped (StopStore returned), and fresh events keep coming for kAfterOutage more and until kEvents are
// sent. ClickHouse 18.16 takes ~16 s to stop under load (it serves open keep-alive connections for ~15 s
// after SIGTERM), so its stream runs ~40 s; the others ~23 s.
constexpr seconds kOutage{15};
constexpr seconds kOutageStartsAt{1};
constexpr seconds kAfterOutage{2};
constexpr std::size_t kMaxEvents = 150'000;  // generated; a stream sends what its outage needs
constexpr seconds kDeliveryDeadline{90};     // consumers back off up to 5 s; ASan is slow
constexpr std::size_t kExamples = 5;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

void SleepUntil(Clock::time_point t) {
  std::this_thread::sleep_until(t);
}

// Polls `done` every 250 ms until it returns true or `limit` passes; exceptions count as "not yet".
bool PollUntil(const std::function<bool()>& done, Clock::duration limit) {
  const auto deadline = Clock::now() + limit;
  for (;;) {
    try {
      if (done()) return true;
    } catch (const std::exception&) {
    }
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(milliseconds(250));
  }
}

std::vector<std::vector<std::string>> SplitTsv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    std::vector<std::string> cells;
    std::size_t at = 0;
    for (;;) {
      const auto tab = line.find('\t', at);
      cells.push_back(line.substr(at, tab == std::string::npos ? std::string::npos : tab - at));
      if (tab == std::string::npos) break;
      at = tab + 1;
    }
    rows.push_back(std::move(cells));
  }
  return rows;
}

std::string Describe(const StreamEvent& e) {
  std::string out = e.type + " " + e.event_id + " user " + std::to_string(e.user_id);
  if (e.movie_id != 0) out += " movie " + std::to_string(e.movie_id);
  if (!e.session_id.empty()) out += " session " + e.session_id;
  return out;
}

// Restarts the store when it goes out of scope, so that a failing assertion never leaves the shared test
// stack without it.
class StoreOutage {
 public:
  explicit StoreOutage(std::string store) : store_(std::move(store)) {
    testing::StopStore(store_);
    stopped_at_ = Clock::now();
  }
  ~StoreOutage() {
    try {
      End();
    } catch (const std::exception& e) {
      ADD_FAILURE() << "could not start " << store_ << " again: " << e.what();
    }
  }
  // Starts the store again; returns how long it was down (from the end of the stop to the start command).
  double End() {
    if (!down_) return down_seconds_;
    down_ = false;
    down_seconds_ = SecondsSince(stopped_at_);
    testing::StartStore(store_);
    return down_seconds_;
  }
  double seconds_down() const { return down_ ? SecondsSince(stopped_at_) : down_seconds_; }

 private:
  std::string store_;
  Clock::time_point stopped_at_;
  bool down_ = true;
  double down_seconds_ = 0;
};

// What the acknowledged events imply for the stores.
struct Expected {
  struct Session {
    std::int64_t movie = 0;
    std::uint32_t watched = 0;  // greatest watched_seconds of its view_stop events (0: none)
  };
  struct Reaction {
    std::int64_t time_ms = 0;
    std::string event_id;
    int value = 0;
  };
  std::unordered_map<std::string, const StreamEvent*> sent;  // every event of the stream, by id
  std::unordered_set<std::string> acked;
  std::map<std::string, std::size_t> per_type;  // acknowledged events per type
  std::size_t watch = 0, ui = 0;                // ... per ClickHouse table
  std::map<std::int64_t, std::size_t> starts_per_movie;
  std::map<std::pair<std::int64_t, std::string>, Session> sessions;
  std::map<std::pair<std::int64_t, std::int64_t>, Reaction> reactions;
};

Expected Expect(const EventStream& stream, const std::vector<std::size_t>& acked_indices) {
  Expected out;
  const auto& events = stream.events();
  for (const auto& e : events)
    out.sent.emplace(e.event_id, &e);
  for (const auto i : acked_indices) {
    const auto& e = events[i];
    out.acked.insert(e.event_id);
    ++out.per_type[e.type];
    if (e.IsWatch()) {
      ++out.watch;
      auto& session = out.sessions[{e.user_id, e.session_id}];
      session.movie = e.movie_id;
      if (e.type == "view_stop") session.watched = std::max(session.watched, e.watched_s);
      if (e.type == "view_start") ++out.starts_per_movie[e.movie_id];
    } else {
      ++out.ui;
    }
    if (e.IsReaction()) {
      auto [it, added] = out.reactions.try_emplace({e.user_id, e.movie_id});
      auto& r = it->second;
      if (added || std::tie(e.time_ms, e.event_id) > std::tie(r.time_ms, r.event_id))
        r = {e.time_ms, e.event_id, e.type == "like" ? 1 : -1};
    }
  }
  return out;
}

class CollectFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    test_start_ = Clock::now();
    config_ = testing::CollectTestConfig();
    config_.redis.timeout = milliseconds(300);
    config_.clickhouse.timeout = milliseconds(5000);
    config_.postgres.connect_timeout = milliseconds(1000);
    postgres_ = std::make_unique<PgPool>(config_.postgres);
    clickhouse_ = std::make_unique<HttpClickHouseClient>(config_.clickhouse);
    CreateUsersAndMovies();
    StartService();
  }

  void TearDown() override {
    // The service must still be alive: a crash in a fault is a failure (kill tests replace it themselves).
    if (service_) {
      EXPECT_TRUE(service_->Running()) << "cinerec serve died during the test";
    }
    service_.reset();
    std::cout << "[ timing   ] " << ::testing::UnitTest::GetInstance()->current_test_info()->name() << ": "
              << SecondsSince(test_start_) << " s wall time" << std::endl;
  }

  void CreateUsersAndMovies() {
    auto users = postgres_->Exec(
        "INSERT INTO users (email, display_name, profile) SELECT 'fault' || g || '@example.com', 'Viewer ' "
        "|| "
        "g, jsonb_build_object('country', (ARRAY['DE','FR','US','BR'])[1 + g % 4]) FROM generate_series(1, "
        + std::to_string(kUsers) + ") g RETURNING id");
    for (int r = 0; r < users.rows(); ++r)
      users_.push_back(users.GetInt(r, 0));
    postgres_->Exec(
        "INSERT INTO subscriptions (user_id, plan) SELECT id, (ARRAY['basic','premium'])[1 + id % 2] FROM "
        "users WHERE id % 3 = 0");
    auto movies = postgres_->Exec(
        "INSERT INTO movies (title, year, duration_s) SELECT 'Fault Movie ' || g, 1960 + g % 60, 3600 + 60 * "
        "(g % 90) FROM generate_series(1, "
        + std::to_string(kMovies) + ") g RETURNING id");
    for (int r = 0; r < movies.rows(); ++r)
      movies_.push_back(movies.GetInt(r, 0));
    // Genres 1-9 (Action ... Fantasy), one or two per movie; Film-Noir (10) is left to the dark horse.
    postgres_->Exec(
        "INSERT INTO movie_genres (movie_id, genre_id) SELECT id, 1 + id % 9 FROM movies UNION SELECT id, 1 "
        "+ (id * 7 / 3) % 9 FROM movies WHERE id % 2 = 0");
    dark_horse_ = postgres_
                      ->Exec(
                          "INSERT INTO movies (title, year, duration_s) VALUES ('The Dark Horse', 1949, "
                          "6000) RETURNING id")
                      .GetInt(0, 0);
    postgres_->Exec("INSERT INTO movie_genres (movie_id, genre_id) VALUES (" + std::to_string(dark_horse_)
                    + ", 10)");
  }

  void StartService() {
    service_ = std::make_unique<testing::ServiceProcess>(config_);
    port_ = service_->port();
  }

  EventStream::Options StreamOptions() {
    EventStream::Options options;
    options.port = [this] { return port_.load(); };
    options.api_key = testing::kCollectAdminKey;
    options.users = users_;
    options.movies = movies_;
    options.events = kMaxEvents;
    options.events_per_s = kTargetRate;
    options.batch_events = 100;
    options.senders = 4;
    options.give_up_after = seconds(150);
    options.seed = std::random_device{}();
    return options;
  }

  testing::HttpResult Call(const std::string& method, const std::string& target, const std::string& body = "",
                           const std::string& token = testing::kCollectAdminKey) {
    std::map<std::string, std::string> headers{{"Content-Type", "application/json"}};
    if (!token.empty()) headers["Authorization"] = "Bearer " + token;
    return testing::HttpCall(port_.load(), method, target, body, headers);
  }

  std::vector<std::vector<std::string>> ClickHouseRows(const std::string& sql) {
    return SplitTsv(clickhouse_->Query(sql + " FORMAT TabSeparated"));
  }
  std::int64_t ClickHouseInt(const std::string& sql) {
    const auto rows = ClickHouseRows(sql);
    return rows.empty() ? -1 : std::stoll(rows[0][0]);
  }
  std::int64_t PostgresInt(const std::string& sql) { return postgres_->Exec(sql).GetInt(0, 0); }

  // Stream stats: every event acknowledged, none rejected or abandoned, at the rate asked for.
  void CheckStream(const EventStream::Stats& stats) {
    std::cout << "[ stream   ] " << stats.Describe() << "" << std::endl;
    EXPECT_GE(stats.sent, kEvents);
    EXPECT_EQ(stats.acknowledged, stats.events) << stats.Describe();
    EXPECT_EQ(stats.rejected, 0u) << "examples: " << ::testing::PrintToString(stats.rejection_examples);
    EXPECT_EQ(stats.abandoned_batches, 0u) << stats.Describe();
    EXPECT_GE(stats.offered_rate, kRequiredRate) << stats.Describe();
  }

  // Waits until ClickHouse holds at least `expected.acked.size()` distinct ids and PostgreSQL at least the
  // expected sessions and reactions; false after `limit`.
  bool WaitForDelivery(const Expected& expected, Clock::duration limit, std::string* state = nullptr) {
    std::int64_t ch = -1, views = -1, reactions = -1;
    const bool done = PollUntil(
        [&] {
          ch = ClickHouseInt("SELECT uniqExact(event_id) FROM watch_events")
               + ClickHouseInt("SELECT uniqExact(event_id) FROM ui_events");
          views = PostgresInt("SELECT count(*) FROM views");
          reactions = PostgresInt("SELECT count(*) FROM reactions");
          return ch >= static_cast<std::int64_t>(expected.acked.size())
                 && views >= static_cast<std::int64_t>(expected.sessions.size())
                 && reactions >= static_cast<std::int64_t>(expected.reactions.size());
        },
        limit);
    if (state != nullptr)
      *state = "ClickHouse distinct ids " + std::to_string(ch) + " of "
               + std::to_string(expected.acked.size()) + ", views " + std::to_string(views) + " of "
               + std::to_string(expected.sessions.size()) + ", reactions " + std::to_string(reactions)
               + " of " + std::to_string(expected.reactions.size());
    return done;
  }

  struct Stored {
    std::string table, type;
    std::int64_t rows = 0;
  };
  // Every event id in ClickHouse: where, as what, how many rows. Adds the rows beyond one per id to `extra`.
  std::unordered_map<std::string, Stored> LoadClickHouseIds(std::int64_t* extra_rows = nullptr) {
    std::unordered_map<std::string, Stored> seen;
    for (const char* table : {"watch_events", "ui_events"}) {
      for (const auto& row : ClickHouseRows(std::string("SELECT toString(event_id), toString(event_type), "
                                                        "count() FROM ")
                                            + table + " GROUP BY event_id, event_type")) {
        const auto rows = std::stoll(row[2]);
        auto [it, added] = seen.try_emplace(row[0], Stored{table, row[1], 0});
        if (!added) ADD_FAILURE() << "event " << row[0] << " is stored as two types/tables";
        it->second.rows += rows;
        if (extra_rows != nullptr) *extra_rows += rows - 1;
      }
    }
    return seen;
  }

  // Acknowledged ids not (yet) in ClickHouse plus expected sessions and reactions not (yet) in PostgreSQL.
  std::size_t CountMissing(const Expected& expected) {
    const auto seen = LoadClickHouseIds();
    std::size_t missing = 0;
    for (const auto& id : expected.acked)
      missing += seen.count(id) == 0;
    std::set<std::pair<std::int64_t, std::string>> views;
    auto result = postgres_->Exec("SELECT user_id, session_key FROM views");
    for (int r = 0; r < result.rows(); ++r)
      views.emplace(result.GetInt(r, 0), std::string(result.Get(r, 1)));
    for (const auto& [key, session] : expected.sessions)
      missing += views.count(key) == 0;
    std::set<std::pair<std::int64_t, std::int64_t>> reactions;
    result = postgres_->Exec("SELECT user_id, movie_id FROM reactions");
    for (int r = 0; r < result.rows(); ++r)
      reactions.emplace(result.GetInt(r, 0), result.GetInt(r, 1));
    for (const auto& [key, reaction] : expected.reactions)
      missing += reactions.count(key) == 0;
    return missing;
  }

  // Every acknowledged id in ClickHouse, in the right table with the right type; no id that was never sent.
  // `exact`: also no sent-but-unacknowledged id (true once the stream has resolved every batch).
  // Returns the number of rows beyond one per id (copies that merges have not collapsed yet).
  std::int64_t CheckClickHouseIds(const Expected& expected, bool exact) {
    std::int64_t extra_rows = 0;
    const auto seen = LoadClickHouseIds(&extra_rows);
    std::size_t missing = 0, unknown = 0, unacked = 0, wrong = 0;
    std::string missing_examples, unknown_examples, wrong_examples;
    for (const auto& id : expected.acked) {
      if (seen.count(id) == 0 && ++missing <= kExamples)
        missing_examples += "\n  " + Describe(*expected.sent.at(id));
    }
    for (const auto& [id, where] : seen) {
      const auto sent = expected.sent.find(id);
      if (sent == expected.sent.end()) {
        if (++unknown <= kExamples) unknown_examples += "\n  " + id + " (" + where.type + ")";
        continue;
      }
      if (expected.acked.count(id) == 0) ++unacked;
      const auto& e = *sent->second;
      const std::string table = e.IsWatch() ? "watch_events" : "ui_events";
      if (where.type != e.type || where.table != table) {
        if (++wrong <= kExamples)
          wrong_examples += "\n  " + Describe(e) + " stored in " + where.table + " as " + where.type;
      }
    }
    EXPECT_EQ(missing, 0u) << missing << " of " << expected.acked.size()
                           << " acknowledged event ids are not in ClickHouse, e.g." << missing_examples;
    EXPECT_EQ(unknown, 0u) << unknown << " event ids in ClickHouse were never sent, e.g." << unknown_examples;
    EXPECT_EQ(wrong, 0u) << wrong << " events stored with the wrong table or type, e.g." << wrong_examples;
    if (exact) {
      EXPECT_EQ(unacked, 0u) << unacked << " sent but unacknowledged ids are in ClickHouse";
    }
    return extra_rows;
  }

  // The reports' counts: distinct event ids per type and per movie, and count() of FINAL, equal the
  // acknowledged events; after OPTIMIZE ... FINAL, one row per id.
  void CheckClickHouseCounts(const Expected& expected) {
    std::map<std::string, std::size_t> counted;
    for (const char* table : {"watch_events", "ui_events"})
      for (const auto& row :
           ClickHouseRows(std::string("SELECT toString(event_type), uniqExact(event_id) FROM ") + table
                          + " GROUP BY event_type ORDER BY event_type"))
        counted[row[0]] = std::stoull(row[1]);
    EXPECT_EQ(counted, expected.per_type) << "distinct event ids per type (ClickHouse vs acknowledged)";

    std::map<std::int64_t, std::size_t> starts;
    for (const auto& row : ClickHouseRows("SELECT movie_id, uniqExact(event_id) FROM watch_events WHERE "
                                          "event_type = 'view_start' GROUP BY movie_id"))
      starts[std::stoll(row[0])] = std::stoull(row[1]);
    EXPECT_EQ(starts, expected.starts_per_movie) << "views (view_start) per movie";

    EXPECT_EQ(ClickHouseInt("SELECT count() FROM watch_events FINAL"),
              static_cast<std::int64_t>(expected.watch));
    EXPECT_EQ(ClickHouseInt("SELECT count() FROM ui_events FINAL"), static_cast<std::int64_t>(expected.ui));

    for (const char* table : {"watch_events", "ui_events"}) {
      clickhouse_->Query(std::string("OPTIMIZE TABLE ") + table + " FINAL");
      const auto row = ClickHouseRows(std::string("SELECT count(), uniqExact(event_id) FROM ") + table);
      ASSERT_EQ(row.size(), 1u);
      EXPECT_EQ(row[0][0], row[0][1]) << table << ": rows vs distinct event ids after OPTIMIZE ... FINAL";
      EXPECT_EQ(std::stoull(row[0][1]), std::string(table) == "watch_events" ? expected.watch : expected.ui)
          << table;
    }
  }

  // PostgreSQL: `views` holds exactly the acknowledged watch sessions (movie, watched seconds) and
  // `reactions` exactly the acknowledged (user, movie) pairs, with the value of the latest event. With
  // `subset`, only that the expected rows are there (the stream is still running).
  void CheckPostgres(const Expected& expected, bool subset = false) {
    std::map<std::pair<std::int64_t, std::string>, Expected::Session> views;
    auto result = postgres_->Exec("SELECT user_id, session_key, movie_id, watched_s FROM views");
    for (int r = 0; r < result.rows(); ++r)
      views[{result.GetInt(r, 0), std::string(result.Get(r, 1))}] = {
          result.GetInt(r, 2), static_cast<std::uint32_t>(result.GetInt(r, 3))};
    std::size_t missing = 0, unexpected = 0, different = 0;
    std::string examples;
    for (const auto& [key, want] : expected.sessions) {
      const auto it = views.find(key);
      if (it == views.end()) {
        if (++missing <= kExamples)
          examples += "\n  missing session " + key.second + " of user " + std::to_string(key.first);
      } else if (it->second.movie != want.movie || (!subset && it->second.watched != want.watched)) {
        if (++different <= kExamples)
          examples += "\n  session " + key.second + ": movie " + std::to_string(it->second.movie)
                      + " watched_s " + std::to_string(it->second.watched) + ", expected movie "
                      + std::to_string(want.movie) + " watched_s " + std::to_string(want.watched);
      }
    }
    if (!subset)
      for (const auto& [key, row] : views)
        if (expected.sessions.count(key) == 0 && ++unexpected <= kExamples)
          examples += "\n  unexpected session " + key.second + " of user " + std::to_string(key.first);
    EXPECT_EQ(missing + unexpected + different, 0u)
        << "views: " << views.size() << " rows, " << expected.sessions.size()
        << " acknowledged sessions; missing " << missing << ", unexpected " << unexpected << ", different "
        << different << examples;

    std::map<std::pair<std::int64_t, std::int64_t>, std::pair<int, std::string>> reactions;
    result = postgres_->Exec("SELECT user_id, movie_id, value, event_id::text FROM reactions");
    for (int r = 0; r < result.rows(); ++r)
      reactions[{result.GetInt(r, 0), result.GetInt(r, 1)}] = {static_cast<int>(result.GetInt(r, 2)),
                                                               std::string(result.Get(r, 3))};
    missing = unexpected = different = 0;
    examples.clear();
    for (const auto& [key, want] : expected.reactions) {
      const auto it = reactions.find(key);
      const auto name = "(" + std::to_string(key.first) + ", " + std::to_string(key.second) + ")";
      if (it == reactions.end()) {
        if (++missing <= kExamples) examples += "\n  missing reaction " + name;
      } else if (!subset && (it->second.first != want.value || it->second.second != want.event_id)) {
        if (++different <= kExamples)
          examples += "\n  reaction " + name + " = " + std::to_string(it->second.first) + " by "
                      + it->second.second + ", expected " + std::to_string(want.value) + " by "
                      + want.event_id;
      }
    }
    if (!subset)
      for (const auto& [key, row] : reactions)
        if (expected.reactions.count(key) == 0 && ++unexpected <= kExamples)
          examples += "\n  unexpected reaction (" + std::to_string(key.first) + ", "
                      + std::to_string(key.second) + ")";
    EXPECT_EQ(missing + unexpected + different, 0u)
        << "reactions: " << reactions.size() << " rows, " << expected.reactions.size()
        << " acknowledged (user, movie) pairs; missing " << missing << ", unexpected " << unexpected
        << ", different " << different << examples;
  }

  // Nothing refused for good: a dead-lettered batch is acknowledged events missing from a store.
  void CheckNoDeadLetters() {
    const auto dir = std::filesystem::path(config_.collect.spool_dir) / "dead-letter";
    std::string files;
    if (std::filesystem::exists(dir)) {
      for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        files += "\n  " + entry.path().filename().string();
        if (entry.path().extension() == ".reason") {
          std::ifstream in(entry.path());
          files += ": " + std::string(std::istreambuf_iterator<char>(in), {});
        }
      }
    }
    EXPECT_TRUE(files.empty()) << "dead-lettered batches in " << dir << ":" << files;
  }

  // The whole verification after a stream.
  void Verify(const EventStream& stream) {
    const auto expected = Expect(stream, stream.AcknowledgedIndices());
    const auto start = Clock::now();
    std::string state;
    EXPECT_TRUE(WaitForDelivery(expected, kDeliveryDeadline, &state))
        << "not everything arrived within " << kDeliveryDeadline.count() << " s: " << state;
    std::cout << "[ delivery ] " << state << " (" << SecondsSince(start) << " s after the stream)"
              << std::endl;
    const auto extra_rows = CheckClickHouseIds(expected, /*exact=*/true);
    std::cout << "[ verify   ] " << expected.acked.size() << " acknowledged ids; " << extra_rows
              << " duplicate rows in ClickHouse before OPTIMIZE FINAL; " << expected.sessions.size()
              << " sessions, " << expected.reactions.size() << " reactions" << std::endl;
    CheckClickHouseCounts(expected);
    CheckPostgres(expected);
    CheckNoDeadLetters();
  }

  // Runs the started `stream` through one outage of `store` (see kOutage) and returns its stats once every
  // batch is resolved. `during` runs once right after the store has stopped; `tick` every 500 ms while it
  // is down. Both run on this thread and may take a while: the store stays down until both are done and
  // kOutage has passed.
  EventStream::Stats StreamThroughOutage(EventStream& stream, const std::string& store,
                                         const std::function<void(StoreOutage&)>& during = {},
                                         const std::function<void()>& tick = {}) {
    std::this_thread::sleep_for(std::chrono::duration<double>(std::max(
        0.0, std::chrono::duration<double>(kOutageStartsAt).count() - stream.seconds_since_start())));
    std::size_t sent_at_restart = 0;
    {
      const double stop_began = stream.seconds_since_start();
      StoreOutage outage(store);
      std::cout << "[ outage   ] " << store << ": stop began " << stop_began
                << " s into the stream, stopped at " << stream.seconds_since_start() << " s ("
                << stream.fresh_sent() << " events sent)" << std::endl;
      if (during) during(outage);
      while (outage.seconds_down() < std::chrono::duration<double>(kOutage).count()) {
        if (tick) tick();
        std::this_thread::sleep_for(milliseconds(tick ? 500 : 50));
      }
      sent_at_restart = stream.fresh_sent();
      const double start_began = stream.seconds_since_start();
      const auto down = outage.End();
      std::cout << "[ outage   ] " << store << " down for " << down << " s; start began at " << start_began
                << " s into the stream, answering at " << stream.seconds_since_start() << " s ("
                << sent_at_restart << " events sent by then)" << std::endl;
      EXPECT_GE(down, 15.0);
    }
    const auto resumed = Clock::now();
    while ((Clock::now() < resumed + kAfterOutage || stream.fresh_sent() < kEvents)
           && stream.fresh_sent() < kMaxEvents && Clock::now() < resumed + seconds(60))
      std::this_thread::sleep_for(milliseconds(20));
    stream.FinishFresh();
    const auto stats = stream.Wait();
    CheckStream(stats);
    EXPECT_LT(sent_at_restart, stats.sent) << "the outage must fall inside the stream";
    return stats;
  }

  Config config_;
  std::unique_ptr<PgPool> postgres_;
  std::unique_ptr<HttpClickHouseClient> clickhouse_;
  std::unique_ptr<testing::ServiceProcess> service_;
  std::atomic<unsigned short> port_{0};
  std::vector<std::int64_t> users_, movies_;
  std::int64_t dark_horse_ = 0;
  Clock::time_point test_start_;
};

TEST_F(CollectFaultTest, ClickHouseDown) {
  EventStream stream(StreamOptions());
  stream.Start();
  StreamThroughOutage(stream, "clickhouse");
  Verify(stream);
}

TEST_F(CollectFaultTest, PostgresDown) {
  EventStream stream(StreamOptions());
  stream.Start();
  StreamThroughOutage(stream, "postgres");
  Verify(stream);
}

TEST_F(CollectFaultTest, KillNineThreeTimes) {
  auto options = StreamOptions();
  options.events = kEvents;
  EventStream stream(options);
  // Three kill moments, one in each third of the stream (~23 s), at random.
  const double stream_s = static_cast<double>(kEvents) / kTargetRate;
  std::mt19937 random(std::random_device{}());
  std::vector<double> moments;
  for (int i = 0; i < 3; ++i)
    moments.push_back(std::uniform_real_distribution<double>(stream_s * (0.05 + i / 3.0),
                                                             stream_s * ((i + 1) / 3.0 - 0.08))(random));
  stream.Start();
  const auto stream_start = Clock::now();
  for (const double at : moments) {
    SleepUntil(stream_start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(at)));
    const auto sent = stream.fresh_sent(), acked = stream.acknowledged();
    const auto killed_at = Clock::now();
    port_ = 0;
    service_->Kill();
    StartService();  // same config: same spool directory
    std::cout << "[ kill -9  ] at " << at << " s (" << sent << " events sent, " << acked
              << " acknowledged); healthy again after " << SecondsSince(killed_at) << " s" << std::endl;
  }
  const auto stats = stream.Wait();
  CheckStream(stats);
  EXPECT_GE(stats.network_errors + stats.statuses.count(503), 1u)
      << "the kills went unnoticed: " << stats.Describe();
  Verify(stream);
}

TEST_F(CollectFaultTest, RedisDownStillStoresAndTrendingGoesStale) {
  const std::string overall = "/v1/trending?window=1h&limit=5";
  const std::string noir = "/v1/trending?genre=Film-Noir&window=1h&limit=5";
  std::string before;  // the overall list just before the outage
  std::map<int, int> statuses;
  std::string bad_answer;
  auto probe = [&](const std::string& target) {
    testing::HttpResult result;
    try {
      result = Call("GET", target, "", "");
    } catch (const std::exception& e) {
      result.body = e.what();  // status 0: no answer
    }
    ++statuses[result.status];
    bool json_error = false;
    try {
      json_error = result.status == 503
                   && json::parse(result.body).as_object().at("error").as_object().contains("code");
    } catch (const std::exception&) {
    }
    if (result.status != 200 && !json_error && bad_answer.empty())
      bad_answer = target + " -> " + std::to_string(result.status) + " " + result.body;
    return result;
  };

  EventStream stream(StreamOptions());
  stream.Start();
  // Trending fills within a second; read it once (the in-process cache then holds an answer to serve stale).
  EXPECT_TRUE(PollUntil(
      [&] {
        const auto r = Call("GET", overall, "", "");
        before = r.body;
        return r.status == 200 && !json::parse(r.body).at("items").as_array().empty();
      },
      seconds(5)))
      << before;
  testing::HttpResult stale;
  const auto during = [&](StoreOutage& outage) {
    std::this_thread::sleep_for(seconds(7));  // a good part of the stream acknowledged without Redis
    // Trending answers (stale, or 503 with a JSON error) and the service is alive.
    stale = probe(overall);
    probe(noir);
    EXPECT_TRUE(service_->Running());
    // Acknowledged AND stored while Redis is down: everything acknowledged so far reaches ClickHouse and
    // PostgreSQL before Redis comes back.
    const auto snapshot = Expect(stream, stream.AcknowledgedIndices());
    const auto wait_start = Clock::now();
    std::size_t missing = 0;
    const bool stored = PollUntil(
        [&] {
          missing = CountMissing(snapshot);
          return missing == 0;
        },
        seconds(6));
    const auto waited = SecondsSince(wait_start);
    EXPECT_TRUE(stored) << missing << " acknowledged events (or their sessions / reactions) of "
                        << snapshot.acked.size() << " not stored after " << waited << " s without Redis";
    std::cout << "[ no redis ] " << snapshot.acked.size() << " events acknowledged "
              << outage.seconds_down() - waited << " s into the outage; all stored in ClickHouse and "
              << "PostgreSQL " << waited << " s later, Redis still down" << std::endl;
    if (stored) {
      CheckClickHouseIds(snapshot, /*exact=*/false);
      CheckPostgres(snapshot, /*subset=*/true);
    }
  };
  StreamThroughOutage(stream, "redis", during, [&] { probe(overall); });
  std::cout << "[ trending ] answers while Redis was down: " << ::testing::PrintToString(statuses) << ""
            << std::endl;
  EXPECT_TRUE(bad_answer.empty()) << bad_answer;
  if (stale.status == 200) {
    EXPECT_EQ(stale.body, before) << "a stale answer is the last one served";
  }
  Verify(stream);

  // Trending moves again: the dark horse (the only Film-Noir movie, no events so far) gets 2,000 starts and
  // tops both lists within seconds.
  for (int batch = 0; batch < 2; ++batch) {
    json::array events;
    for (int i = 0; i < 1000; ++i)
      events.push_back(
          testing::MakeEvent("view_start", {{"user_id", users_[static_cast<std::size_t>(i) % users_.size()]},
                                            {"movie_id", dark_horse_},
                                            {"session_id", "dh-" + testing::NewEventId()}}));
    const auto result = Call("POST", "/v1/events", testing::Batch(events));
    ASSERT_EQ(result.status, 200) << result.body;
  }
  std::string last;
  const auto top_is_dark_horse = [&](const std::string& target) {
    return PollUntil(
        [&] {
          const auto r = Call("GET", target, "", "");
          last = r.body;
          if (r.status != 200) return false;
          const auto body = json::parse(r.body);
          const auto& items = body.at("items").as_array();
          return !items.empty() && items[0].at("movie_id").to_number<std::int64_t>() == dark_horse_;
        },
        seconds(30));
  };
  EXPECT_TRUE(top_is_dark_horse(noir)) << last;
  EXPECT_TRUE(top_is_dark_horse(overall)) << last;
  EXPECT_NE(last, before);
}

}  // namespace
}  // namespace cinerec
