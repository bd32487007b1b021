#include "services/recommend/recommend_metrics.h"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <array>
#include <atomic>
#include <mutex>
#include <string>

#include "recommend/candidate_list.h"
#include "recommend/model_registry.h"
#include "recommend/recommend_service.h"

namespace cinerec {

struct RecommendMetrics::Impl {
  explicit Impl(prometheus::Registry& r)
      : responses(prometheus::BuildCounter()
                      .Name("cinerec_recommend_responses_total")
                      .Help("Recommendation responses by endpoint, cache outcome (hit, miss, bypass = Redis "
                            "down), source and degraded")
                      .Register(r)),
        items(prometheus::BuildCounter()
                  .Name("cinerec_recommend_items_total")
                  .Help("Items shown (impressions), by endpoint")
                  .Register(r)),
        model_events(prometheus::BuildCounter()
                         .Name("cinerec_recommend_model_events_total")
                         .Help("Model versions loaded, refused (failed a check) and S3 polls that failed")
                         .Register(r)),
        loads(model_events.Add({{"event", "loaded"}})),
        refused(model_events.Add({{"event", "refused"}})),
        poll_failures(model_events.Add({{"event", "poll_failed"}})),
        loaded(prometheus::BuildGauge()
                   .Name("cinerec_recommend_model_loaded")
                   .Help("1 for the model version served as LATEST")
                   .Register(r)),
        near(
            prometheus::BuildCounter()
                .Name("cinerec_recommend_near_cache_total")
                .Help("Viewer lists looked up in the in-process layer in front of Redis: hit (no round trip) "
                      "or miss (read from Redis)")
                .Register(r)),
        near_hits(near.Add({{"result", "hit"}})),
        near_misses(near.Add({{"result", "miss"}})) {}

  prometheus::Family<prometheus::Counter>& responses;
  prometheus::Family<prometheus::Counter>& items;
  prometheus::Family<prometheus::Counter>& model_events;
  prometheus::Counter& loads;
  prometheus::Counter& refused;
  prometheus::Counter& poll_failures;
  prometheus::Family<prometheus::Gauge>& loaded;
  prometheus::Family<prometheus::Counter>& near;
  prometheus::Counter& near_hits;
  prometheus::Counter& near_misses;
  // The responses counter of each label set, found once: Family::Add builds a label map and locks the family
  // on every call, which showed in the cache-hit profile. Index: ResponseSlot.
  std::array<std::atomic<prometheus::Counter*>, 2 * 4 * 8 * 2> response_counters{};
  std::array<std::atomic<prometheus::Counter*>, 2> item_counters{};
  std::mutex mutex;
  std::uint64_t near_hits_synced = 0;      // GUARDED_BY(mutex)
  std::uint64_t near_misses_synced = 0;    // GUARDED_BY(mutex)
  recommend::ModelRegistry::Stats synced;  // GUARDED_BY(mutex): what the counters already hold
  std::string version;                     // GUARDED_BY(mutex)
  prometheus::Gauge* version_gauge = nullptr;
};

RecommendMetrics::RecommendMetrics(prometheus::Registry& registry)
    : impl_(std::make_unique<Impl>(registry)) {}
RecommendMetrics::~RecommendMetrics() = default;

namespace {

std::size_t CacheIndex(std::string_view cache) {
  if (cache == "hit") return 0;
  if (cache == "miss") return 1;
  if (cache == "bypass") return 2;
  return 3;
}

// The index of a label set in Impl::response_counters: endpoint (2) × cache (4) × source (8) × degraded (2).
std::size_t ResponseSlot(std::size_t endpoint, const recommend::RecommendResult& result) {
  const auto source = static_cast<std::size_t>(result.source) % 8;
  return ((endpoint * 4 + CacheIndex(result.cache)) * 8 + source) * 2 + (result.degraded ? 1 : 0);
}

}  // namespace

void RecommendMetrics::Answered(std::string_view endpoint, const recommend::RecommendResult& result) {
  const std::size_t e = endpoint == "recommendations" ? 0 : 1;
  const std::size_t slot = ResponseSlot(e, result);
  auto* counter = impl_->response_counters[slot].load(std::memory_order_acquire);
  if (counter == nullptr) {
    counter = &impl_->responses.Add({{"endpoint", std::string(endpoint)},
                                     {"cache", result.cache.empty() ? "none" : result.cache},
                                     {"source", std::string(recommend::ToString(result.source))},
                                     {"degraded", result.degraded ? "true" : "false"}});
    impl_->response_counters[slot].store(counter, std::memory_order_release);
  }
  counter->Increment();
  auto* items = impl_->item_counters[e].load(std::memory_order_acquire);
  if (items == nullptr) {
    items = &impl_->items.Add({{"endpoint", std::string(endpoint)}});
    impl_->item_counters[e].store(items, std::memory_order_release);
  }
  items->Increment(static_cast<double>(result.items.size()));
}

void RecommendMetrics::SyncNear(std::uint64_t hits, std::uint64_t misses) {
  std::lock_guard lock(impl_->mutex);
  // Callers read the counters before taking the lock: an older reading may arrive after a newer one.
  if (hits > impl_->near_hits_synced) {
    impl_->near_hits.Increment(static_cast<double>(hits - impl_->near_hits_synced));
    impl_->near_hits_synced = hits;
  }
  if (misses > impl_->near_misses_synced) {
    impl_->near_misses.Increment(static_cast<double>(misses - impl_->near_misses_synced));
    impl_->near_misses_synced = misses;
  }
}

void RecommendMetrics::Sync(const recommend::ModelRegistry& models) {
  const auto stats = models.stats();
  const auto version = models.latest_version();
  std::lock_guard lock(impl_->mutex);
  impl_->loads.Increment(static_cast<double>(stats.loads - impl_->synced.loads));
  impl_->refused.Increment(static_cast<double>(stats.refused - impl_->synced.refused));
  impl_->poll_failures.Increment(static_cast<double>(stats.poll_failures - impl_->synced.poll_failures));
  impl_->synced = stats;
  if (version != impl_->version) {
    if (impl_->version_gauge != nullptr) impl_->loaded.Remove(impl_->version_gauge);
    impl_->version_gauge = version.empty() ? nullptr : &impl_->loaded.Add({{"version", version}});
    if (impl_->version_gauge != nullptr) impl_->version_gauge->Set(1);
    impl_->version = version;
  }
}

}  // namespace cinerec
