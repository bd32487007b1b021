#include "app/stores.h"

#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include "common/config.h"
#include "http/metrics.h"
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

void Stores::RegisterMetrics(Metrics& metrics) const {
  auto& live = prometheus::BuildGauge()
                   .Name("cinerec_redis_invalidations_live")
                   .Help(
                       "1 while Redis pushes key changes to this process, so its in-process copies of lists "
                       "and sessions are used; 0 while that feed is down or off (every read goes to Redis)")
                   .Register(metrics.registry())
                   .Add({});
  metrics.OnScrape(
      [&live, feed = redis_invalidations.get()] { live.Set(feed != nullptr && feed->live() ? 1 : 0); });
}

}  // namespace cinerec
