#include "app/stores.h"

#include "common/config.h"
#include "storage/clickhouse/http_clickhouse_client.h"
#include "storage/postgres/pg_pool.h"
#include "storage/redis/invalidation_listener.h"
#include "storage/redis/redis_pool.h"
#include "storage/s3/s3_object_store.h"

namespace cinerec {

Stores::Stores() = default;
Stores::~Stores() = default;
Stores::Stores(Stores&&) noexcept = default;
Stores& Stores::operator=(Stores&&) noexcept = default;

Stores Stores::Connect(const Config& config) {
  Stores stores;
  stores.postgres = std::make_unique<PgPool>(config.postgres);
  if (!config.postgres.replica_url.empty())
    stores.postgres_replica = std::make_unique<PgPool>(config.postgres, config.postgres.replica_url);
  stores.redis = std::make_unique<RedisPool>(config.redis);
  if (config.redis.near_cache_ttl.count() > 0 && config.redis.near_cache_mb > 0)
    stores.redis_invalidations = std::make_unique<RedisInvalidationListener>(config.redis);
  stores.clickhouse = std::make_unique<HttpClickHouseClient>(config.clickhouse);
  stores.s3 = std::make_unique<S3ObjectStore>(config.s3);
  return stores;
}

std::vector<StoreProbe*> Stores::Probes() const {
  return {postgres.get(), redis.get(), clickhouse.get(), s3.get()};
}

}  // namespace cinerec
