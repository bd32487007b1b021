#pragma once
// The ClickHouse contract: one typed test suite for every ClickHouseClient (InMemoryClickHouse in
// in_memory_clickhouse_test.cpp, HttpClickHouseClient against the test stack in
// http_clickhouse_client_itest.cpp). The fake cannot execute SQL, so a test first scripts the answers the
// real server gives; the suite then checks that both give the same shapes, errors and codes. A Backend is
// default-constructible and provides:
//   ClickHouseClient& client();                                   // on a database of its own
//   void Script(const std::string& sql, std::string body);         // the fake answers sql with body
//   void ScriptError(const std::string& sql, int code);            // the fake throws
//   ClickHouseQueryError(code) std::size_t InsertedRows(const std::string& table);            // the fake
//   counts, the real one asks count()
#include <gtest/gtest.h>

#include <string>

#include "storage/clickhouse/clickhouse_client.h"

namespace cinerec {

template <typename Backend>
class ClickHouseContract : public ::testing::Test {
 protected:
  static constexpr const char* kCreate =
      "CREATE TABLE IF NOT EXISTS items (id UInt64, name String, at DateTime('UTC')) ENGINE = MergeTree "
      "ORDER BY id";

  void CreateTable() {
    backend_.Script(kCreate, "");
    backend_.client().Query(kCreate);
  }

  Backend backend_;
};

TYPED_TEST_SUITE_P(ClickHouseContract);

TYPED_TEST_P(ClickHouseContract, PingAndEnsureDatabase) {
  EXPECT_NO_THROW(this->backend_.client().Ping());
  EXPECT_NO_THROW(this->backend_.client().EnsureDatabase());  // idempotent
}

TYPED_TEST_P(ClickHouseContract, InsertedRowsAreCounted) {
  this->CreateTable();
  std::string rows;
  for (int i = 1; i <= 100; ++i)
    rows += "{\"id\":" + std::to_string(i) + ",\"name\":\"ünï \\\"q\\\" " + std::to_string(i)
            + "\",\"at\":\"2026-11-24T10:00:00Z\"}\n";
  this->backend_.client().Insert("items", "JSONEachRow", rows);
  this->backend_.client().Insert("items", "JSONEachRow", "{\"id\":0,\"name\":\"\",\"at\":0}");
  EXPECT_EQ(this->backend_.InsertedRows("items"), 101u);
}

TYPED_TEST_P(ClickHouseContract, BigIntegersComeBackUnquoted) {
  const std::string sql =
      "SELECT toUInt64(18446744073709551615) AS big, toInt64(-5) AS small FORMAT JSONEachRow";
  this->backend_.Script(sql, "{\"big\":18446744073709551615,\"small\":-5}\n");
  EXPECT_EQ(this->backend_.client().Query(sql), "{\"big\":18446744073709551615,\"small\":-5}\n");
}

TYPED_TEST_P(ClickHouseContract, RejectedStatementsCarryTheirCode) {
  const std::string syntax = "SELEC 1";
  const std::string missing = "SELECT count() FROM no_such_table";
  this->backend_.ScriptError(syntax, 62);
  this->backend_.ScriptError(missing, 60);
  try {
    this->backend_.client().Query(syntax);
    ADD_FAILURE() << "expected ClickHouseQueryError";
  } catch (const ClickHouseQueryError& e) {
    EXPECT_EQ(e.code(), 62) << e.what();
  }
  try {
    this->backend_.client().Query(missing);
    ADD_FAILURE() << "expected ClickHouseQueryError";
  } catch (const ClickHouseQueryError& e) {
    EXPECT_EQ(e.code(), 60) << e.what();
  }
}

TYPED_TEST_P(ClickHouseContract, InjectionInNamesIsRefusedBeforeSending) {
  auto& client = this->backend_.client();
  for (const char* table : {"items; DROP TABLE items", "items FORMAT TSV", "`items`", "", "items--", "a..b"})
    EXPECT_THROW(client.Insert(table, "JSONEachRow", "{}"), std::invalid_argument) << table;
  EXPECT_THROW(client.Insert("items", "JSONEachRow SETTINGS max_threads=1", "{}"), std::invalid_argument);
}

REGISTER_TYPED_TEST_SUITE_P(ClickHouseContract, PingAndEnsureDatabase, InsertedRowsAreCounted,
                            BigIntegersComeBackUnquoted, RejectedStatementsCarryTheirCode,
                            InjectionInNamesIsRefusedBeforeSending);

}  // namespace cinerec
