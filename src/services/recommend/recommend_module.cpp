#include "services/recommend/recommend_module.h"

#include <spdlog/spdlog.h>

#include "accounts/user_attribute_cache.h"
#include "app/stores.h"
#include "catalog/movie_directory.h"
#include "collect/trending.h"
#include "common/config.h"
#include "http/metrics.h"
#include "recommend/candidate_cache.h"
#include "recommend/experiments.h"
#include "recommend/impression_log.h"
#include "recommend/model_registry.h"
#include "recommend/recommend_service.h"
#include "recommend/viewer_history.h"
#include "services/recommend/recommend_metrics.h"
#include "services/recommend/recommend_routes.h"
#include "storage/clickhouse/clickhouse_batcher.h"
#include "storage/postgres/pg_pool.h"

namespace cinerec {
namespace {

using namespace recommend;

constexpr std::size_t kUserCacheEntries = 1'000'000;
constexpr std::chrono::seconds kUserAttributeTtl{600};
constexpr std::size_t kMaxBufferedImpressions = 1'000'000;

ModelRegistry::Options RegistryOptions(const Config& config, const Experiments& experiments) {
  ModelRegistry::Options options;
  options.poll_period = config.recommend.model_poll;
  options.cache_dir = config.recommend.model_cache_dir;
  options.pinned = experiments.PinnedVersions();
  return options;
}

CandidateCache::Options CacheOptions(const Config& config, Stores& stores) {
  CandidateCache::Options options;
  options.ttl = std::chrono::seconds(config.recommend.cache_ttl_s);
  options.feed = stores.redis_invalidations.get();
  options.near_bytes = static_cast<std::size_t>(config.redis.near_cache_mb) << 20;
  options.near_ttl = config.redis.near_cache_ttl;
  return options;
}

}  // namespace

struct RecommendModule::Parts {
  Parts(const Config& config, Stores& stores, catalog::MovieDirectory& movies, Metrics& http_metrics)
      : metrics(http_metrics.registry()),
        experiments(ParseVariants(config.recommend.variants)),
        registry(*stores.s3, RegistryOptions(config, experiments)),
        keys(config.redis.key_prefix),
        cache(*stores.redis, keys, CacheOptions(config, stores)),
        // The primary, not a replica: a miss right after an event must see it (replicas lag).
        history(*stores.postgres, static_cast<std::size_t>(config.recommend.history_views)),
        users(accounts::PgUserAttributeLoader(*stores.postgres), kUserCacheEntries, kUserAttributeTtl),
        trending(*stores.redis, keys, movies, collect::TrendingReader::Options{}),
        batcher(*stores.clickhouse, config.clickhouse, kMaxBufferedImpressions,
                ClickHouseBatcherOptions{.format = recommend::kImpressionsFormat}),
        impressions(batcher),
        service(
            RecommendService::Dependencies{[this](const std::string& model) { return registry.Get(model); },
                                           &cache, &history, &movies, &users, &trending, &impressions},
            experiments, ServiceOptions(config)) {
    accounts::UserAttributeCache::SnapshotOptions snapshots;
    snapshots.pages = accounts::PgUserAttributePages(*stores.postgres);
    snapshots.refresh = kUserAttributeTtl / 2;
    users.StartSnapshots(std::move(snapshots));
    registry.LoadInitial();
    registry.Start();
  }

  static RecommendService::Options ServiceOptions(const Config& config) {
    RecommendService::Options options;
    options.candidates = static_cast<std::size_t>(config.recommend.candidates);
    options.signals.completed_share = static_cast<float>(config.collect.completion_threshold);
    return options;
  }

  RecommendMetrics metrics;
  Experiments experiments;
  ModelRegistry registry;
  RedisKeys keys;
  CandidateCache cache;
  PgHistorySource history;
  accounts::UserAttributeCache users;
  collect::TrendingReader trending;
  ClickHouseBatcher batcher;
  ClickHouseImpressionLog impressions;
  RecommendService service;
};

RecommendModule::RecommendModule(const Config& config, Stores& stores, catalog::MovieDirectory& movies,
                                 Metrics& metrics)
    : parts_(std::make_unique<Parts>(config, stores, movies, metrics)) {
  // The model gauges from the start (a scrape before the first request would otherwise show no model);
  // later swaps are synced on each answer.
  parts_->metrics.Sync(parts_->registry);
  std::string variants;
  for (const auto& v : parts_->experiments.variants())
    variants += (variants.empty() ? "" : ", ") + v.name + " " + std::to_string(v.share) + " " + v.model;
  spdlog::info("recommend: model {} (LATEST); variants: {}",
               parts_->registry.latest_version().empty() ? "none" : parts_->registry.latest_version(),
               variants);
}

RecommendModule::~RecommendModule() = default;

void RecommendModule::RegisterRoutes(http::Router& router, Authenticator& auth) {
  RegisterRecommendRoutes(router, parts_->service, auth,
                          [parts = parts_.get()](std::string_view endpoint, const RecommendResult& result) {
                            parts->metrics.Answered(endpoint, result);
                            parts->metrics.Sync(parts->registry);  // cheap: two small mutex sections
                            parts->metrics.SyncNear(parts->cache.near_hits(), parts->cache.near_misses());
                          });
}

recommend::RecommendService& RecommendModule::service() {
  return parts_->service;
}

recommend::ModelRegistry& RecommendModule::models() {
  return parts_->registry;
}

}  // namespace cinerec
