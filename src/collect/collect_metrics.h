#pragma once
// The collection pipeline's Prometheus series (docs/operations.md lists them): what came in, what the
// spool holds, and how each sink keeps up.
#include <cstdint>
#include <memory>
#include <string_view>

namespace prometheus {
class Registry;
}

namespace cinerec::collect {

class CollectMetrics {
 public:
  explicit CollectMetrics(prometheus::Registry& registry);
  ~CollectMetrics();
  CollectMetrics(const CollectMetrics&) = delete;
  CollectMetrics& operator=(const CollectMetrics&) = delete;

  void EventsReceived(std::uint64_t accepted, std::uint64_t rejected);
  void RequestBatchSize(std::size_t events);
  // A whole batch refused before the spool: "spool_full", "spool_error" or "rate_limited".
  void BatchRefused(std::string_view reason);
  void SpoolAppend(double seconds);
  void SpoolState(std::uint64_t bytes, std::uint64_t segments);

  // Per sink ("clickhouse", "postgres", "redis").
  void Delivered(std::string_view sink, std::size_t events, double seconds);
  // Time a batch spent in a stage of its consumer: "decode" (decoding the spool records read), "prepare"
  // (EventSink::Prepare) and "send" (the store round trip; Delivered times it too). Where a pipeline
  // stalls shows here.
  void StageSeconds(std::string_view sink, std::string_view stage, double seconds);
  void DeliveryFailed(std::string_view sink);
  void Replayed(std::string_view sink, std::size_t events);
  void DeadLettered(std::string_view sink, std::size_t events);
  void Lag(std::string_view sink, std::uint64_t records);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cinerec::collect
