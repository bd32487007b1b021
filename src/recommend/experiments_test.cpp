#include "recommend/experiments.h"

#include <gtest/gtest.h>

#include <map>

#include "common/errors.h"

namespace cinerec::recommend {
namespace {

TEST(ExperimentVariants, ParsesNameShareModelAndRules) {
  const auto variants =
      ParseVariants("control:90:LATEST:diverse, candidate:10:20260101T000000Z-0a1b2c:plain");
  ASSERT_EQ(variants.size(), 2u);
  EXPECT_EQ(variants[0], (Variant{"control", 90, "LATEST", true}));
  EXPECT_EQ(variants[1], (Variant{"candidate", 10, "20260101T000000Z-0a1b2c", false}));
  EXPECT_EQ(ParseVariants("default:100:LATEST")[0].diversify, true);
}

TEST(ExperimentVariants, RefusesBadLists) {
  for (const char* bad : {"", "a", "a:1", "a:0:LATEST", "a:x:LATEST", "a:1:latest", "a:1:LATEST:fancy",
                          "a:1:LATEST,a:1:LATEST", "a b:1:LATEST", "a:1:LATEST:plain:x"})
    EXPECT_THROW(ParseVariants(bad), ConfigError) << bad;
}

TEST(ExperimentAssignment, IsStableAndFollowsTheShares) {
  Experiments experiments(ParseVariants("a:75:LATEST,b:25:LATEST"));
  std::map<std::string, int> counts;
  for (std::int64_t user = 1; user <= 20000; ++user) {
    const auto& variant = experiments.Assign(user);
    EXPECT_EQ(&variant, &experiments.Assign(user));
    ++counts[variant.name];
  }
  EXPECT_NEAR(counts["a"], 15000, 400);
  EXPECT_NEAR(counts["b"], 5000, 400);
}

TEST(ExperimentAssignment, NamesThePinnedVersionsOnce) {
  Experiments experiments(
      ParseVariants("a:1:LATEST,b:1:20260101T000000Z-0a1b2c,c:1:20260101T000000Z-0a1b2c:plain"));
  EXPECT_EQ(experiments.PinnedVersions(), std::vector<std::string>{"20260101T000000Z-0a1b2c"});
}

}  // namespace
}  // namespace cinerec::recommend
