#include "collect/collect_metrics.h"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <array>
#include <map>
#include <mutex>
#include <string>

namespace cinerec::collect {
namespace {
using prometheus::Counter;
using prometheus::Gauge;
using prometheus::Histogram;

const Histogram::BucketBoundaries kSecondsBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                     0.1,    0.25,  0.5,    1,     2.5,  5,     10};
const Histogram::BucketBoundaries kSizeBuckets = {1, 10, 100, 500, 1000, 2500, 5000, 10000, 25000, 50000};
}  // namespace

struct CollectMetrics::Impl {
  explicit Impl(prometheus::Registry& r)
      : events(prometheus::BuildCounter()
                   .Name("cinerec_collect_events_total")
                   .Help("Events received by POST /v1/events, by outcome (accepted = durable in the spool)")
                   .Register(r)),
        accepted(events.Add({{"outcome", "accepted"}})),
        rejected(events.Add({{"outcome", "rejected"}})),
        request_batch(prometheus::BuildHistogram()
                          .Name("cinerec_collect_request_batch_events")
                          .Help("Events per POST /v1/events body")
                          .Register(r)
                          .Add({}, kSizeBuckets)),
        refused(prometheus::BuildCounter()
                    .Name("cinerec_collect_batches_refused_total")
                    .Help("Whole batches refused before the spool, by reason")
                    .Register(r)),
        append_seconds(prometheus::BuildHistogram()
                           .Name("cinerec_collect_spool_append_seconds")
                           .Help("Time to append and fsync one batch to the spool (group commit)")
                           .Register(r)
                           .Add({}, kSecondsBuckets)),
        spool_family(prometheus::BuildGauge()
                         .Name("cinerec_collect_spool")
                         .Help("Spool size: bytes and segment files on disk")
                         .Register(r)),
        spool_bytes(spool_family.Add({{"measure", "bytes"}})),
        spool_segments(spool_family.Add({{"measure", "segments"}})),
        delivered(prometheus::BuildCounter()
                      .Name("cinerec_collect_delivered_events_total")
                      .Help("Events delivered to each store")
                      .Register(r)),
        delivery_batch(prometheus::BuildHistogram()
                           .Name("cinerec_collect_delivery_batch_events")
                           .Help("Events per delivery to each store")
                           .Register(r)),
        delivery_seconds(prometheus::BuildHistogram()
                             .Name("cinerec_collect_delivery_seconds")
                             .Help("Time of one successful delivery (flush) to each store")
                             .Register(r)),
        stage_seconds(
            prometheus::BuildHistogram()
                .Name("cinerec_collect_stage_seconds")
                .Help("Time one batch spent in a stage of its spool consumer (decode, prepare, send)")
                .Register(r)),
        failures(prometheus::BuildCounter()
                     .Name("cinerec_collect_delivery_failures_total")
                     .Help("Failed delivery attempts (the batch is retried with back-off)")
                     .Register(r)),
        replayed(prometheus::BuildCounter()
                     .Name("cinerec_collect_replayed_events_total")
                     .Help("Events delivered from the spool after a restart (appended by an earlier process)")
                     .Register(r)),
        dead(prometheus::BuildCounter()
                 .Name("cinerec_collect_dead_lettered_events_total")
                 .Help("Events a store refused for good, kept in the spool's dead-letter folder")
                 .Register(r)),
        lag(prometheus::BuildGauge()
                .Name("cinerec_collect_spool_lag_records")
                .Help("Spool records (request batches) each sink has still to deliver")
                .Register(r)) {}

  prometheus::Family<Counter>& events;
  Counter& accepted;
  Counter& rejected;
  Histogram& request_batch;
  prometheus::Family<Counter>& refused;
  Histogram& append_seconds;
  prometheus::Family<Gauge>& spool_family;
  Gauge& spool_bytes;
  Gauge& spool_segments;
  prometheus::Family<Counter>& delivered;
  prometheus::Family<Histogram>& delivery_batch;
  prometheus::Family<Histogram>& delivery_seconds;
  prometheus::Family<Histogram>& stage_seconds;
  prometheus::Family<Counter>& failures;
  prometheus::Family<Counter>& replayed;
  prometheus::Family<Counter>& dead;
  prometheus::Family<Gauge>& lag;

  // Series per sink, created on first use (sink names are ours: a fixed, small set).
  struct SinkSeries {
    Counter* delivered;
    Histogram* batch;
    Histogram* seconds;
    Counter* failures;
    Counter* replayed;
    Counter* dead;
    Gauge* lag;
    Histogram* decode;
    Histogram* prepare;
    Histogram* send;
  };
  std::mutex mutex;
  std::map<std::string, SinkSeries, std::less<>> sinks;

  SinkSeries& Sink(std::string_view name) {
    std::lock_guard lock(mutex);
    auto it = sinks.find(name);
    if (it == sinks.end()) {
      const prometheus::Labels labels{{"sink", std::string(name)}};
      it =
          sinks
              .emplace(
                  std::string(name),
                  SinkSeries{
                      &delivered.Add(labels), &delivery_batch.Add(labels, kSizeBuckets),
                      &delivery_seconds.Add(labels, kSecondsBuckets), &failures.Add(labels),
                      &replayed.Add(labels), &dead.Add(labels), &lag.Add(labels),
                      &stage_seconds.Add({{"sink", std::string(name)}, {"stage", "decode"}}, kSecondsBuckets),
                      &stage_seconds.Add({{"sink", std::string(name)}, {"stage", "prepare"}},
                                         kSecondsBuckets),
                      &stage_seconds.Add({{"sink", std::string(name)}, {"stage", "send"}}, kSecondsBuckets)})
              .first;
    }
    return it->second;
  }
};

CollectMetrics::CollectMetrics(prometheus::Registry& registry) : impl_(std::make_unique<Impl>(registry)) {}
CollectMetrics::~CollectMetrics() = default;

void CollectMetrics::EventsReceived(std::uint64_t accepted, std::uint64_t rejected) {
  impl_->accepted.Increment(static_cast<double>(accepted));
  impl_->rejected.Increment(static_cast<double>(rejected));
}
void CollectMetrics::RequestBatchSize(std::size_t events) {
  impl_->request_batch.Observe(static_cast<double>(events));
}
void CollectMetrics::BatchRefused(std::string_view reason) {
  impl_->refused.Add({{"reason", std::string(reason)}}).Increment();
}
void CollectMetrics::SpoolAppend(double seconds) {
  impl_->append_seconds.Observe(seconds);
}
void CollectMetrics::SpoolState(std::uint64_t bytes, std::uint64_t segments) {
  impl_->spool_bytes.Set(static_cast<double>(bytes));
  impl_->spool_segments.Set(static_cast<double>(segments));
}
void CollectMetrics::Delivered(std::string_view sink, std::size_t events, double seconds) {
  auto& s = impl_->Sink(sink);
  s.delivered->Increment(static_cast<double>(events));
  s.batch->Observe(static_cast<double>(events));
  s.seconds->Observe(seconds);
}
void CollectMetrics::StageSeconds(std::string_view sink, std::string_view stage, double seconds) {
  auto& s = impl_->Sink(sink);
  Histogram* h = stage == "decode" ? s.decode : stage == "prepare" ? s.prepare : s.send;
  h->Observe(seconds);
}
void CollectMetrics::DeliveryFailed(std::string_view sink) {
  impl_->Sink(sink).failures->Increment();
}
void CollectMetrics::Replayed(std::string_view sink, std::size_t events) {
  impl_->Sink(sink).replayed->Increment(static_cast<double>(events));
}
void CollectMetrics::DeadLettered(std::string_view sink, std::size_t events) {
  impl_->Sink(sink).dead->Increment(static_cast<double>(events));
}
void CollectMetrics::Lag(std::string_view sink, std::uint64_t records) {
  impl_->Sink(sink).lag->Set(static_cast<double>(records));
}

}  // namespace cinerec::collect
