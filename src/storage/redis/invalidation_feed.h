#pragma once
// InvalidationFeed: the names of Redis keys as they are written, deleted or expire, for caches kept inside
// the process in front of Redis (near_cache.h). RedisInvalidationListener (invalidation_listener.h) is the
// real one; tests drive a fake.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>

namespace cinerec {

class InvalidationFeed {
 public:
  // Called on the feed's thread with each changed key that starts with the subscribed prefix, or with an
  // empty key when everything must be forgotten (FLUSHALL, or the feed was interrupted and messages may have
  // been lost). Must be quick and must not throw.
  using Handler = std::function<void(std::string_view key)>;

  virtual ~InvalidationFeed() = default;
  // Starts delivering changes of keys under `prefix` to `handler` (within milliseconds of the write). May be
  // called at any time; the handler first receives an empty key once the prefix is being watched. Returns
  // an id for Unsubscribe.
  virtual std::uint64_t Subscribe(std::string prefix, Handler handler) = 0;
  // Stops the deliveries; once it returns the handler is not running and will not be called again.
  virtual void Unsubscribe(std::uint64_t id) = 0;
  // True while changes are being delivered. A cache must not serve nor store entries while false: a change
  // made meanwhile would never reach it.
  virtual bool live() const = 0;
};

// A subscription that ends when its owner does: declare it after whatever its handler uses, so that it is
// destroyed (and the handler stopped) first. Empty when default-constructed or moved from.
class FeedSubscription {
 public:
  FeedSubscription() = default;
  FeedSubscription(InvalidationFeed& feed, std::string prefix, InvalidationFeed::Handler handler)
      : feed_(&feed), id_(feed.Subscribe(std::move(prefix), std::move(handler))) {}
  ~FeedSubscription() {
    if (feed_ != nullptr) feed_->Unsubscribe(id_);
  }
  FeedSubscription(FeedSubscription&& other) noexcept
      : feed_(std::exchange(other.feed_, nullptr)), id_(other.id_) {}
  FeedSubscription& operator=(FeedSubscription&& other) noexcept {
    if (this != &other) {
      if (feed_ != nullptr) feed_->Unsubscribe(id_);
      feed_ = std::exchange(other.feed_, nullptr);
      id_ = other.id_;
    }
    return *this;
  }

 private:
  InvalidationFeed* feed_ = nullptr;
  std::uint64_t id_ = 0;
};

}  // namespace cinerec
