#pragma once
// UserAttributeCache: the attributes that reports group events by (effective subscription tier, country),
// for many users at once, without a PostgreSQL query per event. The collection service copies them onto
// every ClickHouse row so that analytics never joins back to PostgreSQL.
//
// Bounded: two generations of at most capacity/2 entries each; when the young one fills up, the old one is
// dropped and the young one becomes old (a hit in the old generation moves the entry back). This keeps the
// recently used users without the bookkeeping of an exact LRU. Entries expire after `ttl`, so a plan change
// reaches the events within that time.
//
// Snapshot (StartSnapshots): a streaming service's events name users uniformly enough that a per-id cache
// misses on a large share of a batch's users, and those lookups, not formatting or inserting, bounded the
// ClickHouse sink (docs/benchmarks.md). So a background thread also loads every user's attributes, in id
// order and in pages, into two compact sorted arrays (12 bytes a user: 12 MB per million, strings interned)
// and refreshes them every `refresh`. Lookups try the per-id entries, then the snapshot (while younger than
// `ttl`), and only then PostgreSQL (users who signed up since the snapshot). Above `max_users` users no
// snapshot is kept and the per-id cache works alone.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

namespace cinerec {
class PgPool;
}

namespace cinerec::accounts {

struct UserAttributes {
  bool exists = false;  // false: no such user (cached too, so unknown ids cost one query per ttl)
  std::string tier;     // effective tier: free, basic or premium
  std::string country;  // profile.country (ISO 3166-1 alpha-2), empty when unknown
};

class UserAttributeCache {
 public:
  using AttributeMap = std::unordered_map<std::int64_t, UserAttributes>;
  // Loads the given users; users missing from the answer do not exist. Throws StoreError.
  using Loader = std::function<AttributeMap(const std::vector<std::int64_t>& ids)>;

  // Up to `limit` existing users with ids above `after_id`, in id order. Throws StoreError.
  using PageLoader = std::function<std::vector<std::pair<std::int64_t, UserAttributes>>(std::int64_t after_id,
                                                                                        std::size_t limit)>;
  struct SnapshotOptions {
    PageLoader pages;
    std::chrono::seconds refresh{300};
    std::size_t page_size = 100000;
    std::size_t max_users = 50'000'000;  // 600 MB of snapshot
  };

  UserAttributeCache(Loader loader, std::size_t capacity, std::chrono::seconds ttl);
  ~UserAttributeCache();  // stops the snapshot thread
  UserAttributeCache(const UserAttributeCache&) = delete;
  UserAttributeCache& operator=(const UserAttributeCache&) = delete;

  // Starts the background snapshot thread: a first load at once, then one every options.refresh (sooner
  // after a failed one). Call at most once.
  void StartSnapshots(SnapshotOptions options);
  // Users in the current snapshot (0: none yet, or too many users).
  std::size_t snapshot_users() const;

  // Attributes of every id (unknown users with exists=false): cached ones as they are, the others loaded in
  // one call. Throws StoreError when a load was needed and failed.
  AttributeMap Get(const std::vector<std::int64_t>& ids);
  // Only what is cached (no I/O): for degraded operation while PostgreSQL is down.
  AttributeMap GetCached(const std::vector<std::int64_t>& ids);

  std::uint64_t hits() const;
  std::uint64_t misses() const;

 private:
  struct Snapshot;
  struct Entry {
    UserAttributes attributes;
    std::chrono::steady_clock::time_point loaded_at;
  };
  const Entry* FindLocked(std::int64_t id, std::chrono::steady_clock::time_point now);  // REQUIRES: mutex_
  void InsertLocked(std::int64_t id, Entry entry);                                      // REQUIRES: mutex_
  void SnapshotLoop(SnapshotOptions options);
  // Loads every user; null when there are more than max_users. Throws StoreError.
  std::shared_ptr<const Snapshot> LoadSnapshot(const SnapshotOptions& options);

  Loader loader_;
  const std::size_t generation_capacity_;
  const std::chrono::seconds ttl_;
  mutable std::mutex mutex_;
  std::unordered_map<std::int64_t, Entry> young_, old_;  // GUARDED_BY(mutex_)
  std::uint64_t hits_ = 0, misses_ = 0;                  // GUARDED_BY(mutex_)
  std::shared_ptr<const Snapshot> snapshot_;             // GUARDED_BY(mutex_)
  bool stopping_ = false;                                // GUARDED_BY(mutex_)
  std::condition_variable stop_;
  std::thread snapshot_thread_;
};

// Effective tier (plan while active / past due and not expired, else free) and profile country.
UserAttributeCache::Loader PgUserAttributeLoader(PgPool& pool);
// The same attributes for every user, a page at a time in id order (keyset on the primary key).
UserAttributeCache::PageLoader PgUserAttributePages(PgPool& pool);

}  // namespace cinerec::accounts
