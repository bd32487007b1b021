#include <gtest/gtest.h>

#include <iostream>

#include "common/errors.h"
#include "storage/clickhouse/clickhouse_batcher.h"
#include "storage/clickhouse/clickhouse_contract.h"
#include "storage/clickhouse/http_clickhouse_client.h"
#include "support/test_env.h"

namespace cinerec {
namespace {

using Clock = std::chrono::steady_clock;

// A database of its own (cinerec_<unique>), dropped afterwards.
struct RealClickHouseBackend {
  RealClickHouseBackend() : config(MakeConfig()), clickhouse(config) { clickhouse.EnsureDatabase(); }
  ~RealClickHouseBackend() {
    try {
      clickhouse.Query("DROP DATABASE IF EXISTS " + config.database);
    } catch (const std::exception& e) {
      std::cerr << "could not drop " << config.database << ": " << e.what() << "\n";
    }
  }
  static ClickHouseConfig MakeConfig() {
    ClickHouseConfig result = cinerec::testing::StackConfig().clickhouse;
    result.database = "cinerec_" + cinerec::testing::UniqueName();
    return result;
  }

  ClickHouseClient& client() { return clickhouse; }
  void Script(const std::string&, std::string) {}
  void ScriptError(const std::string&, int) {}
  std::size_t InsertedRows(const std::string& table) {
    return std::stoul(clickhouse.Query("SELECT count() FROM " + table + " FORMAT TSV"));
  }

  ClickHouseConfig config;
  HttpClickHouseClient clickhouse;
};

}  // namespace

INSTANTIATE_TYPED_TEST_SUITE_P(RealServer, ClickHouseContract, ::testing::Types<RealClickHouseBackend>);

namespace {

class HttpClickHouseClientTest : public ::testing::Test {
 protected:
  void CreateTable() {
    ch_.client().Query(
        "CREATE TABLE hits (id UInt64, user_id UInt64, score Float64, at DateTime('UTC')) "
        "ENGINE = MergeTree ORDER BY id");
  }
  std::string Ask(const std::string& sql) {
    std::string body = ch_.client().Query(sql);
    while (!body.empty() && body.back() == '\n')
      body.pop_back();
    return body;
  }
  RealClickHouseBackend ch_;
};

TEST_F(HttpClickHouseClientTest, InsertsTenThousandRowsInOneRequest) {
  CreateTable();
  constexpr int kRows = 10000;
  std::string rows;
  for (int i = 1; i <= kRows; ++i)
    rows += "{\"id\":" + std::to_string(i) + ",\"user_id\":" + std::to_string(i % 100)
            + ",\"score\":0.5,\"at\":\"2026-11-24 10:00:00\"}\n";
  auto start = Clock::now();
  ch_.client().Insert("hits", "JSONEachRow", rows);
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::cout << "clickhouse: " << kRows << " JSONEachRow rows (" << rows.size() / 1024 << " KiB) in "
            << seconds * 1000 << " ms = " << static_cast<long>(kRows / seconds) << " rows/s\n";
  RecordProperty("rows_per_s", static_cast<int>(kRows / seconds));
  EXPECT_EQ(Ask("SELECT count(), uniqExact(user_id), sum(id), sum(score) FROM hits FORMAT TSV"),
            "10000\t100\t50005000\t5000");
}

TEST_F(HttpClickHouseClientTest, IsoTimestampsWithZInsert) {
  CreateTable();
  ch_.client().Insert("hits", "JSONEachRow",
                      "{\"id\":1,\"user_id\":1,\"score\":1,\"at\":\"2026-11-24T10:00:00Z\"}");
  EXPECT_EQ(Ask("SELECT toString(at) FROM hits FORMAT TSV"), "2026-11-24 10:00:00");
}

TEST_F(HttpClickHouseClientTest, SixtyFourBitIntegersAreNumbersInJson) {
  CreateTable();
  ch_.client().Insert("hits", "JSONEachRow",
                      "{\"id\":18446744073709551615,\"user_id\":7,\"score\":1,\"at\":0}");
  EXPECT_EQ(Ask("SELECT id, user_id FROM hits FORMAT JSONEachRow"),
            "{\"id\":18446744073709551615,\"user_id\":7}");
}

TEST_F(HttpClickHouseClientTest, BadRowsAndStatementsAreQueryErrors) {
  CreateTable();
  try {
    ch_.client().Insert("hits", "JSONEachRow", "{\"id\":\"not a number\"}");
    ADD_FAILURE() << "expected ClickHouseQueryError";
  } catch (const ClickHouseQueryError& e) {
    EXPECT_NE(e.code(), 0) << e.what();
  }
  try {
    ch_.client().Insert("missing_table", "JSONEachRow", "{}");
    ADD_FAILURE() << "expected ClickHouseQueryError";
  } catch (const ClickHouseQueryError& e) {
    EXPECT_EQ(e.code(), 60) << e.what();
  }
  EXPECT_THROW(ch_.client().Query("SELECT 1; SELECT 2"), ClickHouseQueryError);
  EXPECT_EQ(Ask("SELECT count() FROM hits FORMAT TSV"), "0");
}

TEST_F(HttpClickHouseClientTest, InjectedTableNameDoesNotReachTheServer) {
  CreateTable();
  EXPECT_THROW(ch_.client().Insert("hits FORMAT TSV SETTINGS x=1", "JSONEachRow", "{}"),
               std::invalid_argument);
  EXPECT_THROW(ch_.client().Insert("hits; DROP TABLE hits", "JSONEachRow", "{}"), std::invalid_argument);
  EXPECT_EQ(Ask("EXISTS TABLE hits FORMAT TSV"), "1");
}

TEST_F(HttpClickHouseClientTest, QualifiedTableNamesWork) {
  CreateTable();
  ch_.client().Insert(ch_.config.database + ".hits", "TSV", "1\t2\t3.5\t2026-01-01 00:00:00\n");
  EXPECT_EQ(Ask("SELECT user_id, score FROM hits FORMAT TSV"), "2\t3.5");
}

TEST(HttpClickHouseClientConfigTest, RefusesBadConfigurationAndUnreachableServers) {
  ClickHouseConfig config;
  config.database = "x; DROP";
  EXPECT_THROW(HttpClickHouseClient{config}, ConfigError);
  config = ClickHouseConfig{};
  config.url = "127.0.0.1:8123";
  EXPECT_THROW(HttpClickHouseClient{config}, ConfigError);

  config = ClickHouseConfig{};
  config.url = "http://admin:topsecret@127.0.0.1:1";
  config.timeout = std::chrono::milliseconds(500);
  HttpClickHouseClient unreachable(config);
  try {
    unreachable.Ping();
    ADD_FAILURE() << "expected StoreError";
  } catch (const StoreError& e) {
    EXPECT_EQ(e.store(), "clickhouse");
    EXPECT_EQ(std::string(e.what()).find("topsecret"), std::string::npos) << e.what();
  }
  EXPECT_THROW(unreachable.Query("SELECT 1"), StoreError);
}

TEST(HttpClickHouseClientConfigTest, WrongPasswordIsAStoreError) {
  auto config = cinerec::testing::StackConfig().clickhouse;
  config.user = "no_such_user";
  HttpClickHouseClient clickhouse(config);
  EXPECT_THROW(clickhouse.Query("SELECT 1"), StoreError);
}

TEST_F(HttpClickHouseClientTest, BatcherDeliversExactlyTheAppendedRows) {
  CreateTable();
  ClickHouseConfig config = ch_.config;
  config.batch_rows = 1000;
  config.flush_interval = std::chrono::milliseconds(50);
  constexpr int kRows = 5500;
  {
    ClickHouseBatcher batcher(ch_.client(), config, 100000);
    for (int i = 1; i <= kRows; ++i)
      ASSERT_TRUE(batcher.Append(
          "hits",
          "{\"id\":" + std::to_string(i) + ",\"user_id\":1,\"score\":1,\"at\":\"2026-11-24T10:00:00Z\"}"));
    EXPECT_TRUE(batcher.Flush());
    EXPECT_EQ(batcher.rows_sent(), std::uint64_t{kRows});
    EXPECT_EQ(batcher.batches_sent(), 6u);
  }
  EXPECT_EQ(Ask("SELECT count(), uniqExact(id), min(id), max(id) FROM hits FORMAT TSV"),
            "5500\t5500\t1\t5500");
}

}  // namespace
}  // namespace cinerec
