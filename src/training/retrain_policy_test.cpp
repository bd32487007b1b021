#include "training/retrain_policy.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace cinerec::training {
namespace {

TEST(RetrainPolicyTest, RetrainsWhenGrowthReachesTheThreshold) {
  const DataCounts model{1000, 200};
  EXPECT_FALSE(DecideRetrain(model, {1000, 200}, 50).retrain);
  const auto below = DecideRetrain(model, {1030, 219}, 50);  // 49 new
  EXPECT_FALSE(below.retrain);
  EXPECT_EQ(below.new_rows, 49);
  const auto at = DecideRetrain(model, {1030, 220}, 50);  // 50 new
  EXPECT_TRUE(at.retrain);
  EXPECT_EQ(at.new_rows, 50);
  EXPECT_NE(at.reason.find("50 new views and reactions"), std::string::npos) << at.reason;
}

TEST(RetrainPolicyTest, ShrinkingDataIsNoGrowthAndZeroThresholdMeansAnyChange) {
  const auto shrunk = DecideRetrain(DataCounts{1000, 200}, {900, 200}, 1);
  EXPECT_FALSE(shrunk.retrain);
  EXPECT_EQ(shrunk.new_rows, 0);
  EXPECT_FALSE(DecideRetrain(DataCounts{5, 5}, {5, 5}, 0).retrain);  // nothing new never retrains
  EXPECT_TRUE(DecideRetrain(DataCounts{5, 5}, {6, 5}, 0).retrain);
}

TEST(RetrainPolicyTest, NoModelYetTrainsWhenThereIsData) {
  EXPECT_TRUE(DecideRetrain(std::nullopt, {1, 0}, 1000000).retrain);
  EXPECT_FALSE(DecideRetrain(std::nullopt, {0, 0}, 1).retrain);
}

TEST(RetrainPolicyTest, CountsFromTheManifest) {
  const auto counts =
      CountsFromManifestData(boost::json::parse(R"({"views": 10, "reactions": 4})").as_object());
  ASSERT_TRUE(counts);
  EXPECT_EQ(counts->total(), 14);
  EXPECT_FALSE(CountsFromManifestData(boost::json::parse(R"({"views": 10})").as_object()));
  EXPECT_FALSE(CountsFromManifestData(boost::json::parse(R"({"views": "10", "reactions": 4})").as_object()));
}

TEST(RetrainPolicyTest, Durations) {
  using std::chrono::seconds;
  EXPECT_EQ(ParseDuration("90"), seconds(90));
  EXPECT_EQ(ParseDuration("90s"), seconds(90));
  EXPECT_EQ(ParseDuration("30m"), seconds(1800));
  EXPECT_EQ(ParseDuration("6h"), seconds(21600));
  EXPECT_EQ(ParseDuration("1d"), seconds(86400));
  for (const char* bad : {"", "h", "0", "-5m", "1.5h", "5x", "m5", "99999999999999999999d"})
    EXPECT_THROW(ParseDuration(bad), std::invalid_argument) << bad;
}

}  // namespace
}  // namespace cinerec::training
