#include "storage/redis/redis_keys.h"

#include <gtest/gtest.h>

#include "common/errors.h"

namespace cinerec {
namespace {

// The part of a key Redis Cluster hashes: between the first '{' and the next '}'.
std::string HashTag(const std::string& key) {
  auto open = key.find('{');
  auto close = key.find('}', open + 1);
  return key.substr(open + 1, close - open - 1);
}

TEST(RedisKeysTest, UserKeysShareTheUsersTag) {
  RedisKeys keys("cinerec:");
  EXPECT_EQ(keys.UserReactions(42), "cinerec:{u:42}:reactions");
  EXPECT_EQ(keys.UserFinished(42), "cinerec:{u:42}:finished");
  EXPECT_EQ(keys.UserRecommendations(42), "cinerec:{u:42}:recs");
  EXPECT_EQ(keys.RecommendationEpoch(), "cinerec:{recs}:epoch");
  EXPECT_EQ(HashTag(keys.UserReactions(42)), "u:42");
  EXPECT_NE(HashTag(keys.UserReactions(42)), HashTag(keys.UserReactions(4)));
}

TEST(RedisKeysTest, TrendingKeysShareTheScopesTag) {
  RedisKeys keys("p:");
  EXPECT_EQ(RedisKeys::TrendingScope(""), "all");
  EXPECT_EQ(RedisKeys::TrendingScope("Sci-Fi"), "g:Sci-Fi");
  EXPECT_EQ(keys.TrendingBucket("all", 475020), "p:{trending:all}:h:475020");
  EXPECT_EQ(keys.TrendingWindow("all", 24), "p:{trending:all}:w:24");
  const auto scope = RedisKeys::TrendingScope("Children's");
  EXPECT_EQ(keys.TrendingBucket(scope, 7), "p:{trending:g:Children's}:h:7");
  EXPECT_EQ(HashTag(keys.TrendingBucket(scope, 7)), HashTag(keys.TrendingBucket(scope, 8)));
  EXPECT_EQ(HashTag(keys.TrendingBucket(scope, 7)), HashTag(keys.TrendingWindow(scope, 168)));
  EXPECT_NE(HashTag(keys.TrendingBucket("all", 7)), HashTag(keys.TrendingBucket(scope, 7)));
}

TEST(RedisKeysTest, BracesInAGenreCannotMoveTheTag) {
  RedisKeys keys("p:");
  const auto key = keys.TrendingBucket(RedisKeys::TrendingScope("a}b{c%"), 1);
  EXPECT_EQ(key, "p:{trending:g:a%7Db%7Bc%25}:h:1");
  EXPECT_EQ(HashTag(key), "trending:g:a%7Db%7Bc%25");
  // Distinct names stay distinct keys.
  EXPECT_NE(keys.TrendingBucket(RedisKeys::TrendingScope("%7D"), 1),
            keys.TrendingBucket(RedisKeys::TrendingScope("}"), 1));
}

TEST(RedisKeysTest, PrefixWithBracesIsRejected) {
  EXPECT_THROW(RedisKeys("cinerec:{x}:"), ConfigError);
  EXPECT_THROW(RedisKeys("a{"), ConfigError);
  EXPECT_NO_THROW(RedisKeys("cinerec:t123:"));
}

TEST(RedisKeysTest, HourIndexIsTheFloorOfTheUtcHour) {
  EXPECT_EQ(RedisKeys::HourIndex(0), 0);
  EXPECT_EQ(RedisKeys::HourIndex(3599999), 0);
  EXPECT_EQ(RedisKeys::HourIndex(3600000), 1);
  EXPECT_EQ(RedisKeys::HourIndex(1710073800000), 475020);  // 2024-03-10T12:30:00Z
  EXPECT_EQ(RedisKeys::HourIndex(-1), -1);
  EXPECT_EQ(RedisKeys::HourIndex(-3600000), -1);
  EXPECT_EQ(RedisKeys::HourIndex(-3600001), -2);
}

}  // namespace
}  // namespace cinerec
