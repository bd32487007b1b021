#include "ingest/text.h"

#include <gtest/gtest.h>

namespace cinerec::ingest {
namespace {

TEST(IngestTextTest, CsvHandlesQuotesCommasAndEmptyFields) {
  EXPECT_EQ(ParseCsvLine("1,plain,x"), (std::vector<std::string>{"1", "plain", "x"}));
  EXPECT_EQ(ParseCsvLine(R"x(11,"American President, The (1995)",Comedy)x"),
            (std::vector<std::string>{"11", "American President, The (1995)", "Comedy"}));
  EXPECT_EQ(ParseCsvLine(R"x(5,"Say ""Hi""",)x"), (std::vector<std::string>{"5", "Say \"Hi\"", ""}));
  EXPECT_THROW(ParseCsvLine(R"x(1,"open)x"), BadRow);
  EXPECT_THROW(ParseCsvLine(R"x(1,"a"b,c)x"), BadRow);
}

TEST(IngestTextTest, SplitKeepsEmptyFields) {
  EXPECT_EQ(SplitFields("a::b::", "::"), (std::vector<std::string_view>{"a", "b", ""}));
  EXPECT_EQ(SplitFields("1\t2", "\t").size(), 2u);
}

TEST(IngestTextTest, Latin1BecomesUtf8) {
  EXPECT_EQ(Latin1ToUtf8("L\xe9on"), "L\xc3\xa9on");
  EXPECT_EQ(Latin1ToUtf8("plain"), "plain");
  EXPECT_EQ(Latin1ToUtf8("\xff"), "\xc3\xbf");
}

TEST(IngestTextTest, TitleYearSplitsOnlyAPlausibleTrailingYear) {
  auto t = SplitTitleYear("Toy Story (1995)");
  EXPECT_EQ(t.title, "Toy Story");
  EXPECT_EQ(t.year, 1995);
  EXPECT_FALSE(SplitTitleYear("Babylon 5").year);
  EXPECT_FALSE(SplitTitleYear("Year (0042)x").year);
  EXPECT_EQ(SplitTitleYear("(1995)").title, "(1995)");
  EXPECT_EQ(SplitTitleYear("Heat (1995) ").year, 1995);
}

TEST(IngestTextTest, NumbersAreStrict) {
  EXPECT_EQ(ParseInt("42", "x"), 42);
  EXPECT_THROW(ParseInt("4x", "x"), BadRow);
  EXPECT_THROW(ParseInt("", "x"), BadRow);
  EXPECT_DOUBLE_EQ(ParseDouble("3.5", "r"), 3.5);
  EXPECT_THROW(ParseDouble("3.5.1", "r"), BadRow);
}

}  // namespace
}  // namespace cinerec::ingest
