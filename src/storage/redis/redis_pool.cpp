#include "storage/redis/redis_pool.h"

#include <fmt/format.h>

#include <condition_variable>
#include <mutex>

#include "common/config.h"
#include "common/errors.h"
#include "common/non_blocking.h"
#include "storage/redis/redis_connection.h"
#include "storage/redis/redis_url.h"

namespace cinerec {

struct RedisPool::Impl {
  RedisEndpoint endpoint;
  std::chrono::milliseconds timeout;
  std::size_t max_connections;
  std::string where;  // redacted URL for messages

  std::mutex mutex;
  std::condition_variable freed;
  std::vector<std::unique_ptr<RedisConnection>> idle;  // GUARDED_BY(mutex)
  std::size_t open = 0;                                // GUARDED_BY(mutex): idle + lent out

  std::unique_ptr<RedisConnection> Acquire();
  void Release(std::unique_ptr<RedisConnection> connection);

  template <typename Fn>
  auto With(Fn&& fn) {
    auto connection = Acquire();
    try {
      auto result = fn(*connection);
      Release(std::move(connection));
      return result;
    } catch (...) {
      Release(std::move(connection));  // frees it if broken
      throw;
    }
  }
};

std::unique_ptr<RedisConnection> RedisPool::Impl::Acquire() {
  ThrowIfMustNotBlock();
  std::unique_lock lock(mutex);
  for (;;) {
    bool available = freed.wait_for(lock, timeout, [&] { return !idle.empty() || open < max_connections; });
    if (!available)
      throw StoreError("redis", fmt::format("no free connection within {} ms (pool of {}) for {}",
                                            timeout.count(), max_connections, where));
    if (idle.empty()) break;
    auto connection = std::move(idle.back());
    idle.pop_back();
    // After a server restart every idle connection has an EOF waiting: drop it instead of failing a call.
    if (!connection->IsStale()) return connection;
    --open;
  }
  ++open;
  lock.unlock();
  try {
    // Connect outside the lock: it can take up to `timeout`, and other threads may use idle connections.
    return std::make_unique<RedisConnection>(endpoint, timeout, where);
  } catch (...) {
    lock.lock();
    --open;
    freed.notify_one();
    throw;
  }
}

void RedisPool::Impl::Release(std::unique_ptr<RedisConnection> connection) {
  {
    std::lock_guard lock(mutex);
    if (connection->broken())
      --open;  // destroyed below, outside the lock; the next Acquire opens a fresh one
    else
      idle.push_back(std::move(connection));
  }
  freed.notify_one();
  connection.reset();
}

RedisPool::RedisPool(const RedisConfig& config) : impl_(std::make_unique<Impl>()) {
  if (config.pool_size < 1) throw ConfigError("redis.pool_size: must be at least 1");
  if (config.timeout.count() <= 0) throw ConfigError("redis.timeout: must be positive");
  impl_->endpoint = ParseRedisUrl(config.url);
  impl_->timeout = config.timeout;
  impl_->max_connections = static_cast<std::size_t>(config.pool_size);
  impl_->where = RedactUrl(config.url);
}

RedisPool::~RedisPool() = default;

RedisReply RedisPool::Command(const RedisCommand& args) {
  return impl_->With([&](RedisConnection& connection) { return connection.Command(args); });
}

std::vector<RedisReply> RedisPool::Pipeline(const std::vector<RedisCommand>& commands) {
  if (commands.empty()) return {};
  return impl_->With([&](RedisConnection& connection) { return connection.Pipeline(commands); });
}

void RedisPool::Ping() {
  RedisReply reply = Command({"PING"});
  if (reply.type != RedisReply::Type::kStatus || reply.str != "PONG")
    throw StoreError("redis", fmt::format("unexpected PING reply from {}: {}", impl_->where, reply.str));
}

}  // namespace cinerec
