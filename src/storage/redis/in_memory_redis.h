#pragma once
// InMemoryRedis: a RedisClient for unit tests, no server needed. It implements the commands the services use
// with the reply shapes of Redis 7 (status "OK", integers, nil, arrays, "WRONGTYPE ..." and "ERR ..."
// errors):
//   PING GET SET(EX|PX|NX|XX|KEEPTTL) DEL UNLINK EXISTS EXPIRE PEXPIRE TTL PTTL INCR INCRBY
//   HSET HGET HGETALL HDEL  ZADD(NX|XX|CH) ZINCRBY ZSCORE ZREM ZRANGE ZREVRANGE(WITHSCORES) ZREMRANGEBYRANK
//   ZCARD ZUNIONSTORE(WEIGHTS|AGGREGATE)  SADD SREM SMEMBERS SISMEMBER  LPUSH LTRIM LRANGE  FLUSHDB
// Any other command gets an "ERR unknown command ..." error reply. Differences from Redis: HGETALL and
// SMEMBERS return elements sorted (Redis gives no order); scores print as integers or with %.17g (Redis 7.0).
//
// Expiry follows an injectable clock, so tests advance time instead of sleeping (see ManualClock).
// Thread-safe: every command runs under one mutex, a pipeline runs as a whole (stronger than Redis).
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>

#include "storage/redis/redis_client.h"

namespace cinerec {

// A clock for tests: starts at an arbitrary point and moves only when told. Thread-safe.
class ManualClock {
 public:
  std::chrono::steady_clock::time_point Now() const;
  void Advance(std::chrono::milliseconds delta);
  // A callable for InMemoryRedis; `this` must outlive it.
  std::function<std::chrono::steady_clock::time_point()> AsFunction();

 private:
  mutable std::mutex mutex_;
  std::chrono::steady_clock::time_point now_ =
      std::chrono::steady_clock::time_point{} + std::chrono::hours(1);
};

class InMemoryRedis final : public RedisClient {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  explicit InMemoryRedis(Clock clock = [] { return std::chrono::steady_clock::now(); });
  ~InMemoryRedis() override;
  InMemoryRedis(const InMemoryRedis&) = delete;
  InMemoryRedis& operator=(const InMemoryRedis&) = delete;

  // Throw StoreError("redis", ...) while unavailable, like RedisPool when the server is down.
  RedisReply Command(const RedisCommand& args) override;
  std::vector<RedisReply> Pipeline(const std::vector<RedisCommand>& commands) override;
  void Ping() override;

  // false simulates an outage: every call throws StoreError until set back to true. Data is kept.
  void SetAvailable(bool available);
  // Number of live (unexpired) keys: for assertions.
  std::size_t KeyCount();

  struct State;  // internal, shared by the .cpp files

 private:
  void CheckAvailable() const;  // REQUIRES: mutex_ held

  std::mutex mutex_;
  std::unique_ptr<State> state_;  // GUARDED_BY(mutex_)
  bool available_ = true;         // GUARDED_BY(mutex_)
};

}  // namespace cinerec
