// The collection pipeline without servers: service -> real spool (temp dir) -> consumer -> sinks over the
// in-memory ClickHouse fake; plus the rate limiter and the attribute cache.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <filesystem>
#include <mutex>
#include <thread>

#include "accounts/user_attribute_cache.h"
#include "catalog/movie_directory.h"
#include "collect/clickhouse_sink.h"
#include "collect/collect_service.h"
#include "collect/collect_test_support.h"
#include "collect/rate_limiter.h"
#include "collect/sink.h"
#include "collect/spool/wal.h"
#include "collect/spool_consumer.h"
#include "common/errors.h"
#include "services/accounts/principal.h"
#include "storage/clickhouse/in_memory_clickhouse.h"

namespace cinerec::collect {
namespace {

using namespace std::chrono_literals;
constexpr std::int64_t kNow = 1'795'000'000'000;

std::filesystem::path TempDir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path()
             / ("cinerec-pipeline-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  return dir;
}

catalog::MovieDirectory::Loader TwoMovies() {
  return [] {
    return std::vector<catalog::MovieInfo>{{1, "Heat", {"Action", "Crime"}, 10000, 7, false},
                                           {2, "Amélie", {"Comedy"}, 0, 7, true}};
  };
}

std::string EventJson(int n, const std::string& type, const std::string& fields) {
  return std::string(R"({"event_id":")") + testing_support::TestEventId(n) + R"(","type":")" + type
         + R"(","timestamp":")" + FormatRfc3339(kNow) + "\"," + fields + "}";
}

// Records delivered events; fails the first `failures` deliveries with StoreError.
class RecordingSink final : public EventSink {
 public:
  explicit RecordingSink(int failures = 0) : failures_(failures) {}
  std::string_view name() const override { return "clickhouse"; }
  void Deliver(std::span<const Event> events) override {
    std::lock_guard lock(mutex_);
    if (failures_ > 0) {
      --failures_;
      throw StoreError("clickhouse", "down for the test");
    }
    delivered_.insert(delivered_.end(), events.begin(), events.end());
    ++batches_;
  }
  std::size_t delivered() {
    std::lock_guard lock(mutex_);
    return delivered_.size();
  }
  std::vector<Event> events() {
    std::lock_guard lock(mutex_);
    return delivered_;
  }

 private:
  std::mutex mutex_;
  int failures_;
  std::vector<Event> delivered_;
  int batches_ = 0;
};

bool WaitUntil(const std::function<bool()>& done) {
  for (int i = 0; i < 500 && !done(); ++i)
    std::this_thread::sleep_for(10ms);
  return done();
}

class PipelineTest : public ::testing::Test {
 protected:
  PipelineTest() : dir_(TempDir(::testing::UnitTest::GetInstance()->current_test_info()->name())) {}
  ~PipelineTest() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<Wal> OpenWal() {
    return std::make_unique<Wal>(WalOptions{dir_, 1u << 20, 64u << 20, false},
                                 std::vector<std::string>{"clickhouse"});
  }

  std::filesystem::path dir_;
  catalog::MovieDirectory movies_{TwoMovies(), {}};
};

TEST_F(PipelineTest, AcceptedEventsAreSpooledAndDeliveredOnceInOrder) {
  ASSERT_TRUE(movies_.RefreshNow());
  auto wal = OpenWal();
  CollectConfig config;
  CollectService service(config, *wal, movies_, nullptr, [] { return kNow; });
  Principal viewer{42, Role::kViewer, "s"};
  const auto body = "{\"events\":[" + EventJson(1, "like", R"("movie_id":1)") + ","
                    + EventJson(2, "like", R"("movie_id":99)") + ","
                    + EventJson(3, "page_view", R"("section":"home")") + "]}";
  const auto result = service.Accept(viewer, body);
  EXPECT_EQ(result.total, 3u);
  EXPECT_EQ(result.accepted, 2u);
  ASSERT_EQ(result.rejections.size(), 1u);
  EXPECT_EQ(result.rejections[0].index, 1u);
  EXPECT_EQ(result.rejections[0].code, "unknown_movie");

  RecordingSink sink(/*failures=*/2);  // the store is down for two attempts: same batch retried, then on
  SpoolConsumer::Options options;
  options.flush_interval = 10ms;
  options.initial_backoff = 1ms;
  SpoolConsumer consumer(*wal, sink, options, nullptr);
  ASSERT_TRUE(WaitUntil([&] { return sink.delivered() == 2; }));
  consumer.Stop(1s);
  EXPECT_EQ(consumer.failed_attempts(), 2u);
  const auto events = sink.events();
  EXPECT_EQ(events[0].event_id, "00000000-0000-4000-8000-000000000001");
  EXPECT_EQ(events[1].type, EventType::kPageView);
  EXPECT_EQ(wal->committed("clickhouse"), 1u);
}

TEST_F(PipelineTest, ARestartedConsumerResumesAfterItsCommit) {
  auto wal = OpenWal();
  CollectService service(CollectConfig{}, *wal, movies_, nullptr, [] { return kNow; });
  Principal viewer{42, Role::kViewer, "s"};
  for (int i = 1; i <= 3; ++i)
    service.Accept(viewer, "{\"events\":[" + EventJson(i, "page_view", R"("section":"home")") + "]}");
  {
    RecordingSink sink;
    SpoolConsumer consumer(*wal, sink, {}, nullptr);
    ASSERT_TRUE(WaitUntil([&] { return sink.delivered() == 3; }));
  }
  service.Accept(viewer, "{\"events\":[" + EventJson(4, "page_view", R"("section":"home")") + "]}");
  wal.reset();
  wal = OpenWal();  // as after a restart
  RecordingSink sink;
  SpoolConsumer::Options options;
  options.flush_interval = 10ms;
  SpoolConsumer consumer(*wal, sink, options, nullptr);
  ASSERT_TRUE(WaitUntil([&] { return sink.delivered() == 1; }));
  consumer.Stop(1s);
  EXPECT_EQ(sink.events().at(0).event_id, "00000000-0000-4000-8000-000000000004");
}

// A store that refuses a batch for good (not StoreError): e.g. ClickHouse rejecting a row.
class PoisonSink final : public EventSink {
 public:
  std::string_view name() const override { return "clickhouse"; }
  void Deliver(std::span<const Event> events) override {
    for (const auto& e : events)
      if (e.event_id.ends_with("1")) throw std::runtime_error("Cannot parse input");
    delivered += events.size();
  }
  std::atomic<std::size_t> delivered{0};
};

TEST_F(PipelineTest, APoisonBatchIsDeadLetteredAndThePipelineGoesOn) {
  auto wal = OpenWal();
  CollectService service(CollectConfig{}, *wal, movies_, nullptr, [] { return kNow; });
  const Principal viewer{42, Role::kViewer, "s"};
  service.Accept(viewer, "{\"events\":[" + EventJson(1, "page_view", R"("section":"home")") + "]}");
  PoisonSink sink;
  SpoolConsumer::Options options;
  options.batch_events = 1;
  options.flush_interval = 10ms;
  options.dead_letter_dir = dir_ / "dead-letter";
  SpoolConsumer consumer(*wal, sink, options, nullptr);
  ASSERT_TRUE(WaitUntil([&] { return wal->committed("clickhouse") == 1; }));
  service.Accept(viewer, "{\"events\":[" + EventJson(2, "page_view", R"("section":"home")") + "]}");
  ASSERT_TRUE(WaitUntil([&] { return sink.delivered == 1; }));  // the next batch is not held up
  consumer.Stop(1s);
  EXPECT_EQ(consumer.events_dead_lettered(), 1u);
  EXPECT_TRUE(std::filesystem::exists(dir_ / "dead-letter" / "clickhouse-1-1.records"));
  EXPECT_TRUE(std::filesystem::exists(dir_ / "dead-letter" / "clickhouse-1-1.reason"));
}

// A two-stage sink (Prepare on the gathering thread, Send on the sending one): each stage fails a few
// times with StoreError; the slow Send lets the next batches be gathered meanwhile.
class TwoStageSink final : public EventSink {
 public:
  struct Ids final : PreparedBatch {
    std::vector<std::string> ids;
  };
  std::string_view name() const override { return "clickhouse"; }
  void Deliver(std::span<const Event>) override { ADD_FAILURE() << "Deliver called on a two-stage sink"; }
  std::unique_ptr<PreparedBatch> Prepare(std::span<const Event> events) override {
    if (prepare_failures > 0) {
      --prepare_failures;
      throw StoreError("postgres", "enrichment down for the test");
    }
    auto batch = std::make_unique<Ids>();
    for (const auto& e : events)
      batch->ids.push_back(e.event_id);
    prepare_thread = std::this_thread::get_id();
    return batch;
  }
  void Send(PreparedBatch& batch) override {
    std::this_thread::sleep_for(send_delay);
    std::lock_guard lock(mutex);
    if (send_failures > 0) {
      --send_failures;
      throw StoreError("clickhouse", "down for the test");
    }
    auto& ids = static_cast<Ids&>(batch).ids;
    sent.insert(sent.end(), ids.begin(), ids.end());
    send_thread = std::this_thread::get_id();
  }
  std::size_t count() {
    std::lock_guard lock(mutex);
    return sent.size();
  }

  std::atomic<int> prepare_failures{2};
  int send_failures = 2;  // GUARDED_BY(mutex)
  std::chrono::milliseconds send_delay{0};
  std::mutex mutex;
  std::vector<std::string> sent;  // GUARDED_BY(mutex)
  std::thread::id prepare_thread, send_thread;
};

TEST_F(PipelineTest, TwoStageSinksGetEveryEventOnceInOrderDespiteFailuresInEitherStage) {
  auto wal = OpenWal();
  CollectService service(CollectConfig{}, *wal, movies_, nullptr, [] { return kNow; });
  const Principal viewer{42, Role::kViewer, "s"};
  std::vector<std::string> expected;
  for (int r = 0; r < 40; ++r) {  // 40 records of 5 events
    std::string body = "{\"events\":[";
    for (int i = 0; i < 5; ++i) {
      const int n = r * 5 + i + 1;
      if (i) body += ',';
      body += EventJson(n, "page_view", R"("section":"home")");
      expected.push_back(testing_support::TestEventId(n));
    }
    ASSERT_EQ(service.Accept(viewer, body + "]}").accepted, 5u);
  }
  TwoStageSink sink;
  sink.send_delay = 2ms;
  SpoolConsumer::Options options;
  options.batch_events = 12;  // batches end within a record past it: 15 events (3 records) each
  options.flush_interval = 10ms;
  options.initial_backoff = 1ms;
  options.pipeline_depth = 2;
  SpoolConsumer consumer(*wal, sink, options, nullptr);
  ASSERT_TRUE(WaitUntil([&] { return sink.count() == expected.size(); }));
  consumer.Stop(1s);
  std::lock_guard lock(sink.mutex);
  EXPECT_EQ(sink.sent, expected);
  EXPECT_EQ(consumer.failed_attempts(), 4u);
  EXPECT_EQ(consumer.events_delivered(), expected.size());
  EXPECT_EQ(wal->committed("clickhouse"), 40u);
  EXPECT_NE(sink.prepare_thread, sink.send_thread);
}

TEST_F(PipelineTest, StopWithoutDrainTimeLeavesTheBacklogInTheSpool) {
  auto wal = OpenWal();
  CollectService service(CollectConfig{}, *wal, movies_, nullptr, [] { return kNow; });
  const Principal viewer{42, Role::kViewer, "s"};
  for (int i = 1; i <= 50; ++i)
    service.Accept(viewer, "{\"events\":[" + EventJson(i, "page_view", R"("section":"home")") + "]}");
  TwoStageSink sink;
  sink.prepare_failures = 0;
  sink.send_failures = 0;
  sink.send_delay = 50ms;
  SpoolConsumer::Options options;
  options.batch_events = 1;
  SpoolConsumer consumer(*wal, sink, options, nullptr);
  ASSERT_TRUE(WaitUntil([&] { return sink.count() >= 1; }));
  const auto start = std::chrono::steady_clock::now();
  consumer.Stop(0ms);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 500ms);  // not 50 x 50 ms: the rest waits on disk
  const auto committed = wal->committed("clickhouse");
  EXPECT_EQ(committed, sink.count());  // only what was sent is committed
  EXPECT_LT(committed, 50u);
}

TEST(ClickHouseSinkTest, RowsCarryGenresTierAndCountry) {
  catalog::MovieDirectory movies(TwoMovies(), {});
  ASSERT_TRUE(movies.RefreshNow());
  int loads = 0;
  accounts::UserAttributeCache users(
      [&](const std::vector<std::int64_t>& ids) {
        ++loads;
        accounts::UserAttributeCache::AttributeMap out;
        for (auto id : ids)
          if (id == 42) out[id] = {true, "premium", "FR"};
        return out;
      },
      100, 60s);
  InMemoryClickHouse clickhouse;
  ClickHouseSink sink(clickhouse, movies, users, {});
  Event watch;
  watch.event_id = "00000000-0000-4000-8000-000000000001";
  watch.type = EventType::kViewStop;
  watch.event_time_ms = kNow;
  watch.received_ms = kNow + 1500;
  watch.user_id = 42;
  watch.movie_id = 1;
  watch.session_id = "s \"1\"";
  watch.position_s = 5000;
  watch.watched_s = 4000;
  Event search = watch;
  search.event_id = "00000000-0000-4000-8000-000000000002";
  search.type = EventType::kSearch;
  search.movie_id = 0;
  search.user_id = 7;  // unknown user: no tier or country
  search.query = "line\nbreak";
  search.results = 0;
  sink.Deliver(std::vector<Event>{watch, search});
  sink.Deliver(std::vector<Event>{watch});  // cached: no second load for user 42
  EXPECT_EQ(loads, 1);

  const auto watch_rows = clickhouse.InsertedRows("watch_events");
  ASSERT_EQ(watch_rows.size(), 2u);
  const auto row = boost::json::parse(watch_rows[0]).as_object();
  EXPECT_EQ(row.at("event_type"), "view_stop");
  EXPECT_EQ(std::string(row.at("event_time").as_string()),
            FormatRfc3339(kNow).substr(0, 10) + " " + FormatRfc3339(kNow).substr(11, 8));
  EXPECT_EQ(row.at("session_id"), "s \"1\"");
  EXPECT_EQ(row.at("movie_genres"), boost::json::parse(R"(["Action","Crime"])"));
  EXPECT_EQ(row.at("duration_s"), 10000);
  EXPECT_EQ(row.at("user_tier"), "premium");
  EXPECT_EQ(row.at("user_country"), "FR");
  const auto ui = boost::json::parse(clickhouse.InsertedRows("ui_events").at(0)).as_object();
  EXPECT_EQ(ui.at("query"), "line\nbreak");
  EXPECT_EQ(ui.at("user_tier"), "");
  EXPECT_EQ(ui.at("movie_genres"), boost::json::array());
}

TEST(ClickHouseSinkTest, WaitsForUserAttributesThenGoesOnWithoutThem) {
  catalog::MovieDirectory movies(TwoMovies(), {});
  accounts::UserAttributeCache users(
      [](const std::vector<std::int64_t>&) -> accounts::UserAttributeCache::AttributeMap {
        throw StoreError("postgres", "down");
      },
      100, 60s);
  InMemoryClickHouse clickhouse;
  ClickHouseSink sink(clickhouse, movies, users, ClickHouseSink::Options{50ms});
  Event e;
  e.event_id = "00000000-0000-4000-8000-000000000001";
  e.type = EventType::kPageView;
  e.user_id = 5;
  // Within enrich_wait of the first failure it throws, so that the consumer retries the batch later...
  EXPECT_THROW(sink.Deliver(std::vector<Event>{e}), StoreError);
  EXPECT_THROW(sink.Deliver(std::vector<Event>{e}), StoreError);
  EXPECT_EQ(clickhouse.RowCount("ui_events"), 0u);
  std::this_thread::sleep_for(60ms);
  // ...and once the wait is over, the rows go without the user's attributes rather than not at all.
  sink.Deliver(std::vector<Event>{e});
  EXPECT_EQ(clickhouse.RowCount("ui_events"), 1u);
  EXPECT_EQ(sink.rows_without_user_attributes(), 1u);
}

// ClickHouse answering a refusal code to every insert.
class RefusingClickHouse final : public ClickHouseClient {
 public:
  explicit RefusingClickHouse(int code) : code_(code) {}
  std::string Query(const std::string&) override { return {}; }
  void EnsureDatabase() override {}
  void Insert(const std::string& table, std::string_view, std::string_view) override {
    throw ClickHouseQueryError(code_, "Code: " + std::to_string(code_) + ", e.displayText() = " + table);
  }
  void Ping() override {}

 private:
  int code_;
};

TEST(ClickHouseSinkTest, UnknownTableWhileShuttingDownIsRetriedNotDropped) {
  catalog::MovieDirectory movies(TwoMovies(), {});
  accounts::UserAttributeCache users([](const auto&) { return accounts::UserAttributeCache::AttributeMap{}; },
                                     10, 60s);
  Event e;
  e.event_id = "00000000-0000-4000-8000-000000000001";
  e.type = EventType::kPageView;
  e.user_id = 5;
  RefusingClickHouse stopping(60);  // "Table ... doesn't exist": 18.16 between SIGTERM and closing its port
  EXPECT_THROW(ClickHouseSink(stopping, movies, users, {}).Deliver(std::vector<Event>{e}), StoreError);
  RefusingClickHouse bad_row(27);  // a row it cannot parse: retrying cannot help
  EXPECT_THROW(ClickHouseSink(bad_row, movies, users, {}).Deliver(std::vector<Event>{e}),
               ClickHouseQueryError);
}

TEST(RateLimiterTest, RefillsAtTheRateAndRefusesWholeBatches) {
  RateLimiter limiter(10, 100);
  const auto t0 = RateLimiter::Clock::time_point{} + 1h;
  EXPECT_EQ(limiter.Take("a", 100, t0), 0);
  EXPECT_EQ(limiter.Take("a", 10, t0), 1);         // empty: 10 events need 1 s
  EXPECT_EQ(limiter.Take("b", 50, t0), 0);         // another client has its own bucket
  EXPECT_EQ(limiter.Take("a", 10, t0 + 1s), 0);    // refilled
  EXPECT_EQ(limiter.Take("a", 50, t0 + 2s), 4);    // 10 tokens: 40 more need 4 s
  EXPECT_EQ(limiter.Take("a", 500, t0 + 1h), 50);  // larger than the burst: never fits, says how slow
  EXPECT_EQ(RateLimiter(0, 0).Take("x", 1e9), 0);  // rate 0: unlimited
}

TEST(RateLimiterTest, StaysBoundedWithManyClients) {
  RateLimiter limiter(1, 10, /*max_clients=*/100);
  const auto t0 = RateLimiter::Clock::time_point{} + 1h;
  for (int i = 0; i < 10000; ++i)
    limiter.Take("client" + std::to_string(i), 5, t0 + std::chrono::seconds(i));
  // The recent client is still tracked: 5 tokens left + 1 refilled, so 10 more need 4 s.
  EXPECT_EQ(limiter.Take("client9999", 10, t0 + 10000s), 4);
}

TEST(UserAttributeCacheTest, LoadsMissesInOneCallAndExpires) {
  std::vector<std::vector<std::int64_t>> calls;
  accounts::UserAttributeCache cache(
      [&](const std::vector<std::int64_t>& ids) {
        calls.push_back(ids);
        accounts::UserAttributeCache::AttributeMap out;
        for (auto id : ids)
          if (id % 2 == 0) out[id] = {true, "basic", "DE"};
        return out;
      },
      4, 3600s);
  auto first = cache.Get({2, 3, 2, 4});
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0], (std::vector<std::int64_t>{2, 3, 4}));
  EXPECT_TRUE(first.at(2).exists);
  EXPECT_FALSE(first.at(3).exists);  // unknown users are cached too
  cache.Get({2, 3, 4});
  EXPECT_EQ(calls.size(), 1u);
  cache.Get({10, 12, 14, 16, 18});  // beyond the capacity: the oldest generation goes
  cache.Get({2});
  EXPECT_EQ(calls.size(), 3u);
  EXPECT_EQ(cache.GetCached({99}).size(), 0u);
}

TEST(UserAttributeCacheTest, SnapshotAnswersWithoutPerUserLoadsAndNewUsersStillLoad) {
  std::atomic<int> per_id_calls{0}, pages{0};
  accounts::UserAttributeCache cache(
      [&](const std::vector<std::int64_t>& ids) {
        ++per_id_calls;
        accounts::UserAttributeCache::AttributeMap out;
        for (auto id : ids)
          if (id == 1000) out[id] = {true, "premium", "FR"};  // signed up after the snapshot
        return out;
      },
      4, 3600s);
  accounts::UserAttributeCache::SnapshotOptions options;
  options.page_size = 3;  // users 1..10 in four pages
  options.pages = [&](std::int64_t after, std::size_t limit) {
    ++pages;
    std::vector<std::pair<std::int64_t, accounts::UserAttributes>> page;
    for (std::int64_t id = after + 1; id <= 10 && page.size() < limit; ++id)
      page.push_back({id, {true, id % 2 ? "basic" : "free", id < 5 ? "DE" : ""}});
    return page;
  };
  cache.StartSnapshots(options);
  ASSERT_TRUE(WaitUntil([&] { return cache.snapshot_users() == 10; }));
  EXPECT_EQ(pages.load(), 4);

  const auto got = cache.Get({1, 2, 7, 10});  // more users than the per-id capacity: all from the snapshot
  EXPECT_EQ(per_id_calls.load(), 0);
  EXPECT_EQ(got.at(1).tier, "basic");
  EXPECT_EQ(got.at(1).country, "DE");
  EXPECT_EQ(got.at(2).tier, "free");
  EXPECT_EQ(got.at(7).country, "");
  EXPECT_TRUE(got.at(10).exists);

  const auto later = cache.Get({3, 1000, 2000});
  EXPECT_EQ(per_id_calls.load(), 1);  // one load for the two users the snapshot does not have
  EXPECT_EQ(later.at(1000).tier, "premium");
  EXPECT_FALSE(later.at(2000).exists);
  EXPECT_EQ(cache.GetCached({4}).at(4).tier, "free");
}

TEST(UserAttributeCacheTest, NoSnapshotAboveMaxUsersAndAFailedLoadKeepsThePerUserPath) {
  std::atomic<int> per_id_calls{0}, pages{0};
  accounts::UserAttributeCache cache(
      [&](const std::vector<std::int64_t>& ids) {
        ++per_id_calls;
        accounts::UserAttributeCache::AttributeMap out;
        for (auto id : ids)
          out[id] = {true, "basic", ""};
        return out;
      },
      100, 3600s);
  accounts::UserAttributeCache::SnapshotOptions options;
  options.page_size = 2;
  options.max_users = 3;
  options.pages = [&](std::int64_t after, std::size_t limit) {
    if (pages++ == 0) throw StoreError("postgres", "down for the test");
    std::vector<std::pair<std::int64_t, accounts::UserAttributes>> page;
    for (auto id = after + 1; page.size() < limit; ++id)
      page.push_back({id, {true, "free", ""}});
    return page;
  };
  cache.StartSnapshots(options);
  EXPECT_EQ(cache.Get({1, 2}).at(1).tier, "basic");  // before (and without) any snapshot: per-id loads
  EXPECT_EQ(per_id_calls.load(), 1);
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(cache.snapshot_users(), 0u);
}

TEST(MovieDirectoryTest, LoadMissingAddsNewMoviesWithoutAFullReload) {
  int full_loads = 0;
  catalog::MovieDirectory::Options options;
  options.find_loader = [](const std::vector<std::int64_t>& ids) {
    std::vector<catalog::MovieInfo> found;
    for (auto id : ids)
      if (id == 3) found.push_back({3, "New", {"Drama"}, 100, 1, false});
    return found;
  };
  catalog::MovieDirectory movies(
      [&] {
        ++full_loads;
        return TwoMovies()();
      },
      options);
  ASSERT_TRUE(movies.RefreshNow());
  const auto before = movies.snapshot();
  EXPECT_TRUE(movies.LoadMissing({3, 4}));
  EXPECT_FALSE(movies.LoadMissing({4}));
  const auto after = movies.snapshot();
  EXPECT_EQ(before->Find(3), nullptr);  // readers keep the snapshot they hold
  ASSERT_NE(after->Find(3), nullptr);
  EXPECT_EQ(after->Find(3)->title, "New");
  EXPECT_NE(after->Find(2), nullptr);
  EXPECT_TRUE(after->Find(2)->deleted);
}

}  // namespace
}  // namespace cinerec::collect
