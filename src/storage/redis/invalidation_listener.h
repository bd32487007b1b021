#pragma once
// RedisInvalidationListener: the InvalidationFeed of a real Redis (≥ 6), by server-assisted client-side
// caching in broadcasting mode. One dedicated connection runs
//   CLIENT TRACKING on REDIRECT <its own id> BCAST PREFIX <p1> PREFIX <p2> ...
//   SUBSCRIBE __redis__:invalidate
// after which Redis pushes the name of every key under those prefixes that any client writes or deletes, or
// that expires or is evicted — whoever did it (collection service, another API node, redis-cli), so no writer
// has to remember to publish anything.
//
// Liveness: a PING every `ping_every` must be answered within `timeout`; a connection that fails, closes or
// stays silent is dropped, every handler is told to forget everything (empty key), and live() is false until
// a new connection is subscribed again (reconnecting with a backoff up to `max_backoff`), at which point the
// handlers are told once more. So a cache in front of Redis is bypassed exactly while changes could be lost.
//
// One background thread, started by the first Subscribe; a new prefix reconnects (with its flush).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "storage/redis/invalidation_feed.h"

namespace cinerec {

struct RedisConfig;
struct RedisReply;

class RedisInvalidationListener final : public InvalidationFeed {
 public:
  struct Options {
    std::chrono::milliseconds timeout{500};  // connect, commands, and the PING's answer
    std::chrono::milliseconds ping_every{1000};
    std::chrono::milliseconds max_backoff{2000};
  };
  // Throws ConfigError for a malformed URL. Connects only once something subscribes.
  explicit RedisInvalidationListener(const RedisConfig& config);
  RedisInvalidationListener(const RedisConfig& config, Options options);
  ~RedisInvalidationListener() override;  // stops the thread
  RedisInvalidationListener(const RedisInvalidationListener&) = delete;
  RedisInvalidationListener& operator=(const RedisInvalidationListener&) = delete;

  std::uint64_t Subscribe(std::string prefix, Handler handler) override;
  void Unsubscribe(std::uint64_t id) override;
  bool live() const override { return live_.load(std::memory_order_acquire); }

  std::uint64_t keys_received() const { return keys_received_.load(); }
  std::uint64_t interruptions() const { return interruptions_.load(); }

 private:
  struct Subscription {
    std::uint64_t id = 0;
    std::string prefix;
    Handler handler;
  };
  using Subscriptions = std::vector<Subscription>;

  void Run();
  // One connection's life: returns when the prefixes changed or `stop_`; throws StoreError when it failed.
  void Listen(const std::shared_ptr<const Subscriptions>& subscriptions, std::uint64_t version);
  // Both call the current handlers, holding dispatch_mutex_ (Unsubscribe waits on it).
  void Dispatch(const RedisReply& message);
  void ForgetAll();
  std::shared_ptr<const Subscriptions> Current(std::uint64_t& version) const;
  std::shared_ptr<const Subscriptions> Current() const;

  struct Endpoint;
  std::unique_ptr<Endpoint> endpoint_;
  Options options_;
  std::atomic<bool> live_{false};
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> keys_received_{0};
  std::atomic<std::uint64_t> interruptions_{0};
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::shared_ptr<const Subscriptions> subscriptions_;  // GUARDED_BY(mutex_)
  std::uint64_t version_ = 0;                           // GUARDED_BY(mutex_): moves with every Subscribe
  std::uint64_t next_id_ = 1;                           // GUARDED_BY(mutex_)
  std::mutex dispatch_mutex_;                           // held while handlers run
  std::thread thread_;                                  // started by the first Subscribe
};

}  // namespace cinerec
