#pragma once
// The Redis boundary: commands as argument vectors, replies as plain values.
// RedisPool (redis_pool.h) talks to a real server; InMemoryRedis (in_memory_redis.h) is the fake for unit
// tests and implements the subset of commands the services use, with the same reply shapes.
#include <cstdint>
#include <string>
#include <vector>

#include "storage/store_probe.h"

namespace cinerec {

struct RedisReply {
  enum class Type { kNil, kInteger, kString, kStatus, kError, kArray };
  Type type = Type::kNil;
  std::int64_t integer = 0;
  std::string str;  // kString, kStatus and kError
  std::vector<RedisReply> elements;

  bool is_nil() const { return type == Type::kNil; }
  bool is_error() const { return type == Type::kError; }
};

using RedisCommand = std::vector<std::string>;

class RedisClient : public StoreProbe {
 public:
  std::string_view StoreName() const override { return "redis"; }
  // Runs one command. A server-side error (e.g. WRONGTYPE) comes back as a kError reply;
  // a connection problem throws StoreError("redis", ...). Thread-safe.
  virtual RedisReply Command(const RedisCommand& args) = 0;
  // Sends all commands in one round trip and returns one reply per command, in order. Thread-safe.
  // Commands in a pipeline are not atomic; on Redis Cluster keep all keys of a pipeline in one hash slot.
  virtual std::vector<RedisReply> Pipeline(const std::vector<RedisCommand>& commands) = 0;
};

}  // namespace cinerec
