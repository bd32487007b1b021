#include "storage/redis/invalidation_listener.h"

#include <spdlog/spdlog.h>

#include "common/config.h"
#include "common/errors.h"
#include "storage/redis/redis_connection.h"
#include "storage/redis/redis_url.h"

namespace cinerec {
namespace {

constexpr std::string_view kChannel = "__redis__:invalidate";
constexpr std::chrono::milliseconds kPoll{100};  // how often the thread looks at stop_ and the PING clock

}  // namespace

struct RedisInvalidationListener::Endpoint {
  RedisEndpoint endpoint;
  std::string where;
};

RedisInvalidationListener::RedisInvalidationListener(const RedisConfig& config)
    : RedisInvalidationListener(
        config, Options{config.timeout, std::chrono::milliseconds(1000), std::chrono::milliseconds(2000)}) {}

RedisInvalidationListener::RedisInvalidationListener(const RedisConfig& config, Options options)
    : endpoint_(std::make_unique<Endpoint>(Endpoint{ParseRedisUrl(config.url), RedactUrl(config.url)})),
      options_(options),
      subscriptions_(std::make_shared<const Subscriptions>()) {}

RedisInvalidationListener::~RedisInvalidationListener() {
  {
    std::lock_guard lock(mutex_);
    stop_.store(true);
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::uint64_t RedisInvalidationListener::Subscribe(std::string prefix, Handler handler) {
  std::lock_guard lock(mutex_);
  auto next = std::make_shared<Subscriptions>(*subscriptions_);
  const std::uint64_t id = next_id_++;
  next->push_back({id, std::move(prefix), std::move(handler)});
  subscriptions_ = std::move(next);
  ++version_;  // a new prefix to watch: reconnect
  if (!thread_.joinable()) thread_ = std::thread([this] { Run(); });
  wake_.notify_all();
  return id;
}

void RedisInvalidationListener::Unsubscribe(std::uint64_t id) {
  {
    std::lock_guard lock(mutex_);
    auto next = std::make_shared<Subscriptions>(*subscriptions_);
    std::erase_if(*next, [id](const Subscription& s) { return s.id == id; });
    subscriptions_ = std::move(next);
    // The prefix stays watched until the next reconnect: its messages now match no handler.
  }
  std::lock_guard barrier(dispatch_mutex_);  // a dispatch that still saw the handler has finished
}

std::shared_ptr<const RedisInvalidationListener::Subscriptions> RedisInvalidationListener::Current(
    std::uint64_t& version) const {
  std::lock_guard lock(mutex_);
  version = version_;
  return subscriptions_;
}

std::shared_ptr<const RedisInvalidationListener::Subscriptions> RedisInvalidationListener::Current() const {
  std::uint64_t unused = 0;
  return Current(unused);
}

void RedisInvalidationListener::ForgetAll() {
  std::lock_guard dispatching(dispatch_mutex_);
  for (const auto& s : *Current())
    s.handler({});
}

void RedisInvalidationListener::Run() {
  auto backoff = std::chrono::milliseconds(50);
  bool reported = false;  // the current outage was logged
  while (!stop_.load()) {
    std::uint64_t version = 0;
    const auto subscriptions = Current(version);
    if (subscriptions->empty()) {  // BCAST without a prefix would send every key of the server
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stop_.load() || version_ != version; });
      continue;
    }
    bool failed = false;
    try {
      Listen(subscriptions, version);
      backoff = std::chrono::milliseconds(50);
    } catch (const StoreError& e) {
      failed = true;
      if (live_.load()) reported = false;
      if (!reported)
        spdlog::warn("redis invalidations: {}; in-process caches are bypassed until they are back", e.what());
      reported = true;
    }
    if (live_.exchange(false)) interruptions_.fetch_add(1);
    ForgetAll();
    if (!failed) continue;  // the prefixes changed: resubscribe at once
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, backoff, [&] { return stop_.load() || version_ != version; });
    backoff = std::min(options_.max_backoff, backoff * 2);
  }
}

void RedisInvalidationListener::Listen(const std::shared_ptr<const Subscriptions>& subscriptions,
                                       std::uint64_t version) {
  RedisConnection connection(endpoint_->endpoint, options_.timeout, endpoint_->where);
  const auto id = connection.Command({"CLIENT", "ID"});
  if (id.type != RedisReply::Type::kInteger)
    throw StoreError("redis", "CLIENT ID refused by " + endpoint_->where + ": " + id.str);
  RedisCommand tracking{"CLIENT", "TRACKING", "on", "REDIRECT", std::to_string(id.integer), "BCAST"};
  for (const auto& s : *subscriptions) {
    tracking.push_back("PREFIX");
    tracking.push_back(s.prefix);
  }
  const auto tracked = connection.Command(tracking);
  if (tracked.is_error())
    throw StoreError(
        "redis", "CLIENT TRACKING (Redis 6 or later) refused by " + endpoint_->where + ": " + tracked.str);
  connection.Send({"SUBSCRIBE", std::string(kChannel)});
  const auto confirmed = connection.Receive(options_.timeout);
  if (!confirmed || confirmed->elements.empty() || confirmed->elements[0].str != "subscribe")
    throw StoreError("redis", "SUBSCRIBE " + std::string(kChannel) + " not confirmed by " + endpoint_->where);

  // Whatever was cached before this connection watched the keys may be stale.
  ForgetAll();
  live_.store(true, std::memory_order_release);
  spdlog::debug("redis invalidations: watching {} prefixes on {}", subscriptions->size(), endpoint_->where);

  using Clock = std::chrono::steady_clock;
  auto last_heard = Clock::now();
  auto last_ping = last_heard;
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stop_.load() || version_ != version) return;
    }
    const auto message = connection.Receive(kPoll);
    const auto now = Clock::now();
    if (message) {
      last_heard = now;
      Dispatch(*message);
    }
    if (now - last_heard > options_.ping_every + options_.timeout)
      throw StoreError("redis", endpoint_->where + " did not answer a PING in time");
    if (now - last_ping >= options_.ping_every) {
      connection.Send({"PING"});  // allowed in subscribed mode; answered by ["pong", ""]
      last_ping = now;
    }
  }
}

void RedisInvalidationListener::Dispatch(const RedisReply& message) {
  // ["message", "__redis__:invalidate", [key, ...]] or, for FLUSHALL / FLUSHDB, a nil payload.
  if (message.elements.size() != 3 || message.elements[0].str != "message") return;  // pong, ...
  const auto& payload = message.elements[2];
  if (payload.is_nil()) {
    ForgetAll();
    return;
  }
  std::lock_guard dispatching(dispatch_mutex_);
  const auto subscriptions = Current();
  for (const auto& key : payload.elements) {
    keys_received_.fetch_add(1, std::memory_order_relaxed);
    for (const auto& s : *subscriptions)
      if (key.str.starts_with(s.prefix)) s.handler(key.str);
  }
}

}  // namespace cinerec
