#pragma once
// One synchronous hiredis connection (internal to RedisPool). Not thread-safe: the pool hands it to one
// thread at a time. Any I/O error or timeout marks it broken(); the pool then frees it instead of reusing
// it, because hiredis leaves a failed context unusable (and a timed-out reply may still arrive later).
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "storage/redis/redis_client.h"
#include "storage/redis/redis_url.h"

struct redisContext;

namespace cinerec {

class RedisConnection {
 public:
  // Connects, then AUTH and SELECT as the endpoint says. Throws StoreError("redis", ...) naming `where`
  // (the redacted URL) on failure.
  RedisConnection(const RedisEndpoint& endpoint, std::chrono::milliseconds timeout, const std::string& where);
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // Throw StoreError and mark the connection broken on I/O errors; server errors are kError replies.
  RedisReply Command(const RedisCommand& args);
  std::vector<RedisReply> Pipeline(const std::vector<RedisCommand>& commands);

  // For a subscriber connection (pub/sub: messages arrive without a request). Send writes `args` without
  // waiting for its reply; Receive returns the next reply or message, or nullopt when none is complete
  // within `wait`. Both throw StoreError (and mark the connection broken) on I/O errors and end of stream.
  void Send(const RedisCommand& args);
  std::optional<RedisReply> Receive(std::chrono::milliseconds wait);

  bool broken() const { return broken_; }
  // True when an idle connection has something to read (EOF after a server restart, or stray data):
  // it must not be reused. Costs one poll() with a zero timeout.
  bool IsStale() const;

 private:
  void Setup(const RedisEndpoint& endpoint, std::chrono::milliseconds timeout);
  void Append(const RedisCommand& args);
  RedisReply ReadReply(const RedisCommand& args);
  [[noreturn]] void Fail(const std::string& what);

  redisContext* context_ = nullptr;
  std::string where_;
  bool broken_ = false;
};

}  // namespace cinerec
