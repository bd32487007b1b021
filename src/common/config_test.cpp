#include "common/config.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "common/errors.h"

namespace cinerec {
namespace {

std::string WriteToml(const std::string& text) {
  std::string path = ::testing::TempDir() + "/cinerec_config_test_" + std::to_string(std::rand()) + ".toml";
  std::ofstream(path) << text;
  return path;
}

TEST(ConfigTest, DefaultsAreValid) {
  auto config = Config::Load("", {});
  EXPECT_EQ(config.http.addr, "127.0.0.1:8080");
  EXPECT_EQ(config.redis.key_prefix, "cinerec:");
}

TEST(ConfigTest, EnvironmentOverridesFileWhichOverridesDefaults) {
  auto path = WriteToml(
      "[postgres]\nurl = \"postgresql://file@127.0.0.1:1/db\"\npool_size = 3\n[http]\naddr = "
      "\"127.0.0.1:9000\"\n");
  auto config = Config::Load(path, {{"CINEREC_POSTGRES_URL", "postgresql://env@127.0.0.1:2/db"}});
  EXPECT_EQ(config.postgres.url, "postgresql://env@127.0.0.1:2/db");
  EXPECT_EQ(config.postgres.pool_size, 3);
  EXPECT_EQ(config.http.addr, "127.0.0.1:9000");
}

TEST(ConfigTest, InvalidValueNamesTheKeyAndTheReason) {
  try {
    Config::Load("", {{"CINEREC_POSTGRES_POOL_SIZE", "many"}});
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    std::string message = e.what();
    EXPECT_NE(message.find("CINEREC_POSTGRES_POOL_SIZE"), std::string::npos) << message;
    EXPECT_NE(message.find("integer"), std::string::npos) << message;
  }
  EXPECT_THROW(Config::Load("", {{"CINEREC_REDIS_URL", "http://x"}}), ConfigError);
  EXPECT_THROW(Config::Load("", {{"CINEREC_HTTP_ADDR", "no-port"}}), ConfigError);
  EXPECT_THROW(Config::Load("", {{"CINEREC_S3_BUCKET", "UPPER"}}), ConfigError);
  EXPECT_THROW(Config::Load("", {{"CINEREC_LOG_LEVEL", "loud"}}), ConfigError);
  EXPECT_THROW(Config::Load("", {{"CINEREC_ADMIN_API_KEYS", "short"}}), ConfigError);
}

TEST(ConfigTest, UnknownFileKeyAndBadTomlAreErrors) {
  EXPECT_THROW(Config::Load(WriteToml("[postgres]\nurll = \"x\"\n"), {}), ConfigError);
  EXPECT_THROW(Config::Load(WriteToml("[postgres\n"), {}), ConfigError);
}

TEST(ConfigTest, DescribeRedactsSecrets) {
  auto config = Config::Load("", {{"CINEREC_POSTGRES_URL", "postgresql://u:hunter2@127.0.0.1:5432/db"},
                                  {"CINEREC_S3_SECRET_KEY", "s3cr3t-value"},
                                  {"CINEREC_ADMIN_API_KEYS", "admin-key-0123456789,admin-key-abcdefghij"}});
  auto text = config.Describe();
  EXPECT_EQ(text.find("hunter2"), std::string::npos);
  EXPECT_EQ(text.find("s3cr3t-value"), std::string::npos);
  EXPECT_EQ(text.find("admin-key-0123456789"), std::string::npos);
  EXPECT_NE(text.find("postgresql://u:***@127.0.0.1:5432/db"), std::string::npos) << text;
  EXPECT_EQ(config.admin_api_keys.size(), 2u);
}

TEST(ConfigTest, UrlsAreRedactedEverywhere) {
  EXPECT_EQ(RedactUrl("postgresql://u@h/db?password=hunter2&sslmode=require"),
            "postgresql://u@h/db?password=***&sslmode=require");
  try {
    Config::Load("", {{"CINEREC_POSTGRES_URL", "postgresq://u:hunter2@h/db"}});
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()).find("hunter2"), std::string::npos) << e.what();
  }
  auto config = Config::Load("", {{"CINEREC_CLICKHOUSE_URL", "http://admin:hunter2@127.0.0.1:8123"}});
  EXPECT_EQ(config.Describe().find("hunter2"), std::string::npos);
  EXPECT_THROW(Config::Load("", {{"CINEREC_SERVE_ROLES", "collect,bogus"}}), ConfigError);
}

TEST(ConfigTest, ToEnvironmentRoundTrips) {
  auto config = Config::Load("", {{"CINEREC_REDIS_KEY_PREFIX", "x:"}, {"CINEREC_HTTP_ACCESS_LOG", "false"}});
  std::map<std::string, std::string> env;
  for (const auto& [k, v] : config.ToEnvironment())
    env[k] = v;
  auto again = Config::Load("", env);
  EXPECT_EQ(again.redis.key_prefix, "x:");
  EXPECT_FALSE(again.http.access_log);
}

}  // namespace
}  // namespace cinerec
