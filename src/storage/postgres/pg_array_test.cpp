// Array literals are parameters of batched statements: the quoting is what keeps values data.
#include "storage/postgres/pg_array.h"

#include <gtest/gtest.h>

namespace cinerec {
namespace {

TEST(PgArrayTest, QuotesEveryElementAndEscapesQuoteAndBackslash) {
  auto element = [](std::string_view text) {
    std::string out;
    AppendPgArrayElement(out, text);
    return out;
  };
  EXPECT_EQ(element("plain"), R"("plain")");
  EXPECT_EQ(element(""), R"("")");
  EXPECT_EQ(element("NULL"), R"("NULL")");
  EXPECT_EQ(element(R"(a"b\c)"), R"("a\"b\\c")");
  EXPECT_EQ(element("{x,y} z"), R"("{x,y} z")");
  EXPECT_EQ(element("Amélie ☃"), "\"Amélie ☃\"");
}

TEST(PgArrayTest, LiteralsOfNumbersBooleansAndTexts) {
  EXPECT_EQ(PgArray(std::vector<std::int64_t>{}), "{}");
  EXPECT_EQ(PgArray(std::vector<std::int64_t>{3, -1, 9000000000}), "{3,-1,9000000000}");
  EXPECT_EQ(PgArray(std::vector<std::string>{"a,b", "", R"(q"x)"}), R"({"a,b","","q\"x"})");
  PgArrayLiteral mixed;
  mixed.Add(true);
  mixed.Add(false);
  EXPECT_EQ(mixed.Finish(), "{t,f}");
}

}  // namespace
}  // namespace cinerec
