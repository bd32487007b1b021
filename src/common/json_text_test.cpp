#include "common/json_text.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <limits>

namespace cinerec {
namespace {

TEST(JsonText, StringsReadBackAsTheSameBytes) {
  for (const std::string& text :
       {std::string(), std::string("plain title"), std::string("say \"hi\" \\ back"),
        std::string("a\nb\rc\td"), std::string("ctl \x01\x1f end"), std::string("Amélie — 東京"),
        std::string("\"\"\\\\"), std::string("nul \0 inside", 13)}) {
    std::string out;
    AppendJsonString(out, text);
    EXPECT_EQ(boost::json::parse(out).as_string(), text) << out;
  }
  std::string out;
  AppendJsonString(out, "a\x01");
  EXPECT_EQ(out, "\"a\\u0001\"");
}

TEST(JsonText, NumbersReadBackAsTheSameValue) {
  for (const float value : {0.0f, 1.0f, -0.25f, 0.1234567f, 3.4e38f, 1e-30f}) {
    std::string out;
    AppendJsonNumber(out, value);
    EXPECT_EQ(static_cast<float>(boost::json::parse(out).to_number<double>()), value) << out;
  }
  std::string out;
  AppendJsonNumber(out, std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(boost::json::parse(out).as_int64(), std::numeric_limits<std::int64_t>::min());
}

}  // namespace
}  // namespace cinerec
