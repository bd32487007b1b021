#pragma once
// The four store adapters of a process, built once from the config and handed to the services.
#include <memory>
#include <vector>

namespace cinerec {

struct Config;
class PgPool;
class RedisClient;
class ClickHouseClient;
class ObjectStore;
class StoreProbe;
class InvalidationFeed;
class Metrics;

struct Stores {
  std::unique_ptr<PgPool> postgres;
  std::unique_ptr<PgPool> postgres_replica;  // == postgres when no replica is configured (null here)
  std::unique_ptr<RedisClient> redis;
  std::unique_ptr<ClickHouseClient> clickhouse;
  std::unique_ptr<ObjectStore> s3;
  // Redis key changes for the in-process caches (RedisInvalidationListener); null when
  // redis.near_cache_ttl_ms or redis.near_cache_mb is 0. Connects on the first subscription only.
  std::unique_ptr<InvalidationFeed> redis_invalidations;

  // Creates the adapters; opens no connection (each connects on first use), so a process starts while a
  // store is down and /readyz says which.
  static Stores Connect(const Config& config);
  std::vector<StoreProbe*> Probes() const;
  // The stores' own gauges, read at each scrape: cinerec_redis_invalidations_live (1 while the in-process
  // copies of Redis data are kept exact by the invalidation feed, 0 while it is down or off: every read
  // then goes to Redis). REQUIRES: this outlives `metrics`' scrapes.
  void RegisterMetrics(Metrics& metrics) const;

  Stores();
  ~Stores();
  Stores(Stores&&) noexcept;
  Stores& operator=(Stores&&) noexcept;
};

}  // namespace cinerec
