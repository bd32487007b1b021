#pragma once
// UserAttributeCache: the attributes that reports group events by (effective subscription tier, country),
// for many users at once, without a PostgreSQL query per event. The collection service copies them onto
// every ClickHouse row so that analytics never joins back to PostgreSQL.
//
// Bounded: two generations of at most capacity/2 entries each; when the young one fills up, the old one is
// dropped and the young one becomes old (a hit in the old generation moves the entry back). This keeps the
// recently used users without the bookkeeping of an exact LRU. Entries expire after `ttl`, so a plan change
// reaches the events within that time.
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>
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

  UserAttributeCache(Loader loader, std::size_t capacity, std::chrono::seconds ttl);

  // Attributes of every id (unknown users with exists=false): cached ones as they are, the others loaded in
  // one call. Throws StoreError when a load was needed and failed.
  AttributeMap Get(const std::vector<std::int64_t>& ids);
  // Only what is cached (no I/O): for degraded operation while PostgreSQL is down.
  AttributeMap GetCached(const std::vector<std::int64_t>& ids);

  std::uint64_t hits() const;
  std::uint64_t misses() const;

 private:
  struct Entry {
    UserAttributes attributes;
    std::chrono::steady_clock::time_point loaded_at;
  };
  const Entry* FindLocked(std::int64_t id, std::chrono::steady_clock::time_point now);  // REQUIRES: mutex_
  void InsertLocked(std::int64_t id, Entry entry);                                      // REQUIRES: mutex_

  Loader loader_;
  const std::size_t generation_capacity_;
  const std::chrono::seconds ttl_;
  mutable std::mutex mutex_;
  std::unordered_map<std::int64_t, Entry> young_, old_;  // GUARDED_BY(mutex_)
  std::uint64_t hits_ = 0, misses_ = 0;                  // GUARDED_BY(mutex_)
};

// Effective tier (plan while active / past due and not expired, else free) and profile country.
UserAttributeCache::Loader PgUserAttributeLoader(PgPool& pool);

}  // namespace cinerec::accounts
