#include "services/recommend/recommend_metrics.h"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

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
                   .Register(r)) {}

  prometheus::Family<prometheus::Counter>& responses;
  prometheus::Family<prometheus::Counter>& items;
  prometheus::Family<prometheus::Counter>& model_events;
  prometheus::Counter& loads;
  prometheus::Counter& refused;
  prometheus::Counter& poll_failures;
  prometheus::Family<prometheus::Gauge>& loaded;
  std::mutex mutex;
  recommend::ModelRegistry::Stats synced;  // GUARDED_BY(mutex): what the counters already hold
  std::string version;                     // GUARDED_BY(mutex)
  prometheus::Gauge* version_gauge = nullptr;
};

RecommendMetrics::RecommendMetrics(prometheus::Registry& registry)
    : impl_(std::make_unique<Impl>(registry)) {}
RecommendMetrics::~RecommendMetrics() = default;

void RecommendMetrics::Answered(std::string_view endpoint, const recommend::RecommendResult& result) {
  impl_->responses
      .Add({{"endpoint", std::string(endpoint)},
            {"cache", result.cache.empty() ? "none" : result.cache},
            {"source", std::string(recommend::ToString(result.source))},
            {"degraded", result.degraded ? "true" : "false"}})
      .Increment();
  impl_->items.Add({{"endpoint", std::string(endpoint)}}).Increment(static_cast<double>(result.items.size()));
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
