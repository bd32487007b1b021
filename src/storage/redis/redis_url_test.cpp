#include "storage/redis/redis_url.h"

#include <gtest/gtest.h>

#include "common/errors.h"

namespace cinerec {
namespace {

TEST(RedisUrlTest, ParsesEveryPart) {
  auto plain = ParseRedisUrl("redis://127.0.0.1:26379/0");
  EXPECT_EQ(plain.host, "127.0.0.1");
  EXPECT_EQ(plain.port, 26379);
  EXPECT_EQ(plain.db, 0);
  EXPECT_TRUE(plain.password.empty());

  auto full = ParseRedisUrl("redis://:s%40cret@cache.internal:6380/3");
  EXPECT_EQ(full.host, "cache.internal");
  EXPECT_EQ(full.port, 6380);
  EXPECT_EQ(full.password, "s@cret");
  EXPECT_TRUE(full.user.empty());
  EXPECT_EQ(full.db, 3);

  auto acl = ParseRedisUrl("redis://app:pw@[::1]");
  EXPECT_EQ(acl.host, "::1");
  EXPECT_EQ(acl.port, 6379);
  EXPECT_EQ(acl.user, "app");
  EXPECT_EQ(acl.password, "pw");
}

TEST(RedisUrlTest, RejectsMalformedUrlsWithoutLeakingThePassword) {
  for (const char* url :
       {"http://h:1/0", "redis://:secret@h:1/x", "redis://:secret@h:1/0?a=b", "redis:///0", "not a url"}) {
    try {
      ParseRedisUrl(url);
      ADD_FAILURE() << url;
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find("redis.url"), std::string::npos);
      EXPECT_EQ(std::string(e.what()).find("secret"), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace cinerec
