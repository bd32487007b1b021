#include "services/collect/collect_module.h"

#include <spdlog/spdlog.h>

#include "accounts/user_attribute_cache.h"
#include "app/stores.h"
#include "catalog/movie_directory.h"
#include "collect/clickhouse_sink.h"
#include "collect/collect_metrics.h"
#include "collect/collect_service.h"
#include "collect/postgres_sink.h"
#include "collect/redis_user_activity.h"
#include "collect/spool/wal.h"
#include "collect/spool_consumer.h"
#include "collect/trending.h"
#include "collect/trending_sink.h"
#include "common/config.h"
#include "http/metrics.h"
#include "http/router.h"
#include "services/collect/collect_routes.h"
#include "storage/postgres/pg_pool.h"
#include "storage/redis/redis_client.h"

namespace cinerec {
namespace {

using namespace collect;

constexpr std::size_t kUserCacheEntries = 1'000'000;  // per-id entries: users the snapshot does not have yet
constexpr std::chrono::seconds kUserAttributeTtl{600};

SpoolConsumer::Options ConsumerOptions(const Config& config, std::size_t batch_events) {
  SpoolConsumer::Options options;
  options.batch_events = batch_events;
  options.flush_interval = config.clickhouse.flush_interval;
  options.dead_letter_dir = std::filesystem::path(config.collect.spool_dir) / "dead-letter";
  return options;
}

TrendingSink::Options TrendingOptions(const Config& config) {
  TrendingSink::Options options;
  options.bucket_ttl = std::chrono::seconds(config.collect.trending_bucket_ttl_s);
  options.completion_threshold = config.collect.completion_threshold;
  return options;
}

}  // namespace

struct CollectModule::Parts {
  Parts(const Config& config, Stores& stores, catalog::MovieDirectory& movies, Metrics& http_metrics)
      : metrics(http_metrics.registry()),
        wal(WalOptions{std::filesystem::path(config.collect.spool_dir) / "wal", 64u << 20,
                       static_cast<std::uint64_t>(config.collect.spool_max_bytes), config.collect.spool_sync},
            {"clickhouse", "postgres", "redis"}),
        users(accounts::PgUserAttributeLoader(*stores.postgres), kUserCacheEntries, kUserAttributeTtl),
        keys(config.redis.key_prefix),
        activity(*stores.redis, keys),
        clickhouse_sink(*stores.clickhouse, movies, users, ClickHouseSink::Options{}),
        postgres_sink(*stores.postgres, config.collect, &activity),
        trending_sink(*stores.redis, keys, movies, TrendingOptions(config)),
        clickhouse_consumer(wal, clickhouse_sink, ConsumerOptions(config, config.clickhouse.batch_rows),
                            &metrics),
        postgres_consumer(wal, postgres_sink, ConsumerOptions(config, config.collect.postgres_batch_events),
                          &metrics),
        trending_consumer(wal, trending_sink, ConsumerOptions(config, config.clickhouse.batch_rows),
                          &metrics),
        service(config.collect, wal, movies, &metrics),
        trending(*stores.redis, keys, movies, TrendingReader::Options{}) {
    accounts::UserAttributeCache::SnapshotOptions snapshots;
    snapshots.pages = accounts::PgUserAttributePages(*stores.postgres);
    snapshots.refresh = kUserAttributeTtl / 2;
    users.StartSnapshots(std::move(snapshots));
  }

  CollectMetrics metrics;
  Wal wal;
  accounts::UserAttributeCache users;
  RedisKeys keys;
  RedisUserActivity activity;
  ClickHouseSink clickhouse_sink;
  PostgresSink postgres_sink;
  TrendingSink trending_sink;
  SpoolConsumer clickhouse_consumer;
  SpoolConsumer postgres_consumer;
  SpoolConsumer trending_consumer;
  CollectService service;
  TrendingReader trending;
};

CollectModule::CollectModule(const Config& config, Stores& stores, catalog::MovieDirectory& movies,
                             Metrics& metrics)
    : parts_(std::make_unique<Parts>(config, stores, movies, metrics)) {
  auto stats = parts_->wal.stats();
  spdlog::info(
      "collect: spool {} holds {} bytes in {} segments; last record {}; lag clickhouse={} postgres={} "
      "redis={}",
      config.collect.spool_dir, stats.bytes, stats.segments, stats.last_seq, stats.lag_records["clickhouse"],
      stats.lag_records["postgres"], stats.lag_records["redis"]);
}

CollectModule::~CollectModule() {
  Stop(std::chrono::seconds(10));
}

void CollectModule::Stop(std::chrono::milliseconds drain) {
  // In parallel: each consumer gets the whole drain time, and one store being down does not starve the
  // others.
  std::thread a([&] { parts_->clickhouse_consumer.Stop(drain); });
  std::thread b([&] { parts_->postgres_consumer.Stop(drain); });
  parts_->trending_consumer.Stop(drain);
  a.join();
  b.join();
}

collect::CollectService& CollectModule::service() {
  return parts_->service;
}

void CollectModule::RegisterRoutes(http::Router& router, Authenticator& auth,
                                   TrendingViewerFilter trending_filter) {
  RegisterCollectRoutes(router, parts_->service, parts_->trending, auth, std::move(trending_filter));
}

}  // namespace cinerec
