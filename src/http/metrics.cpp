#include "http/metrics.h"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <mutex>
#include <unordered_map>
#include <vector>

namespace cinerec {
namespace {
constexpr const char* kRequestsTotal = "cinerec_http_requests_total";
constexpr const char* kRequestDuration = "cinerec_http_request_duration_seconds";
constexpr const char* kInFlight = "cinerec_http_requests_in_flight";
constexpr const char* kStoreErrors = "cinerec_store_errors_total";

// Latency buckets from 100 µs to 10 s: the hot path is sub-millisecond, reports take seconds.
const prometheus::Histogram::BucketBoundaries kLatencyBuckets = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}  // namespace

struct Metrics::Impl {
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
  prometheus::Family<prometheus::Counter>& requests = prometheus::BuildCounter()
                                                          .Name(kRequestsTotal)
                                                          .Help("HTTP requests by route, method and status")
                                                          .Register(*registry);
  prometheus::Family<prometheus::Histogram>& durations =
      prometheus::BuildHistogram()
          .Name(kRequestDuration)
          .Help("HTTP request latency by route, method and status")
          .Register(*registry);
  prometheus::Family<prometheus::Gauge>& in_flight_family =
      prometheus::BuildGauge().Name(kInFlight).Help("HTTP requests being served").Register(*registry);
  prometheus::Gauge& in_flight = in_flight_family.Add({});
  prometheus::Family<prometheus::Counter>& store_errors =
      prometheus::BuildCounter().Name(kStoreErrors).Help("Failed store calls by store").Register(*registry);

  // Family::Add takes a lock and hashes labels; cache the series per label set to keep the hot path cheap.
  std::mutex mutex;
  std::unordered_map<std::string, std::pair<prometheus::Counter*, prometheus::Histogram*>> series;
  std::mutex hooks_mutex;  // apart from `mutex`: a hook never holds up the requests being recorded
  std::vector<std::function<void()>> scrape_hooks;  // GUARDED_BY(hooks_mutex)
};

Metrics::Metrics() : impl_(std::make_unique<Impl>()) {}
Metrics::~Metrics() = default;

namespace {
// Clients choose the method string: only known methods become label values, so that no client can grow the
// set of series (and the memory behind them) without bound.
std::string_view MethodLabel(std::string_view method) {
  for (std::string_view known : {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
    if (method == known) return known;
  return "other";
}
}  // namespace

void Metrics::RecordRequest(std::string_view raw_method, std::string_view route, int status,
                            std::chrono::nanoseconds latency) {
  const std::string_view method = MethodLabel(raw_method);
  std::string key;
  key.reserve(method.size() + route.size() + 5);
  key.append(method).append(" ").append(route).append(" ").append(std::to_string(status));
  prometheus::Counter* counter = nullptr;
  prometheus::Histogram* histogram = nullptr;
  {
    std::lock_guard lock(impl_->mutex);
    auto it = impl_->series.find(key);
    if (it == impl_->series.end()) {
      auto& c = impl_->requests.Add({{"method", std::string(method)},
                                     {"route", std::string(route)},
                                     {"status", std::to_string(status)}});
      auto& h = impl_->durations.Add({{"method", std::string(method)},
                                      {"route", std::string(route)},
                                      {"status", std::to_string(status)}},
                                     kLatencyBuckets);
      it = impl_->series.emplace(std::move(key), std::make_pair(&c, &h)).first;
    }
    counter = it->second.first;
    histogram = it->second.second;
  }
  counter->Increment();
  histogram->Observe(std::chrono::duration<double>(latency).count());
}

void Metrics::RecordStoreError(std::string_view store) {
  impl_->store_errors.Add({{"store", std::string(store)}}).Increment();
}

void Metrics::SetInFlight(std::int64_t requests) {
  impl_->in_flight.Set(static_cast<double>(requests));
}

prometheus::Registry& Metrics::registry() {
  return *impl_->registry;
}

void Metrics::OnScrape(std::function<void()> hook) {
  std::lock_guard lock(impl_->hooks_mutex);
  impl_->scrape_hooks.push_back(std::move(hook));
}

std::string Metrics::Serialize() const {
  {
    std::lock_guard lock(impl_->hooks_mutex);
    for (const auto& hook : impl_->scrape_hooks)
      hook();
  }
  prometheus::TextSerializer serializer;
  return serializer.Serialize(impl_->registry->Collect());
}

}  // namespace cinerec
