#include "storage/clickhouse/in_memory_clickhouse.h"

#include <gtest/gtest.h>

#include "common/errors.h"
#include "storage/clickhouse/clickhouse_contract.h"

namespace cinerec {
namespace {

struct InMemoryBackend {
  InMemoryClickHouse clickhouse;
  ClickHouseClient& client() { return clickhouse; }
  void Script(const std::string& sql, std::string body) { clickhouse.ScriptAnswer(sql, std::move(body)); }
  void ScriptError(const std::string& sql, int code) { clickhouse.ScriptError(sql, code, "scripted error"); }
  std::size_t InsertedRows(const std::string& table) { return clickhouse.RowCount(table); }
};

}  // namespace

INSTANTIATE_TYPED_TEST_SUITE_P(InMemory, ClickHouseContract, ::testing::Types<InMemoryBackend>);

namespace {

TEST(InMemoryClickHouseTest, RecordsInsertsInOrder) {
  InMemoryClickHouse clickhouse;
  clickhouse.Insert("events", "JSONEachRow", "{\"a\":1}\n{\"a\":2}\n");
  clickhouse.Insert("events", "JSONEachRow", "{\"a\":3}");
  clickhouse.Insert("other", "TSV", "x\ty\r\n");
  ASSERT_EQ(clickhouse.Inserts("events").size(), 2u);
  EXPECT_EQ(clickhouse.Inserts("events")[1].rows, "{\"a\":3}");
  EXPECT_EQ(clickhouse.Inserts("other")[0].format, "TSV");
  EXPECT_EQ(clickhouse.InsertedRows("events"),
            (std::vector<std::string>{"{\"a\":1}", "{\"a\":2}", "{\"a\":3}"}));
  EXPECT_EQ(clickhouse.RowCount("other"), 1u);
  EXPECT_EQ(clickhouse.RowCount("none"), 0u);
  EXPECT_EQ(InMemoryClickHouse::SplitLines("\n\na\n\nb"), (std::vector<std::string>{"a", "b"}));
}

TEST(InMemoryClickHouseTest, UnscriptedQueriesFailLoudly) {
  InMemoryClickHouse clickhouse;
  clickhouse.ScriptAnswer("SELECT 1 FORMAT TSV", "1\n");
  EXPECT_EQ(clickhouse.Query("SELECT 1 FORMAT TSV"), "1\n");
  EXPECT_THROW(clickhouse.Query("SELECT 2 FORMAT TSV"), ClickHouseQueryError);
  EXPECT_EQ(clickhouse.Queries(), (std::vector<std::string>{"SELECT 1 FORMAT TSV", "SELECT 2 FORMAT TSV"}));
}

TEST(InMemoryClickHouseTest, OutagesThrowStoreError) {
  InMemoryClickHouse clickhouse;
  clickhouse.SetAvailable(false);
  EXPECT_THROW(clickhouse.Ping(), StoreError);
  EXPECT_THROW(clickhouse.Insert("t", "JSONEachRow", "{}"), StoreError);
  EXPECT_THROW(clickhouse.EnsureDatabase(), StoreError);
  clickhouse.SetAvailable(true);
  clickhouse.FailNextCalls(2);
  EXPECT_THROW(clickhouse.Insert("t", "JSONEachRow", "{}"), StoreError);
  EXPECT_THROW(clickhouse.Ping(), StoreError);
  EXPECT_NO_THROW(clickhouse.Insert("t", "JSONEachRow", "{}"));
  EXPECT_EQ(clickhouse.RowCount("t"), 1u);
}

}  // namespace
}  // namespace cinerec
