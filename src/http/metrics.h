#pragma once
// Prometheus metrics of one process (prometheus-cpp core), exposed as text on GET /metrics.
// Built once at start-up and handed to whoever records; names are constants in metrics.cpp.
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace prometheus {
class Registry;
}

namespace cinerec {

class Metrics {
 public:
  Metrics();
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // One finished HTTP request. `route` is the route pattern ("unmatched" when none).
  void RecordRequest(std::string_view method, std::string_view route, int status,
                     std::chrono::nanoseconds latency);
  // A store call failed (connection, timeout, refusal).
  void RecordStoreError(std::string_view store);
  void SetInFlight(std::int64_t requests);

  // The registry, for components that add their own families.
  prometheus::Registry& registry();
  // `hook` runs before each Serialize: for gauges read from a component's state at scrape time rather than
  // pushed on every change. REQUIRES: what it reads outlives this. Thread-safe.
  void OnScrape(std::function<void()> hook);
  // The text exposition format (version 0.0.4).
  std::string Serialize() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cinerec
