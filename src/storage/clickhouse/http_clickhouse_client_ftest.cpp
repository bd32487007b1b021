// Fault tests: stop and start the test stack's ClickHouse (this binary runs serially).

#include <gtest/gtest.h>

#include "common/errors.h"
#include "storage/clickhouse/clickhouse_batcher.h"
#include "storage/clickhouse/http_clickhouse_client.h"
#include "support/test_env.h"

namespace cinerec {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// Restarts ClickHouse even when an assertion fails in between, so later tests
// find it running.
struct ClickHouseOutage {
  ClickHouseOutage() { cinerec::testing::StopStore("clickhouse"); }
  ~ClickHouseOutage() { End(); }
  void End() {
    if (!ended) cinerec::testing::StartStore("clickhouse");
    ended = true;
  }
  bool ended = false;
};

class HttpClickHouseFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_ = cinerec::testing::StackConfig().clickhouse;
    config_.database = "cinerec_" + cinerec::testing::UniqueName();
    config_.timeout = milliseconds(1000);
    client_ = std::make_unique<HttpClickHouseClient>(config_);
    client_->EnsureDatabase();
    client_->Query("CREATE TABLE t (id UInt64) ENGINE = MergeTree ORDER BY id");
  }
  void TearDown() override {
    try {
      client_->Query("DROP DATABASE IF EXISTS " + config_.database);
    } catch (const std::exception&) {
    }
  }
  std::string Count() { return client_->Query("SELECT count(), uniqExact(id) FROM t FORMAT TSV"); }

  ClickHouseConfig config_;
  std::unique_ptr<HttpClickHouseClient> client_;
};

TEST_F(HttpClickHouseFaultTest, SameClientRecoversAfterRestart) {
  client_->Insert("t", "JSONEachRow",
                  "{\"id\":1}");  // leaves a keep-alive connection in the pool
  ASSERT_EQ(Count(), "1\t1\n");
  {
    ClickHouseOutage outage;
    auto start = Clock::now();
    EXPECT_THROW(client_->Ping(), StoreError);
    EXPECT_THROW(client_->Query("SELECT 1"), StoreError);
    EXPECT_THROW(client_->Insert("t", "JSONEachRow", "{\"id\":2}"), StoreError);
    EXPECT_LT(Clock::now() - start, milliseconds(3000)) << "calls must fail fast while ClickHouse is down";
    outage.End();
  }
  EXPECT_NO_THROW(client_->Ping());
  client_->Insert("t", "JSONEachRow", "{\"id\":3}");
  EXPECT_EQ(Count(), "2\t2\n");
}

TEST_F(HttpClickHouseFaultTest, PooledConnectionsSurviveARestartWithoutAFailedCall) {
  client_->Insert("t", "JSONEachRow", "{\"id\":1}");
  ASSERT_EQ(Count(), "1\t1\n");
  cinerec::testing::StopStore("clickhouse");
  cinerec::testing::StartStore("clickhouse");
  // An INSERT is not retried by the adapter; libcurl notices the dead keep-alive connection before reuse.
  EXPECT_NO_THROW(client_->Insert("t", "JSONEachRow", "{\"id\":2}"));
  EXPECT_EQ(Count(), "2\t2\n");
}

TEST_F(HttpClickHouseFaultTest, BatcherDeliversRowsAppendedDuringTheOutage) {
  ClickHouseConfig config = config_;
  config.batch_rows = 100;
  config.flush_interval = milliseconds(20);
  ClickHouseBatcherOptions options;
  options.initial_backoff = milliseconds(50);
  options.max_backoff = milliseconds(500);
  ClickHouseBatcher batcher(*client_, config, 10000, options);
  for (int i = 0; i < 150; ++i)
    ASSERT_TRUE(batcher.Append("t", "{\"id\":" + std::to_string(i) + "}"));
  ASSERT_TRUE(batcher.Flush());
  {
    ClickHouseOutage outage;
    for (int i = 150; i < 400; ++i)
      ASSERT_TRUE(batcher.Append("t", "{\"id\":" + std::to_string(i) + "}"));
    EXPECT_FALSE(batcher.Flush());
    EXPECT_EQ(batcher.rows_buffered(), 250u);
    EXPECT_GE(batcher.failed_attempts(), 1u);
    outage.End();
  }
  EXPECT_TRUE(batcher.Flush());
  EXPECT_EQ(batcher.rows_buffered(), 0u);
  EXPECT_EQ(batcher.rows_sent(), 400u);
  EXPECT_EQ(Count(), "400\t400\n");
}

}  // namespace
}  // namespace cinerec

