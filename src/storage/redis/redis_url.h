#pragma once
// Parses the Redis connection URL of RedisConfig: redis://[[user]:password@]host[:port][/db]
#include <cstdint>
#include <string>

namespace cinerec {

struct RedisEndpoint {
  std::string host;
  std::uint16_t port = 6379;
  std::string user;      // empty: AUTH with the password only (Redis < 6 style)
  std::string password;  // empty: no AUTH
  int db = 0;            // SELECTed after connecting when not 0
};

// Throws ConfigError naming "redis.url" (with the password redacted) when the URL is malformed.
RedisEndpoint ParseRedisUrl(const std::string& url);

}  // namespace cinerec
