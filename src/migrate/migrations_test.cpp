#include "migrate/migrations.h"

#include <gtest/gtest.h>

namespace cinerec {
namespace {

TEST(MigrationsTest, SplitsOnSemicolonAtEndOfLineAndDropsCommentChunks) {
  auto statements = SplitStatements(
      "-- header comment\n"
      "CREATE TABLE a (x UInt8)\n"
      "ENGINE = Memory;\n"
      "\n-- only a comment\n\n"
      "CREATE TABLE b (s String) ENGINE = Memory;  \n"
      "-- trailing comment\n");
  ASSERT_EQ(statements.size(), 2u);
  EXPECT_NE(statements[0].find("CREATE TABLE a"), std::string::npos);
  EXPECT_NE(statements[1].find("CREATE TABLE b"), std::string::npos);
}

TEST(MigrationsTest, EmbeddedMigrationsAreOrderedAndChecksummed) {
  for (const char* store : {"postgres", "clickhouse"}) {
    auto migrations = EmbeddedMigrations(store);
    ASSERT_FALSE(migrations.empty()) << store;
    for (std::size_t i = 0; i < migrations.size(); ++i) {
      EXPECT_EQ(migrations[i].checksum.size(), 64u);
      if (i > 0) {
        EXPECT_LT(migrations[i - 1].version, migrations[i].version);
      }
    }
  }
}

TEST(MigrationsTest, EveryClickHouseStatementIsSingle) {
  // 18.16 refuses several statements per request: every split chunk must hold exactly one ';'.
  for (const auto& m : EmbeddedMigrations("clickhouse")) {
    for (const auto& statement : SplitStatements(m.sql)) {
      std::size_t semicolons = 0;
      bool in_comment = false;
      for (std::size_t i = 0; i < statement.size(); ++i) {
        if (statement[i] == '\n') in_comment = false;
        if (!in_comment && statement.compare(i, 2, "--") == 0) in_comment = true;
        if (!in_comment && statement[i] == ';') ++semicolons;
      }
      EXPECT_LE(semicolons, 1u) << m.name << ": " << statement;
    }
  }
}

}  // namespace
}  // namespace cinerec
