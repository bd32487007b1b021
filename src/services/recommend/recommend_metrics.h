#pragma once
// The recommendation role's Prometheus series (docs/recommendations.md, "Operations"):
//   cinerec_recommend_responses_total{endpoint, cache, source, degraded}   every answered request
//   cinerec_recommend_items_total{endpoint}                                 items shown (impressions)
//   cinerec_recommend_model_events_total{event}                             loads, refusals, S3 poll failures
//   cinerec_recommend_model_loaded{version}                                 1 for the LATEST version served
//   cinerec_recommend_near_cache_total{result}                              in-process list lookups: hit,
//   miss
// Thread-safe.
#include <cstdint>
#include <memory>
#include <string_view>

namespace prometheus {
class Registry;
}

namespace cinerec::recommend {
struct RecommendResult;
class ModelRegistry;
}  // namespace cinerec::recommend

namespace cinerec {

class RecommendMetrics {
 public:
  explicit RecommendMetrics(prometheus::Registry& registry);
  ~RecommendMetrics();
  RecommendMetrics(const RecommendMetrics&) = delete;
  RecommendMetrics& operator=(const RecommendMetrics&) = delete;

  // endpoint: "recommendations" or "similar".
  void Answered(std::string_view endpoint, const recommend::RecommendResult& result);
  // Copies the registry's counters and LATEST version into the series (called on each scrape-sized tick).
  void Sync(const recommend::ModelRegistry& models);
  // The in-process layer's counters so far (CandidateCache::near_hits / near_misses).
  void SyncNear(std::uint64_t hits, std::uint64_t misses);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cinerec
