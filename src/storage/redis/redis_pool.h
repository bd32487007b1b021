#pragma once
// RedisClient over hiredis: a bounded pool of synchronous connections with timeouts. A connection that failed
// (server restart, timeout) is closed and reopened on next use, so the pool recovers by itself.
#include <memory>

#include "storage/redis/redis_client.h"

namespace cinerec {

struct RedisConfig;

class RedisPool final : public RedisClient {
 public:
  // Connects lazily: the service starts while Redis is down. url: redis://[:password@]host:port[/db]
  // Throws ConfigError for a malformed URL.
  explicit RedisPool(const RedisConfig& config);
  ~RedisPool() override;
  RedisPool(const RedisPool&) = delete;
  RedisPool& operator=(const RedisPool&) = delete;

  RedisReply Command(const RedisCommand& args) override;
  std::vector<RedisReply> Pipeline(const std::vector<RedisCommand>& commands) override;
  void Ping() override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cinerec
