#pragma once
// NearCache: values read from Redis, kept inside the process so that a hot read costs no round trip, and
// dropped as soon as Redis says the key changed (InvalidationFeed). The hit path of the recommendation API
// (a viewer's session, cached list and recent activity) reads through one.
//
// Correctness rests on three rules:
//  - nothing is served or stored while the feed is not live (a change then could go unseen);
//  - an entry is stored only if no invalidation reached its shard, and no flush happened, since the read from
//    Redis began (Prepare before the read, Insert with its ticket after): an invalidation that overtakes the
//    slower read can never be undone by it;
//  - every entry also expires after `ttl`, a bound on staleness should a message ever be lost unnoticed.
// Bounded by `max_bytes` (approximate, per shard); beyond it arbitrary entries of the shard go (no LRU
// bookkeeping on the hit path: a popular entry evicted is read again on its next use).
//
// Thread-safe; 64 shards, each with its own mutex.
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "storage/redis/invalidation_feed.h"

namespace cinerec {

template <typename Key, typename Value, typename Hash = std::hash<Key>>
class NearCache {
 public:
  using Clock = std::chrono::steady_clock;
  struct Options {
    std::size_t max_bytes = 64 << 20;
    std::chrono::milliseconds ttl{30000};
  };
  struct Ticket {
    std::uint64_t flushes = 0;
    std::uint64_t changes = 0;
  };
  struct Stats {
    std::uint64_t hits = 0, misses = 0, entries = 0, bytes = 0;
  };
  // Per-entry cost on top of the value's own bytes: the map node, the shared_ptr's control block.
  static constexpr std::size_t kEntryOverhead = 96;

  // `feed` null, or max_bytes or ttl 0: disabled (every Find misses, Insert keeps nothing).
  NearCache(const InvalidationFeed* feed, Options options) : feed_(feed), options_(options) {}

  bool enabled() const { return feed_ != nullptr && options_.max_bytes > 0 && options_.ttl.count() > 0; }

  std::shared_ptr<const Value> Find(const Key& key) {
    if (!enabled() || !feed_->live()) return nullptr;
    Shard& shard = ShardOf(key);
    std::lock_guard lock(shard.mutex);
    const auto it = shard.map.find(key);
    if (it == shard.map.end()) {
      misses_.fetch_add(1, std::memory_order_relaxed);
      return nullptr;
    }
    if (Clock::now() >= it->second.expires) {
      Erase(shard, it);
      misses_.fetch_add(1, std::memory_order_relaxed);
      return nullptr;
    }
    hits_.fetch_add(1, std::memory_order_relaxed);
    return it->second.value;
  }

  // Call before reading `key` from Redis; pass the ticket to Insert.
  Ticket Prepare(const Key& key) {
    Shard& shard = ShardOf(key);
    Ticket ticket;
    ticket.flushes = flushes_.load(std::memory_order_acquire);
    std::lock_guard lock(shard.mutex);
    ticket.changes = shard.changes;
    return ticket;
  }

  // Keeps what was read from Redis unless it may already be stale (see the rules above). `bytes`: the
  // value's approximate size.
  void Insert(const Key& key, std::shared_ptr<const Value> value, std::size_t bytes, const Ticket& ticket) {
    if (!enabled() || !feed_->live()) return;
    Shard& shard = ShardOf(key);
    const std::size_t cost = bytes + kEntryOverhead;
    const std::size_t budget = options_.max_bytes / kShards;
    if (cost > budget) return;
    std::lock_guard lock(shard.mutex);
    if (flushes_.load(std::memory_order_acquire) != ticket.flushes || shard.changes != ticket.changes) return;
    if (const auto it = shard.map.find(key); it != shard.map.end()) Erase(shard, it);
    while (shard.bytes + cost > budget && !shard.map.empty())
      Erase(shard, shard.map.begin());
    shard.map.emplace(key, Entry{std::move(value), Clock::now() + options_.ttl, cost});
    shard.bytes += cost;
  }

  // The key changed in Redis (or this process changed it).
  void Invalidate(const Key& key) {
    Shard& shard = ShardOf(key);
    std::lock_guard lock(shard.mutex);
    ++shard.changes;
    if (const auto it = shard.map.find(key); it != shard.map.end()) Erase(shard, it);
  }

  void InvalidateAll() {
    flushes_.fetch_add(1, std::memory_order_acq_rel);  // first: an Insert racing with the clear is refused
    for (auto& shard : shards_) {
      std::lock_guard lock(shard.mutex);
      shard.map.clear();
      shard.bytes = 0;
    }
  }

  // Lookups answered from memory / not (while live); cheap to read.
  std::uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
  std::uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }
  // Also counts the entries and bytes (locks every shard).
  Stats stats() {
    Stats stats;
    stats.hits = hits();
    stats.misses = misses();
    for (auto& shard : shards_) {
      std::lock_guard lock(shard.mutex);
      stats.entries += shard.map.size();
      stats.bytes += shard.bytes;
    }
    return stats;
  }

 private:
  static constexpr std::size_t kShards = 64;
  struct Entry {
    std::shared_ptr<const Value> value;
    Clock::time_point expires;
    std::size_t bytes = 0;
  };
  struct alignas(64) Shard {
    std::mutex mutex;
    std::unordered_map<Key, Entry, Hash> map;
    std::size_t bytes = 0;
    std::uint64_t changes = 0;  // invalidations seen, for tickets
  };
  using Iterator = typename std::unordered_map<Key, Entry, Hash>::iterator;

  Shard& ShardOf(const Key& key) {
    // The map hashes again inside the shard; mixing here keeps sequential ids off one shard.
    const std::uint64_t h = static_cast<std::uint64_t>(Hash{}(key)) * 0x9E3779B97F4A7C15ULL;
    return shards_[(h >> 58) % kShards];
  }
  static void Erase(Shard& shard, Iterator it) {
    shard.bytes -= it->second.bytes;
    shard.map.erase(it);
  }

  const InvalidationFeed* feed_;
  Options options_;
  std::atomic<std::uint64_t> flushes_{0};
  std::atomic<std::uint64_t> hits_{0};
  std::atomic<std::uint64_t> misses_{0};
  std::array<Shard, kShards> shards_;
};

}  // namespace cinerec
