#include "storage/clickhouse/clickhouse_batcher.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "storage/clickhouse/in_memory_clickhouse.h"

namespace cinerec {
namespace {

using std::chrono::milliseconds;

bool WaitFor(const std::function<bool()>& condition, milliseconds limit = milliseconds(3000)) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(milliseconds(2));
  }
  return true;
}

ClickHouseConfig Config(std::size_t batch_rows, milliseconds interval) {
  ClickHouseConfig config;
  config.batch_rows = batch_rows;
  config.flush_interval = interval;
  return config;
}

std::string Row(int i) {
  return "{\"id\":" + std::to_string(i) + "}";
}
std::vector<std::string> Rows(int from, int to) {
  std::vector<std::string> rows;
  for (int i = from; i < to; ++i)
    rows.push_back(Row(i));
  return rows;
}

ClickHouseBatcherOptions FastRetry() {
  ClickHouseBatcherOptions options;
  options.initial_backoff = milliseconds(5);
  options.max_backoff = milliseconds(20);
  return options;
}

TEST(ClickHouseBatcherTest, SendsABatchWhenItIsFull) {
  InMemoryClickHouse clickhouse;
  ClickHouseBatcher batcher(clickhouse, Config(3, std::chrono::hours(1)), 100);
  for (int i = 0; i < 7; ++i)
    ASSERT_TRUE(batcher.Append("events", Row(i)));
  ASSERT_TRUE(WaitFor([&] { return batcher.batches_sent() == 2; }));
  EXPECT_EQ(batcher.rows_buffered(), 1u);
  EXPECT_EQ(clickhouse.Inserts("events")[0].rows, Row(0) + "\n" + Row(1) + "\n" + Row(2));
  EXPECT_EQ(clickhouse.Inserts("events")[0].format, "JSONEachRow");
  EXPECT_TRUE(batcher.Flush());
  EXPECT_EQ(batcher.batches_sent(), 3u);
  EXPECT_EQ(batcher.rows_sent(), 7u);
  EXPECT_EQ(batcher.rows_buffered(), 0u);
  EXPECT_EQ(clickhouse.InsertedRows("events"), Rows(0, 7));
}

TEST(ClickHouseBatcherTest, SendsAPartialBatchAfterTheFlushInterval) {
  InMemoryClickHouse clickhouse;
  ClickHouseBatcher batcher(clickhouse, Config(1000, milliseconds(30)), 100);
  auto start = std::chrono::steady_clock::now();
  batcher.Append("events", Row(1));
  batcher.Append("events", Row(2));
  ASSERT_TRUE(WaitFor([&] { return batcher.rows_sent() == 2; }));
  EXPECT_GE(std::chrono::steady_clock::now() - start, milliseconds(30));
  EXPECT_EQ(batcher.batches_sent(), 1u);
}

TEST(ClickHouseBatcherTest, KeepsTablesApart) {
  InMemoryClickHouse clickhouse;
  ClickHouseBatcher batcher(clickhouse, Config(10, std::chrono::hours(1)), 100);
  batcher.Append("a", Row(1));
  batcher.Append("b", Row(2));
  batcher.Append("a", Row(3));
  EXPECT_TRUE(batcher.Flush());
  EXPECT_EQ(clickhouse.InsertedRows("a"), (std::vector<std::string>{Row(1), Row(3)}));
  EXPECT_EQ(clickhouse.InsertedRows("b"), (std::vector<std::string>{Row(2)}));
  EXPECT_THROW(batcher.Append("a; DROP TABLE a", Row(1)), std::invalid_argument);
}

TEST(ClickHouseBatcherTest, AppendRowsQueuesSeveralRowsAtOnceAndReusedBodiesStartEmpty) {
  InMemoryClickHouse clickhouse;
  ClickHouseBatcher batcher(clickhouse, Config(4, std::chrono::hours(1)), 100);
  ASSERT_TRUE(batcher.AppendRows("events", Row(0) + "\n" + Row(1) + "\n" + Row(2), 3));
  EXPECT_EQ(batcher.rows_buffered(), 3u);
  ASSERT_TRUE(batcher.AppendRows("events", Row(3), 1));  // the 4th row fills the batch
  ASSERT_TRUE(WaitFor([&] { return batcher.batches_sent() == 1; }));
  EXPECT_TRUE(batcher.AppendRows("events", "", 0));  // nothing to queue
  // The next batches are filled in the sent batch's emptied body: none of its rows may come back.
  for (int round = 0; round < 3; ++round) {
    ASSERT_TRUE(batcher.AppendRows("events", Row(10 + round), 1));
    EXPECT_TRUE(batcher.Flush());
  }
  EXPECT_EQ(clickhouse.InsertedRows("events"),
            (std::vector<std::string>{Row(0), Row(1), Row(2), Row(3), Row(10), Row(11), Row(12)}));
  EXPECT_EQ(batcher.rows_sent(), 7u);
}

TEST(ClickHouseBatcherTest, AppendRowsIsAllOrNothingAtTheBound) {
  InMemoryClickHouse clickhouse;
  ClickHouseBatcher batcher(clickhouse, Config(100, std::chrono::hours(1)), 2);
  ASSERT_TRUE(batcher.AppendRows("events", Row(0) + "\n" + Row(1), 2));
  EXPECT_FALSE(batcher.AppendRows("events", Row(2), 1));
  EXPECT_EQ(batcher.rows_buffered(), 2u);
  EXPECT_TRUE(batcher.Flush());
  EXPECT_EQ(clickhouse.InsertedRows("events"), Rows(0, 2));
}

TEST(ClickHouseBatcherTest, OutageKeepsRowsAndDeliversThemExactlyOnce) {
  InMemoryClickHouse clickhouse;
  ClickHouseBatcher batcher(clickhouse, Config(10, milliseconds(5)), 1000, FastRetry());
  clickhouse.SetAvailable(false);
  for (int i = 0; i < 25; ++i)
    ASSERT_TRUE(batcher.Append("events", Row(i)));
  EXPECT_FALSE(batcher.Flush());
  EXPECT_EQ(batcher.rows_buffered(), 25u);
  EXPECT_GE(batcher.failed_attempts(), 1u);
  ASSERT_TRUE(WaitFor([&] { return batcher.failed_attempts() >= 3; }));  // the background retry goes on
  EXPECT_EQ(batcher.rows_sent(), 0u);

  clickhouse.SetAvailable(true);
  for (int i = 25; i < 30; ++i)
    ASSERT_TRUE(batcher.Append("events", Row(i)));
  EXPECT_TRUE(batcher.Flush());
  EXPECT_EQ(clickhouse.InsertedRows("events"), Rows(0, 30));  // in order, none lost, none twice
  EXPECT_EQ(batcher.rows_sent(), 30u);
  EXPECT_EQ(batcher.rows_buffered(), 0u);
  EXPECT_TRUE(batcher.Flush());
  EXPECT_EQ(clickhouse.RowCount("events"), 30u);
}

TEST(ClickHouseBatcherTest, RetriesInTheBackgroundWithBackoff) {
  InMemoryClickHouse clickhouse;
  ClickHouseBatcher batcher(clickhouse, Config(5, milliseconds(5)), 1000, FastRetry());
  clickhouse.FailNextCalls(3);
  for (int i = 0; i < 12; ++i)
    batcher.Append("events", Row(i));
  ASSERT_TRUE(WaitFor([&] { return batcher.rows_sent() == 12; }));
  EXPECT_EQ(batcher.failed_attempts(), 3u);
  EXPECT_EQ(clickhouse.InsertedRows("events"), Rows(0, 12));
}

TEST(ClickHouseBatcherTest, RefusesRowsBeyondTheBound) {
  InMemoryClickHouse clickhouse;
  ClickHouseBatcher batcher(clickhouse, Config(2, std::chrono::hours(1)), 5, FastRetry());
  clickhouse.SetAvailable(false);
  for (int i = 0; i < 5; ++i)
    EXPECT_TRUE(batcher.Append("events", Row(i)));
  EXPECT_FALSE(batcher.Append("events", Row(5)));
  EXPECT_EQ(batcher.rows_buffered(), 5u);
  clickhouse.SetAvailable(true);
  EXPECT_TRUE(batcher.Flush());
  EXPECT_TRUE(batcher.Append("events", Row(5)));
  EXPECT_TRUE(batcher.Flush());
  EXPECT_EQ(clickhouse.InsertedRows("events"), Rows(0, 6));
}

// Refuses every insert into "bad" like a server rejecting a malformed row.
class RejectingClickHouse final : public ClickHouseClient {
 public:
  std::string Query(const std::string&) override { return {}; }
  void EnsureDatabase() override {}
  void Ping() override {}
  void Insert(const std::string& table, std::string_view format, std::string_view rows) override {
    if (table == "bad") throw ClickHouseQueryError(26, "Cannot parse JSON");
    inner.Insert(table, format, rows);
  }
  InMemoryClickHouse inner;
};

TEST(ClickHouseBatcherTest, DropsAndCountsARejectedBatchWithoutBlockingOthers) {
  RejectingClickHouse clickhouse;
  ClickHouseBatcher batcher(clickhouse, Config(10, std::chrono::hours(1)), 100);
  batcher.Append("bad", Row(1));
  batcher.Append("good", Row(2));
  EXPECT_TRUE(batcher.Flush());
  EXPECT_EQ(batcher.rows_rejected(), 1u);
  EXPECT_EQ(batcher.rows_sent(), 1u);
  EXPECT_EQ(batcher.failed_attempts(), 0u);
  EXPECT_EQ(clickhouse.inner.RowCount("good"), 1u);
}

TEST(ClickHouseBatcherTest, DestructorFlushes) {
  InMemoryClickHouse clickhouse;
  {
    ClickHouseBatcher batcher(clickhouse, Config(100, std::chrono::hours(1)), 1000);
    for (int i = 0; i < 42; ++i)
      batcher.Append("events", Row(i));
  }
  EXPECT_EQ(clickhouse.RowCount("events"), 42u);
}

TEST(ClickHouseBatcherTest, ConcurrentAppendsAllArriveOnce) {
  InMemoryClickHouse clickhouse;
  ClickHouseBatcher batcher(clickhouse, Config(100, milliseconds(5)), 100000);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 1000; ++i)
        ASSERT_TRUE(batcher.Append("events", Row(t * 1000 + i)));
    });
  }
  for (auto& thread : threads)
    thread.join();
  EXPECT_TRUE(batcher.Flush());
  auto rows = clickhouse.InsertedRows("events");
  EXPECT_EQ(rows.size(), 4000u);
  EXPECT_EQ(std::set<std::string>(rows.begin(), rows.end()).size(), 4000u);
  EXPECT_EQ(batcher.rows_sent(), 4000u);
}

}  // namespace
}  // namespace cinerec
