#include "storage/clickhouse/clickhouse_sql.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace cinerec {
namespace {

TEST(ClickHouseSqlTest, IdentifiersAllowOnlySafeCharacters) {
  for (const char* good : {"watch_events", "cinerec.watch_events", "JSONEachRow", "t1"})
    EXPECT_TRUE(IsClickHouseIdentifier(good)) << good;
  for (const char* bad : {"", "a b", "a;b", "a'b", "`a`", "a--", ".a", "a.", "a..b", "a\nb", "t/*x*/"})
    EXPECT_FALSE(IsClickHouseIdentifier(bad)) << bad;
  EXPECT_THROW(CheckClickHouseIdentifier("table", "x y"), std::invalid_argument);
}

TEST(ClickHouseSqlTest, ParsesErrorCodesOfOldAndNewServers) {
  EXPECT_EQ(ParseClickHouseErrorCode("Code: 60, e.displayText() = DB::Exception: Table x doesn't exist., "
                                     "e.what() = DB::Exception\n"),
            60);
  EXPECT_EQ(
      ParseClickHouseErrorCode("Code: 62. DB::Exception: Syntax error: ... (SYNTAX_ERROR) (version 24.3)"),
      62);
  EXPECT_EQ(ParseClickHouseErrorCode("Bad gateway"), 0);
  EXPECT_EQ(ParseClickHouseErrorCode("Code: x"), 0);
  EXPECT_TRUE(IsTransientClickHouseError(241));  // memory limit: try later
  EXPECT_TRUE(IsTransientClickHouseError(516));  // authentication: the store is unusable, not the statement
  EXPECT_FALSE(IsTransientClickHouseError(62));
}

TEST(ClickHouseSqlTest, RecognisesReadOnlyStatements) {
  EXPECT_TRUE(IsReadOnlyStatement("SELECT 1"));
  EXPECT_TRUE(IsReadOnlyStatement("  -- report\n select count() FROM t"));
  EXPECT_TRUE(IsReadOnlyStatement("(SELECT 1) UNION ALL (SELECT 2)"));
  EXPECT_TRUE(IsReadOnlyStatement("SHOW TABLES"));
  EXPECT_FALSE(IsReadOnlyStatement("INSERT INTO t VALUES (1)"));
  EXPECT_FALSE(IsReadOnlyStatement("ALTER TABLE t DELETE WHERE 1"));
  EXPECT_FALSE(IsReadOnlyStatement("SELECTED"));
}

}  // namespace
}  // namespace cinerec
