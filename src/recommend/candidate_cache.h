#pragma once
// CandidateCache: the Redis side of the service — each viewer's cached CandidateList with the state that
// filters it on read, and the cache epoch.
//
// Read: one pipeline (one round trip, one hash slot) of
//   GET     {u:<id>}:recs        the list (candidate_list.h encoding)
//   HGETALL {u:<id>}:reactions   recent reactions, movie -> 1 / -1 / 0 (RedisUserActivity)
//   SMEMBERS {u:<id>}:finished   recently finished movies
// Write: SET {u:<id>}:recs <list> PX <ttl>.
//
// Epoch (RedisKeys::RecommendationEpoch): while Redis is unreachable the collection service cannot delete
// cached lists nor record reactions, so lists cached before an outage may be stale. Every process that met
// a Redis failure INCRs the epoch once Redis answers again (NoteFailure, then the next successful call), and
// a list computed in an older epoch is treated as a miss. The epoch is read at most every `epoch_refresh`
// (its own round trip, another slot), so a moved epoch takes effect within that time on every node.
//
// In-process layer (`near_bytes` > 0 and a `feed`): what Read got from Redis is also kept in a NearCache
// (storage/redis/near_cache.h), packed (16 bytes a candidate, anchors shared), so that the next Read of the
// viewer costs no round trip. Every write to one of the viewer's keys — the collection service's DEL of the
// list and HSET/SADD of a reaction or a finished movie, this service's SET of a new list, expiry — reaches
// the process through the InvalidationFeed (Redis client tracking, prefix <prefix>{u:) and drops the copy;
// so does a move of the epoch key (everything goes). While the feed is down nothing is served from the copy.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "recommend/candidate_list.h"
#include "storage/redis/redis_keys.h"

namespace cinerec {
class RedisClient;
class InvalidationFeed;
}  // namespace cinerec

namespace cinerec::recommend {

// What Read returns: immutable and shared (the in-process layer hands out the copy it holds, nothing is
// copied per request). Sorted vectors: a viewer has a few dozen recent reactions at most, and they take a
// fraction of a hash table's memory in the layer.
struct CachedUserState {
  std::shared_ptr<const CandidateList> list;            // null: none, unreadable, or from an older epoch
  bool stale_epoch = false;                             // a list was there but from an older epoch
  std::vector<std::pair<std::int64_t, int>> reactions;  // (movie, +1 like / -1 dislike / 0 cleared), by movie
  std::vector<std::int64_t> finished;                   // sorted
  std::vector<std::int64_t> hidden;  // sorted: finished, liked or disliked — what every read leaves out

  int ReactionTo(std::int64_t movie) const;  // 0 when none
  std::size_t Bytes() const;                 // memory held, roughly (the in-process layer's budget)
};

class CandidateCache {
 public:
  struct Options {
    std::chrono::milliseconds ttl{std::chrono::hours(1)};
    std::chrono::milliseconds epoch_refresh{500};
    // The in-process layer: off when `feed` is null or near_bytes is 0.
    InvalidationFeed* feed = nullptr;
    std::size_t near_bytes = 0;
    std::chrono::milliseconds near_ttl{30000};
  };
  struct NearStats {
    std::uint64_t hits = 0, misses = 0, entries = 0, bytes = 0;
  };
  // REQUIRES: redis (and options.feed) outlive this. Subscribes to the feed.
  CandidateCache(RedisClient& redis, RedisKeys keys, Options options);
  ~CandidateCache();

  // Throws StoreError when Redis cannot answer (and remembers to move the epoch once it can). Never null.
  std::shared_ptr<const CachedUserState> Read(std::int64_t user_id);
  // Stores `list` (its epoch as given). Throws StoreError.
  void Write(std::int64_t user_id, const CandidateList& list);
  // The current epoch (cached for epoch_refresh). Throws StoreError.
  std::int64_t Epoch();

  // A Redis call failed: the epoch moves on the next successful call.
  void NoteFailure() { epoch_dirty_.store(true); }
  const Options& options() const { return options_; }
  NearStats near_stats() const;  // locks every shard of the in-process layer: not per request
  // In-process hits and misses so far (cheap).
  std::uint64_t near_hits() const;
  std::uint64_t near_misses() const;

 private:
  struct Near;
  void AfterSuccess();  // moves the epoch if a failure is pending
  std::shared_ptr<const CachedUserState> ReadFromRedis(std::int64_t user_id, std::int64_t epoch);

  RedisClient& redis_;
  RedisKeys keys_;
  Options options_;
  std::unique_ptr<Near> near_;  // null: no in-process layer
  std::atomic<bool> epoch_dirty_{false};
  std::mutex mutex_;
  std::int64_t epoch_ = 0;                            // GUARDED_BY(mutex_)
  std::chrono::steady_clock::time_point epoch_at_{};  // GUARDED_BY(mutex_); {} = never read
};

}  // namespace cinerec::recommend
